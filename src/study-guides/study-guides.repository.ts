import { sql } from 'kysely';
import type { ActiveStudentIds } from '../accounts/users.repository';
import { anyOf } from '../db/any';
import { localDay } from '../db/local-day';
import type { Db } from '../db/database';

/** Study guides: one per student per lesson; every save is a new study_guide_version. */
async function findByUserUnit(db: Db, userId: number, unitId: number) {
  return db.selectFrom('study_guide').selectAll().where('user_id', '=', userId).where('unit_id', '=', unitId).executeTakeFirst();
}

async function findById(db: Db, guideId: number) {
  return db
    .selectFrom('study_guide as g')
    .innerJoin('unit as u', 'u.id', 'g.unit_id')
    .innerJoin('edx_course as c', 'c.id', 'u.edx_course_id')
    .innerJoin('app_user as a', 'a.id', 'g.user_id')
    .select(['g.id', 'g.user_id', 'g.unit_id', 'g.deleted_at', 'u.title as unit_title', 'u.lesson_number', 'c.code as edx_code', 'a.name as owner_name'])
    .where('g.id', '=', guideId)
    .executeTakeFirst();
}

/** Creates the guide on first save, un-deletes it on a later save, and locks it for numbering. */
async function upsertForSave(db: Db, userId: number, unitId: number, at: Date): Promise<number> {
  const { id } = await db
    .insertInto('study_guide')
    .values({ user_id: userId, unit_id: unitId, created_at: at, deleted_at: null })
    .onConflict((oc) => oc.columns(['user_id', 'unit_id']).doUpdateSet({ deleted_at: null }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function latestVersion(db: Db, guideId: number) {
  return db
    .selectFrom('study_guide_version')
    .select(['id', 'version_no', 'body_md', 'attachment_id', 'created_at'])
    .where('study_guide_id', '=', guideId)
    .orderBy('version_no', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function insertVersion(db: Db, row: { guideId: number; versionNo: number; body: string; attachmentId: number | null; at: Date }) {
  await db
    .insertInto('study_guide_version')
    .values({ study_guide_id: row.guideId, version_no: row.versionNo, body_md: row.body, attachment_id: row.attachmentId, created_at: row.at })
    .execute();
}

async function versions(db: Db, guideId: number) {
  return db
    .selectFrom('study_guide_version')
    .select(['id', 'version_no', 'attachment_id', 'created_at', (eb) => eb.fn<number>('length', ['body_md']).as('chars')])
    .where('study_guide_id', '=', guideId)
    .orderBy('version_no', 'desc')
    .execute();
}

async function version(db: Db, guideId: number, versionNo: number) {
  return db
    .selectFrom('study_guide_version')
    .select(['id', 'version_no', 'body_md', 'attachment_id', 'created_at'])
    .where('study_guide_id', '=', guideId)
    .where('version_no', '=', versionNo)
    .executeTakeFirst();
}

async function setDeleted(db: Db, guideId: number, deletedAt: Date | null): Promise<void> {
  await db.updateTable('study_guide').set({ deleted_at: deletedAt }).where('id', '=', guideId).execute();
}

/** Study guides by the day their first version was saved (run charts). */
async function firstVersionsPerDay(db: Db, students: ActiveStudentIds, zone: string) {
  const rows = await db
    .selectFrom('study_guide_version as v')
    .innerJoin('study_guide as g', 'g.id', 'v.study_guide_id')
    .select([localDay('v.created_at', zone).as('on'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('v.version_no', '=', 1)
    .where('g.user_id', 'in', students)
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ on: r.on, n: Number(r.n) }));
}

/** Per student and unit, when their study guide (not deleted) first had a version (run charts' portfolio items). */
async function firstSavedOfEach(db: Db, students: ActiveStudentIds, unitIds: number[]) {
  return db
    .selectFrom('study_guide as g')
    .innerJoin('study_guide_version as v', 'v.study_guide_id', 'g.id')
    .select(['g.user_id', (eb) => eb.fn.min('v.created_at').as('at')])
    .where('g.deleted_at', 'is', null)
    .where('g.unit_id', '=', anyOf(unitIds))
    .where('g.user_id', 'in', students)
    .groupBy(['g.user_id', 'g.unit_id'])
    .execute();
}

/** The latest version id of each student's study guide (not deleted) per unit, as a query the portfolio checklist unions with its own items. */
function currentVersionIds(db: Db, userIds: number[], unitIds: number[]) {
  return db
    .selectFrom('study_guide as g')
    .innerJoin('study_guide_version as v', 'v.study_guide_id', 'g.id')
    .select(['g.user_id', 'g.unit_id as key_id', (eb) => eb.fn.max('v.id').as('version_id')])
    .where('g.user_id', '=', anyOf(userIds))
    .where('g.unit_id', '=', anyOf(unitIds))
    .where('g.deleted_at', 'is', null)
    .groupBy(['g.user_id', 'g.unit_id']);
}

/** Study guide versions by id (a portfolio snapshot copies them). */
async function versionsByIds(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db.selectFrom('study_guide_version').select(['id', 'version_no', 'body_md', 'attachment_id', 'created_at']).where('id', '=', anyOf(ids)).execute();
}

/** Raw SQL (a complete SELECT) the class overview composes: each student's last saved study guide version (of `userIds`, or everyone). */
function lastVersionSql(userIds: number[] | null) {
  return sql<{
    user_id: number;
    at: Date;
  }>`select g.user_id, max(v.created_at) as at from study_guide g join study_guide_version v on v.study_guide_id = g.id ${userIds ? sql`where g.user_id = any(${userIds})` : sql``} group by g.user_id`;
}

export const studyGuidesRepository = Object.freeze({
  lastVersionSql,
  versionsByIds,
  currentVersionIds,
  firstVersionsPerDay,
  firstSavedOfEach,
  findByUserUnit,
  findById,
  upsertForSave,
  latestVersion,
  insertVersion,
  versions,
  version,
  setDeleted,
});
