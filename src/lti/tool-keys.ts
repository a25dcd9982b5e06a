import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../db/database';
import { lockName } from '../db/locks';
import { inTransaction } from '../db/transaction';
import { Invalid } from '../errors';

/**
 * The tool's own RS256 key pair (issue 18): made once, on first need, and kept in the database so
 * every app instance signs with the same key and a restart changes nothing; two instances asking at
 * once make one (a name lock). `kid` is the public key's RFC 7638 thumbprint. Rotation: a new key
 * can be added; a retired one (`retired_at`) stays published until platforms no longer need it.
 * The JWK Set at /lti/jwks publishes the public halves only.
 */
export interface ToolKey {
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

async function active(db: Db): Promise<ToolKey | undefined> {
  const row = await db.selectFrom('lti_tool_key').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid').executeTakeFirst();
  return row ? { kid: row.kid, publicJwk: row.public_jwk as JWK, privateJwk: row.private_jwk as JWK } : undefined;
}

/** The key the tool signs with now, made if there is none. */
export async function currentToolKey(db: Db, now: Date): Promise<ToolKey> {
  const key = await active(db);
  if (key) return key;
  return inTransaction(db, async (trx) => {
    await lockName(trx, 'lti-tool-key');
    return (await active(trx)) ?? addToolKey(trx, now);
  });
}

/** Adds a new signing key (the first one, or a rotation: the previous stays published until retired). */
export async function addToolKey(db: Db, now: Date): Promise<ToolKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const key: ToolKey = { kid, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' }, privateJwk: { ...privateJwk, kid, alg: 'RS256' } };
  await db
    .insertInto('lti_tool_key')
    .values({
      kid,
      public_jwk: key.publicJwk as Record<string, unknown>,
      private_jwk: key.privateJwk as Record<string, unknown>,
      created_at: now,
      retired_at: null,
    })
    .execute();
  return key;
}

/** The tool's JWK Set: the public half of every key not retired, newest first. */
export async function toolJwks(db: Db, now: Date): Promise<{ keys: JWK[] }> {
  await currentToolKey(db, now);
  const rows = await db.selectFrom('lti_tool_key').select('public_jwk').where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid').execute();
  return { keys: rows.map((r) => r.public_jwk as JWK) };
}

/** Every key, newest first, for `npm run lti:keys -- list`. */
export async function toolKeys(db: Db) {
  return db.selectFrom('lti_tool_key').select(['kid', 'created_at', 'retired_at']).orderBy('created_at', 'desc').orderBy('kid').execute();
}

/**
 * Retires a key: it is no longer published, so nothing it signed verifies any more. Retire the old
 * key only once platforms have fetched the new one (they cache JWK Sets). The key the tool signs
 * with now cannot be retired.
 */
export async function retireToolKey(db: Db, kid: string, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockName(trx, 'lti-tool-key');
    const signing = await active(trx);
    const row = await trx.selectFrom('lti_tool_key').select(['kid', 'retired_at']).where('kid', '=', kid).executeTakeFirst();
    if (!row) throw new Invalid(`There is no tool key ${kid}.`);
    if (row.retired_at) throw new Invalid(`Key ${kid} is already retired.`);
    if (signing?.kid === kid) throw new Invalid(`Key ${kid} is the one the tool signs with: rotate first (npm run lti:keys -- rotate), then retire it.`);
    await trx.updateTable('lti_tool_key').set({ retired_at: now }).where('kid', '=', kid).execute();
  });
}
