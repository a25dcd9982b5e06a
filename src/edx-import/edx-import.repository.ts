import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { MappingSource } from './edx-import.tables';

/** Queries for the edX import: the log, edX accounts, the subsection mapping, scores and grades.
 * Per-unit progress lives in edx-progress.repository.ts. */
const CHUNK = 1000;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

async function course(db: Db, offeringId: number, edxCourseId: number) {
  return db.selectFrom('edx_course').select(['id', 'code', 'title']).where('id', '=', edxCourseId).where('offering_id', '=', offeringId).executeTakeFirst();
}

async function units(db: Db, edxCourseId: number) {
  return db.selectFrom('unit').select(['id', 'kind', 'lesson_number', 'title']).where('edx_course_id', '=', edxCourseId).orderBy('position').execute();
}

/** Everyone in the offering (students and staff), with their edX username when linked. */
async function people(db: Db, offeringId: number) {
  return db
    .selectFrom('app_user as u')
    .leftJoin('edx_account as a', 'a.user_id', 'u.id')
    .leftJoin('section as s', 's.id', 'u.section_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.deactivated_at', 's.code as section', 'a.username'])
    .where('u.offering_id', '=', offeringId)
    .orderBy('u.name')
    .orderBy('u.id')
    .execute();
}

async function insertImport(
  db: Db,
  row: {
    edxCourseId: number;
    importedBy: number;
    at: Date;
    fileName: string;
    learnerRows: number;
    matched: number;
    matchedByUsername: number;
    unmatched: number;
    subsectionColumns: number;
    unmatchedRows: unknown[];
  },
) {
  const inserted = await db
    .insertInto('edx_import')
    .values({
      edx_course_id: row.edxCourseId,
      imported_by: row.importedBy,
      imported_at: row.at,
      file_name: row.fileName,
      learner_rows: row.learnerRows,
      matched: row.matched,
      matched_by_username: row.matchedByUsername,
      unmatched: row.unmatched,
      subsection_columns: row.subsectionColumns,
      progress_rows: 0,
      unmatched_rows: JSON.stringify(row.unmatchedRows),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

async function setProgressRows(db: Db, importId: number, n: number) {
  await db.updateTable('edx_import').set({ progress_rows: n }).where('id', '=', importId).execute();
}

async function imports(db: Db, offeringId: number, limit: number) {
  return db
    .selectFrom('edx_import as i')
    .innerJoin('edx_course as c', 'c.id', 'i.edx_course_id')
    .innerJoin('app_user as u', 'u.id', 'i.imported_by')
    .selectAll('i')
    .select(['c.code as edx_code', 'u.name as imported_by_name'])
    .where('c.offering_id', '=', offeringId)
    .orderBy('i.imported_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
}

async function importById(db: Db, offeringId: number, importId: number) {
  return db
    .selectFrom('edx_import as i')
    .innerJoin('edx_course as c', 'c.id', 'i.edx_course_id')
    .innerJoin('app_user as u', 'u.id', 'i.imported_by')
    .selectAll('i')
    .select(['c.code as edx_code', 'c.title as edx_title', 'u.name as imported_by_name'])
    .where('c.offering_id', '=', offeringId)
    .where('i.id', '=', importId)
    .executeTakeFirst();
}

/** The latest import per edX course of the offering. */
async function latestImports(db: Db, offeringId: number) {
  return db
    .selectFrom('edx_import as i')
    .innerJoin('edx_course as c', 'c.id', 'i.edx_course_id')
    .select(['i.edx_course_id', (eb) => eb.fn.max('i.imported_at').as('imported_at')])
    .where('c.offering_id', '=', offeringId)
    .groupBy('i.edx_course_id')
    .execute();
}

async function mappings(db: Db, edxCourseId: number) {
  return db
    .selectFrom('edx_subsection_map')
    .selectAll()
    .where('edx_course_id', '=', edxCourseId)
    .orderBy('last_import_id', 'desc')
    .orderBy('position')
    .orderBy('id')
    .execute();
}

async function insertMappings(
  db: Db,
  rows: { edxCourseId: number; columnName: string; position: number; unitId: number | null; at: Date; importId: number }[],
) {
  if (rows.length === 0) return [];
  return db
    .insertInto('edx_subsection_map')
    .values(
      rows.map((r) => ({
        edx_course_id: r.edxCourseId,
        column_name: r.columnName,
        position: r.position,
        unit_id: r.unitId,
        source: 'guess' as const,
        updated_by: null,
        updated_at: r.at,
        last_import_id: r.importId,
      })),
    )
    .returning(['id', 'column_name'])
    .execute();
}

async function markSeen(db: Db, mapId: number, position: number, importId: number) {
  await db.updateTable('edx_subsection_map').set({ position, last_import_id: importId }).where('id', '=', mapId).execute();
}

async function setMapping(db: Db, mapId: number, unitId: number | null, source: MappingSource, by: number, at: Date) {
  await db.updateTable('edx_subsection_map').set({ unit_id: unitId, source, updated_by: by, updated_at: at }).where('id', '=', mapId).execute();
}

/** Stores (or moves) a student's edX username; the caller has checked no one else holds it. */
async function upsertAccount(db: Db, row: { userId: number; username: string; edxStudentId: string | null; at: Date; by: number | null }) {
  await db
    .insertInto('edx_account')
    .values({ user_id: row.userId, username: row.username, edx_student_id: row.edxStudentId, linked_at: row.at, linked_by: row.by })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({
        username: eb.ref('excluded.username'),
        edx_student_id: sql<string | null>`coalesce(excluded.edx_student_id, edx_account.edx_student_id)`,
        linked_at: eb.ref('excluded.linked_at'),
        linked_by: eb.ref('excluded.linked_by'),
      })),
    )
    .execute();
}

async function accountByUsername(db: Db, username: string) {
  return db
    .selectFrom('edx_account')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

async function upsertScores(db: Db, rows: { userId: number; mapId: number; score: number; attempted: boolean; importId: number }[]) {
  for (const part of chunks(rows)) {
    await db
      .insertInto('edx_subsection_score')
      .values(part.map((r) => ({ user_id: r.userId, subsection_map_id: r.mapId, score: r.score, attempted: r.attempted, import_id: r.importId })))
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'subsection_map_id'])
          .doUpdateSet((eb) => ({ score: eb.ref('excluded.score'), attempted: eb.ref('excluded.attempted'), import_id: eb.ref('excluded.import_id') })),
      )
      .execute();
  }
}

