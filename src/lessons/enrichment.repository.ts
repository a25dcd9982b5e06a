import type { Db } from '../db/database';
import { instant, read } from '../db/reads';
import type { EnrichmentKind } from './lesson-notes.tables';

/** A student's Enrichment log for a unit: web explorations and references (soft delete). */
function listRead(db: Db, userId: number, unitId: number) {
  const query = db
    .selectFrom('enrichment_entry')
    .select(['id', 'kind', 'title', 'url', 'citation', 'created_at'])
    .where('user_id', '=', userId)
    .where('unit_id', '=', unitId)
    .where('deleted_at', 'is', null)
    .orderBy('id');
  return read(query, (rows) => rows.map((r) => ({ ...r, created_at: instant(r.created_at) })));
}

async function insert(
  db: Db,
  row: { userId: number; unitId: number; kind: EnrichmentKind; title: string; url: string | null; citation: string | null; at: Date },
) {
  await db
    .insertInto('enrichment_entry')
    .values({
      user_id: row.userId,
      unit_id: row.unitId,
      kind: row.kind,
      title: row.title,
      url: row.url,
      citation: row.citation,
      created_at: row.at,
      deleted_at: null,
    })
    .execute();
}

/** Soft-deletes the student's own entry; returns false when there is no such entry of theirs. */
async function softDelete(db: Db, userId: number, unitId: number, entryId: number, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('enrichment_entry')
    .set({ deleted_at: at })
    .where('id', '=', entryId)
    .where('user_id', '=', userId)
    .where('unit_id', '=', unitId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export const enrichmentRepository = Object.freeze({ listRead, insert, softDelete });
