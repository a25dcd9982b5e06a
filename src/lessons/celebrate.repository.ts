import type { Db } from '../db/database';
import { instant, read } from '../db/reads';

/** Celebrate Success shares: shown to classmates on the lesson page, moderated by the instructor. */
export const SHARES_SHOWN = 50;

/**
 * The newest shares of a unit: visible ones, plus the reader's own hidden ones (marked), plus all
 * hidden ones for the instructor. Capped: a unit with 50,000 learners still renders one page.
 */
function listRead(db: Db, unitId: number, reader: { id: number; isInstructor: boolean }) {
  const query = db
    .selectFrom('celebrate_share as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select(['s.id', 's.user_id', 's.body', 's.created_at', 's.hidden_at', 'u.name as author'])
    .where('s.unit_id', '=', unitId)
    .where('s.deleted_at', 'is', null)
    .$if(!reader.isInstructor, (qb) => qb.where((eb) => eb.or([eb('s.hidden_at', 'is', null), eb('s.user_id', '=', reader.id)])))
    .orderBy('s.id', 'desc')
    .limit(SHARES_SHOWN);
  return read(query, (rows) => rows.map((r) => ({ ...r, created_at: instant(r.created_at), hidden_at: instant(r.hidden_at) })));
}

async function insert(db: Db, row: { userId: number; unitId: number; body: string; at: Date }) {
  await db
    .insertInto('celebrate_share')
    .values({ user_id: row.userId, unit_id: row.unitId, body: row.body, created_at: row.at, deleted_at: null, hidden_at: null, hidden_by: null })
    .execute();
}

async function softDeleteOwn(db: Db, userId: number, unitId: number, shareId: number, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('celebrate_share')
    .set({ deleted_at: at })
    .where('id', '=', shareId)
    .where('user_id', '=', userId)
    .where('unit_id', '=', unitId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Hides (moderation) or shows again a share of a unit; returns false when there is no such share. */
async function setHidden(db: Db, unitId: number, shareId: number, hide: boolean, by: number, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('celebrate_share')
    .set(hide ? { hidden_at: at, hidden_by: by } : { hidden_at: null, hidden_by: null })
    .where('id', '=', shareId)
    .where('unit_id', '=', unitId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** One Celebrate Success share as the lesson page lists it. */
export type Share = ReturnType<ReturnType<typeof listRead>['shape']>[number];

export const celebrateRepository = Object.freeze({ listRead, insert, softDeleteOwn, setHidden });