/** A subsection the latest report no longer has: its old scores no longer count. */
async function deleteScoresNotIn(db: Db, edxCourseId: number, importId: number) {
  await db
    .deleteFrom('edx_subsection_score')
    .where('subsection_map_id', 'in', (eb) =>
      eb.selectFrom('edx_subsection_map').select('id').where('edx_course_id', '=', edxCourseId).where('last_import_id', '<>', importId),
    )
    .execute();
}

async function upsertGrades(
  db: Db,
  rows: {
    userId: number;
    edxCourseId: number;
    grade: number;
    track: string;
    status: string;
    eligible: boolean | null;
    delivered: boolean | null;
    importId: number;
    at: Date;
  }[],
) {
  for (const part of chunks(rows)) {
    await db
      .insertInto('edx_course_grade')
      .values(
        part.map((r) => ({
          user_id: r.userId,
          edx_course_id: r.edxCourseId,
          grade: r.grade,
          enrollment_track: r.track,
          enrollment_status: r.status,
          certificate_eligible: r.eligible,
          certificate_delivered: r.delivered,
          import_id: r.importId,
          updated_at: r.at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['user_id', 'edx_course_id']).doUpdateSet((eb) => ({
          grade: eb.ref('excluded.grade'),
          enrollment_track: eb.ref('excluded.enrollment_track'),
          enrollment_status: eb.ref('excluded.enrollment_status'),
          certificate_eligible: eb.ref('excluded.certificate_eligible'),
          certificate_delivered: eb.ref('excluded.certificate_delivered'),
          import_id: eb.ref('excluded.import_id'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

export const edxImportRepository = Object.freeze({
  course,
  units,
  people,
  insertImport,
  setProgressRows,
  imports,
  importById,
  latestImports,
  mappings,
  insertMappings,
  markSeen,
  setMapping,
  upsertAccount,
  accountByUsername,
  upsertScores,
  deleteScoresNotIn,
  upsertGrades,
});
