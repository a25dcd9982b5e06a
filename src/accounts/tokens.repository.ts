import type { Db } from '../db/database';
import type { TokenPurpose } from './accounts.tables';
import { hashToken, newToken } from './passwords';

export const TOKEN_TTL_HOURS: Record<TokenPurpose, number> = { invitation: 24 * 14, password_reset: 2, email_change: 48 };

/** Issues a one-time token (stored hashed); returns the secret for the email link. */
async function issue(db: Db, userId: number, purpose: TokenPurpose, now: Date, newEmail: string | null = null): Promise<string> {
  const { token, hash } = newToken();
  await db
    .insertInto('user_token')
    .values({
      user_id: userId,
      purpose,
      token_hash: hash,
      new_email: newEmail,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_TTL_HOURS[purpose] * 3600_000),
    })
    .execute();
  return token;
}

/** Issues one token per user in one INSERT; returns each user's secret and token row id. */
async function issueMany(db: Db, userIds: number[], purpose: TokenPurpose, now: Date): Promise<Map<number, { token: string; tokenId: number }>> {
  const issued = new Map<number, { token: string; tokenId: number }>();
  if (userIds.length === 0) return issued;
  const fresh = userIds.map((userId) => ({ userId, ...newToken() }));
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_HOURS[purpose] * 3600_000);
  const rows = await db
    .insertInto('user_token')
    .values(fresh.map((f) => ({ user_id: f.userId, purpose, token_hash: f.hash, new_email: null, created_at: now, expires_at: expiresAt })))
    .returning(['id', 'token_hash'])
    .execute();
  const idOf = new Map(rows.map((r) => [r.token_hash, r.id]));
  for (const f of fresh) issued.set(f.userId, { token: f.token, tokenId: idOf.get(f.hash)! });
  return issued;
}

/** The live token for a secret, or undefined when unknown, used or expired. Locks the row. */
async function findLive(db: Db, token: string, now: Date) {
  return db
    .selectFrom('user_token')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .forUpdate()
    .executeTakeFirst();
}

async function markUsed(db: Db, tokenId: number, userId: number, now: Date): Promise<void> {
  await db.updateTable('user_token').set({ used_at: now }).where('id', '=', tokenId).execute();
  // Any other outstanding link for this account dies with it.
  await db.updateTable('user_token').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

/** The account's outstanding links of one purpose die (a newer request replaces an older one still waiting). */
async function revokePending(db: Db, userId: number, purpose: TokenPurpose, now: Date): Promise<void> {
  await db.updateTable('user_token').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
}

/** Every outstanding link of the account dies (the student was dropped, or their address changed). */
async function revokeAll(db: Db, userId: number, now: Date): Promise<void> {
  await db.updateTable('user_token').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

/** Whether a live email-change link (of another account) is waiting to claim this address. */
async function emailClaimed(db: Db, email: string, exceptUserId: number, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('user_token')
    .select('id')
    .where('purpose', '=', 'email_change')
    .where('new_email', '=', email)
    .where('user_id', '<>', exceptUserId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return !!row;
}

/** The address a live email-change link of this account is waiting to confirm, if any. */
async function pendingEmail(db: Db, userId: number, now: Date): Promise<string | null> {
  const row = await db
    .selectFrom('user_token')
    .select('new_email')
    .where('user_id', '=', userId)
    .where('purpose', '=', 'email_change')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.new_email ?? null;
}

export const tokensRepository = Object.freeze({ issue, issueMany, findLive, markUsed, revokeAll, revokePending, emailClaimed, pendingEmail });
