import type { Kysely, Selectable } from 'kysely';
import type { Database, Db } from '../db/database';

/** Statements on what a launch keeps between requests (migration 0270): login states, sub links, pending links, hand-off codes and deep linking requests. */

/**
 * The single-use rows (a login state, a pending link, a hand-off code, a deep linking request),
 * each keyed by the hash of its secret. `open` reads one still usable; `take` spends it with one
 * `update … where used_at is null and expires_at > now … returning`, so of two requests (two tabs,
 * two instances, a replay) only one ever gets it.
 */
const SECRET_COLUMN = {
  lti_login_state: 'state_hash',
  lti_pending_link: 'token_hash',
  lti_handoff: 'code_hash',
  lti_deep_link_request: 'token_hash',
} as const;
type SingleUse = keyof typeof SECRET_COLUMN;

function open<T extends SingleUse>(db: Db, table: T, hash: string, now: Date): Promise<Selectable<Database[T]> | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one statement for four tables of the same shape
  const any = db as Kysely<any>;
  return any
    .selectFrom(table as string)
    .selectAll()
    .where(SECRET_COLUMN[table] as string, '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst() as Promise<Selectable<Database[T]> | undefined>;
}

function take<T extends SingleUse>(db: Db, table: T, hash: string, now: Date): Promise<Selectable<Database[T]> | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one statement for four tables of the same shape
  const any = db as Kysely<any>;
  return any
    .updateTable(table as string)
    .set({ used_at: now })
    .where(SECRET_COLUMN[table] as string, '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst() as Promise<Selectable<Database[T]> | undefined>;
}

async function insertLoginState(
  db: Db,
  row: { stateHash: string; nonce: string; platformId: number; deploymentId: string | null; targetLinkUri: string; now: Date; expiresAt: Date },
) {
  await db
    .insertInto('lti_login_state')
    .values({
      state_hash: row.stateHash,
      nonce: row.nonce,
      platform_id: row.platformId,
      deployment_id: row.deploymentId,
      target_link_uri: row.targetLinkUri,
      created_at: row.now,
      expires_at: row.expiresAt,
      used_at: null,
    })
    .execute();
}

async function loginState(db: Db, stateHash: string) {
  return db.selectFrom('lti_login_state').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
}

async function platformById(db: Db, id: number) {
  return db.selectFrom('lti_platform').selectAll().where('id', '=', id).executeTakeFirst();
}

async function platformsByIssuer(db: Db, issuer: string) {
  return db.selectFrom('lti_platform').selectAll().where('issuer', '=', issuer).orderBy('id').execute();
}

async function hasDeployment(db: Db, platformId: number, deploymentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('lti_deployment')
    .select('deployment_id')
    .where('platform_id', '=', platformId)
    .where('deployment_id', '=', deploymentId)
    .executeTakeFirst();
  return row !== undefined;
}

async function linkOf(db: Db, platformId: number, sub: string) {
  return db.selectFrom('lti_user_link').selectAll().where('platform_id', '=', platformId).where('sub', '=', sub).executeTakeFirst();
}

async function linkOfUser(db: Db, platformId: number, userId: number) {
  return db.selectFrom('lti_user_link').selectAll().where('platform_id', '=', platformId).where('user_id', '=', userId).executeTakeFirst();
}

/** Links a sub to a user; false when the sub or the user is already linked on this platform (nothing written). */
async function insertLink(db: Db, row: { platformId: number; sub: string; userId: number; by: 'email' | 'sign-in'; now: Date }): Promise<boolean> {
  const inserted = await db
    .insertInto('lti_user_link')
    .values({ platform_id: row.platformId, sub: row.sub, user_id: row.userId, linked_by: row.by, linked_at: row.now, last_launch_at: row.now })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function touchLink(db: Db, platformId: number, sub: string, now: Date) {
  await db.updateTable('lti_user_link').set({ last_launch_at: now }).where('platform_id', '=', platformId).where('sub', '=', sub).execute();
}

async function insertPendingLink(db: Db, row: { tokenHash: string; platformId: number; sub: string; landing: unknown; now: Date; expiresAt: Date }) {
  await db
    .insertInto('lti_pending_link')
    .values({
      token_hash: row.tokenHash,
      platform_id: row.platformId,
      sub: row.sub,
      landing: row.landing,
      created_at: row.now,
      expires_at: row.expiresAt,
      used_at: null,
    })
    .execute();
}

async function insertHandoff(
  db: Db,
  row: { codeHash: string; userId: number; platformId: number; target: string; notice: string | null; now: Date; expiresAt: Date },
) {
  await db
    .insertInto('lti_handoff')
    .values({
      code_hash: row.codeHash,
      user_id: row.userId,
      platform_id: row.platformId,
      target: row.target,
      notice: row.notice,
      created_at: row.now,
      expires_at: row.expiresAt,
      used_at: null,
    })
    .execute();
}

async function handoff(db: Db, codeHash: string) {
  return db.selectFrom('lti_handoff').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
}

async function insertDeepLinkRequest(
  db: Db,
  row: {
    tokenHash: string;
    platformId: number;
    deploymentId: string;
    returnUrl: string;
    data: string | null;
    acceptMultiple: boolean;
    now: Date;
    expiresAt: Date;
  },
) {
  await db
    .insertInto('lti_deep_link_request')
    .values({
      token_hash: row.tokenHash,
      platform_id: row.platformId,
      deployment_id: row.deploymentId,
      return_url: row.returnUrl,
      data: row.data,
      accept_multiple: row.acceptMultiple,
      created_at: row.now,
      expires_at: row.expiresAt,
      used_at: null,
    })
    .execute();
}

/** Forgets single-use rows a day after they expired (the worker's housekeeping). */
async function pruneExpired(db: Db, now: Date) {
  const before = new Date(now.getTime() - 24 * 3600 * 1000);
  for (const table of ['lti_login_state', 'lti_pending_link', 'lti_handoff', 'lti_deep_link_request'] as const)
    await db.deleteFrom(table).where('expires_at', '<', before).execute();
}

/** Takes a login state for its one use; undefined when it is unknown, used or expired (then `loginState` says which). */
const takeLoginState = (db: Db, stateHash: string, now: Date) => take(db, 'lti_login_state', stateHash, now);
const pendingLink = (db: Db, tokenHash: string, now: Date) => open(db, 'lti_pending_link', tokenHash, now);
const takePendingLink = (db: Db, tokenHash: string, now: Date) => take(db, 'lti_pending_link', tokenHash, now);
const takeHandoff = (db: Db, codeHash: string, now: Date) => take(db, 'lti_handoff', codeHash, now);
const deepLinkRequest = (db: Db, tokenHash: string, now: Date) => open(db, 'lti_deep_link_request', tokenHash, now);
const takeDeepLinkRequest = (db: Db, tokenHash: string, now: Date) => take(db, 'lti_deep_link_request', tokenHash, now);

export const launchRepository = Object.freeze({
  insertLoginState,
  takeLoginState,
  loginState,
  platformById,
  platformsByIssuer,
  hasDeployment,
  linkOf,
  linkOfUser,
  insertLink,
  touchLink,
  insertPendingLink,
  pendingLink,
  takePendingLink,
  insertHandoff,
  handoff,
  takeHandoff,
  insertDeepLinkRequest,
  deepLinkRequest,
  takeDeepLinkRequest,
  pruneExpired,
});
