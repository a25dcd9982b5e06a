import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/** join_request: what a person typed on /join/CODE, waiting for their email confirmation (migration 0220). */
async function insert(
  db: Db,
  row: { linkId: number; email: string; name: string; timeZone: string; country: string; tokenHash: string; at: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('join_request')
    .values({
      join_link_id: row.linkId,
      email: row.email,
      name: row.name,
      time_zone: row.timeZone,
      country: row.country,
      token_hash: row.tokenHash,
      created_at: row.at,
      expires_at: row.expiresAt,
      confirmed_at: null,
      user_id: null,
    })
    .execute();
}

/** The waiting request for a token (its hash), or undefined when unknown, confirmed or expired; `lock` holds it for the confirmation. */
async function liveByHash(db: Db, tokenHash: string, now: Date, lock = false) {
  const q = db.selectFrom('join_request').selectAll().where('token_hash', '=', tokenHash).where('confirmed_at', 'is', null).where('expires_at', '>', now);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

async function markConfirmed(db: Db, id: string, userId: number, at: Date): Promise<void> {
  await db.updateTable('join_request').set({ confirmed_at: at, user_id: userId }).where('id', '=', id).execute();
}

/** Other waiting requests for the same address die with a confirmation (their links would only say "already joined"). */
async function closeOthersFor(db: Db, email: string, at: Date): Promise<void> {
  await db
    .updateTable('join_request')
    .set({ expires_at: at })
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', at)
    .execute();
}

/** The link each of these users joined through (the community list's "via" column). */
async function linksOfUsers(db: Db, userIds: number[]) {
  if (!userIds.length) return new Map<number, number>();
  const rows = await db.selectFrom('join_request').select(['user_id', 'join_link_id']).where('user_id', '=', anyOf(userIds)).execute();
  return new Map(rows.map((r) => [r.user_id!, r.join_link_id]));
}

export const joinRequestsRepository = Object.freeze({ insert, liveByHash, markConfirmed, closeOthersFor, linksOfUsers });
