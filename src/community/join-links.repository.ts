import type { Db } from '../db/database';

/** join_link: the instructor's invitations to the community (migration 0220). */
async function insert(db: Db, row: { offeringId: number; code: string; label: string; by: number; at: Date; expiresAt: Date | null; maxUses: number | null }) {
  return db
    .insertInto('join_link')
    .values({
      offering_id: row.offeringId,
      code: row.code,
      label: row.label,
      created_by: row.by,
      created_at: row.at,
      expires_at: row.expiresAt,
      max_uses: row.maxUses,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The offering's links, newest first (the roster page lists them all: an instructor makes a handful). */
async function listFor(db: Db, offeringId: number) {
  return db.selectFrom('join_link').selectAll().where('offering_id', '=', offeringId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

async function byCode(db: Db, code: string) {
  return db.selectFrom('join_link').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Locks the link for the rest of the transaction: confirmations taking its last use serialize on it. */
async function lock(db: Db, id: number) {
  return db.selectFrom('join_link').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

async function revoke(db: Db, offeringId: number, id: number, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('join_link')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('offering_id', '=', offeringId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

async function exists(db: Db, offeringId: number, id: number): Promise<boolean> {
  return !!(await db.selectFrom('join_link').select('id').where('id', '=', id).where('offering_id', '=', offeringId).executeTakeFirst());
}

async function countUse(db: Db, id: number): Promise<void> {
  await db
    .updateTable('join_link')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export const joinLinksRepository = Object.freeze({ insert, listFor, byCode, lock, revoke, exists, countUse });
