import crypto from 'node:crypto';
import type { Db } from '../db/database';

/** Personal calendar feed links: one live token per user; revoked ones are kept. */
async function liveForUser(db: Db, userId: number) {
  return db.selectFrom('calendar_feed').select(['id', 'token', 'created_at']).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
}

/** The active account a live token belongs to, or undefined. */
async function ownerOfToken(db: Db, token: string) {
  return db
    .selectFrom('calendar_feed as f')
    .innerJoin('app_user as u', 'u.id', 'f.user_id')
    .select(['u.id', 'u.role', 'u.offering_id', 'u.time_zone'])
    .where('f.token', '=', token)
    .where('f.revoked_at', 'is', null)
    .where('u.deactivated_at', 'is', null)
    .executeTakeFirst();
}

/** Serializes feed changes for one user (regenerate twice at once must not collide). */
async function lockUser(db: Db, userId: number): Promise<void> {
  await db.selectFrom('app_user').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
}

async function revokeAll(db: Db, userId: number, now: Date): Promise<number> {
  const res = await db.updateTable('calendar_feed').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

async function create(db: Db, userId: number, now: Date): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await db.insertInto('calendar_feed').values({ user_id: userId, token, created_at: now }).execute();
  return token;
}

export const calendarFeedRepository = Object.freeze({ liveForUser, ownerOfToken, lockUser, revokeAll, create });
