import type { ActiveStudentIds } from '../accounts/users.repository';
import type { Db } from '../db/database';
import { instant, read } from '../db/reads';

/** The personal reflection on a course: one per student per portfolio; every save is a version. */
async function find(db: Db, userId: number, requirementId: number) {
  return db
    .selectFrom('portfolio_reflection')
    .select(['id', 'created_at'])
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .executeTakeFirst();
}

/** Creates the reflection on first save; on a later save the no-op update locks its row, so
 * two saves at once get consecutive version numbers. */
async function upsertForSave(db: Db, userId: number, requirementId: number, at: Date): Promise<number> {
  const { id } = await db
    .insertInto('portfolio_reflection')
    .values({ user_id: userId, portfolio_requirement_id: requirementId, created_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'portfolio_requirement_id']).doUpdateSet((eb) => ({ created_at: eb.ref('portfolio_reflection.created_at') })))
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function latestVersion(db: Db, reflectionId: number) {
  return db
    .selectFrom('portfolio_reflection_version')
    .select(['id', 'version_no', 'body_md', 'created_at'])
    .where('reflection_id', '=', reflectionId)
    .orderBy('version_no', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function insertVersion(db: Db, row: { reflectionId: number; versionNo: number; body: string; at: Date }): Promise<number> {
  const { id } = await db
    .insertInto('portfolio_reflection_version')
    .values({ reflection_id: row.reflectionId, version_no: row.versionNo, body_md: row.body, created_at: row.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Every version, newest first. */
async function versions(db: Db, reflectionId: number) {
  return db
    .selectFrom('portfolio_reflection_version')
    .select(['id', 'version_no', 'body_md', 'created_at'])
    .where('reflection_id', '=', reflectionId)
    .orderBy('version_no', 'desc')
    .execute();
}

/** Every version of the student's reflection on a portfolio, newest first (none without a reflection). */
function versionsOfRead(db: Db, userId: number, requirementId: number) {
  const query = db
    .selectFrom('portfolio_reflection as r')
    .innerJoin('portfolio_reflection_version as v', 'v.reflection_id', 'r.id')
    .select(['v.id', 'v.version_no', 'v.body_md', 'v.created_at'])
    .where('r.user_id', '=', userId)
    .where('r.portfolio_requirement_id', '=', requirementId)
    .orderBy('v.version_no', 'desc');
  return read(query, (rows) => rows.map((r) => ({ ...r, created_at: instant(r.created_at) })));
}

/** Per student, when their reflection on the portfolio first had a non-empty version (run charts' portfolio items). */
async function firstWrittenOfEach(db: Db, students: ActiveStudentIds, requirementId: number) {
  return db
    .selectFrom('portfolio_reflection as r')
    .innerJoin('portfolio_reflection_version as v', 'v.reflection_id', 'r.id')
    .select(['r.user_id', (eb) => eb.fn.min('v.created_at').as('at')])
    .where('r.portfolio_requirement_id', '=', requirementId)
    .where('v.body_md', '<>', '')
    .where('r.user_id', 'in', students)
    .groupBy('r.user_id')
    .execute();
}

export const reflectionsRepository = Object.freeze({ firstWrittenOfEach, find, upsertForSave, latestVersion, insertVersion, versions, versionsOfRead });
