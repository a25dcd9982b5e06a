import type { ActiveStudentIds } from '../accounts/users.repository';
import { anyOf } from '../db/any';
import { localDay } from '../db/local-day';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { instant, read } from '../db/reads';

function completionsRead(db: Db, userId: number, unitId: number) {
  const query = db.selectFrom('component_completion').select(['component_id', 'completed_at']).where('user_id', '=', userId).where('unit_id', '=', unitId);
  return read(query, (rows) => rows.map((r) => ({ component_id: r.component_id, completed_at: instant(r.completed_at) })));
}

/** Components done per unit, for every unit of the offering (one query). */
async function completionCounts(db: Db, userId: number, offeringId: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('component_completion as cc')
    .innerJoin('unit as u', 'u.id', 'cc.unit_id')
    .innerJoin('edx_course as c', 'c.id', 'u.edx_course_id')
    .select(['cc.unit_id', (eb) => eb.fn.countAll<number>().as('done')])
    .where('cc.user_id', '=', userId)
    .where('c.offering_id', '=', offeringId)
    .groupBy('cc.unit_id')
    .execute();
  return new Map(rows.map((r) => [r.unit_id, Number(r.done)]));
}

async function markDone(db: Db, userId: number, unitId: number, componentId: number, at: Date): Promise<void> {
  await db
    .insertInto('component_completion')
    .values({ user_id: userId, unit_id: unitId, component_id: componentId, completed_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'unit_id', 'component_id']).doNothing())
    .execute();
}

async function markNotDone(db: Db, userId: number, unitId: number, componentId: number): Promise<void> {
  await db.deleteFrom('component_completion').where('user_id', '=', userId).where('unit_id', '=', unitId).where('component_id', '=', componentId).execute();
}

/** The current Learning Check (latest row) and how many times it was saved. */
async function latestLearningCheck(db: Db, userId: number, unitId: number) {
  return db
    .selectFrom('learning_check_response')
    .select(['id', 'understanding', 'strengths', 'weaknesses', 'submitted_at', sql<number>`count(*) over ()`.as('saves')])
    .where('user_id', '=', userId)
    .where('unit_id', '=', unitId)
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function insertLearningCheck(db: Db, row: { userId: number; unitId: number; understanding: string; strengths: string; weaknesses: string; at: Date }) {
  await db
    .insertInto('learning_check_response')
    .values({
      user_id: row.userId,
      unit_id: row.unitId,
      understanding: row.understanding,
      strengths: row.strengths,
      weaknesses: row.weaknesses,
      submitted_at: row.at,
    })
    .execute();
}

/** The current private note (latest row) and how many times it was saved. */
async function latestNote(db: Db, userId: number, unitId: number) {
  return db
    .selectFrom('lesson_note')
    .select(['body', 'created_at', sql<number>`count(*) over ()`.as('saves')])
    .where('user_id', '=', userId)
    .where('unit_id', '=', unitId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function insertNote(db: Db, row: { userId: number; unitId: number; body: string; at: Date }) {
  await db.insertInto('lesson_note').values({ user_id: row.userId, unit_id: row.unitId, body: row.body, created_at: row.at }).execute();
}

async function student(db: Db, offeringId: number, userId: number) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'time_zone'])
    .where('id', '=', userId)
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'student')
    .executeTakeFirst();
}

/** When each student completed each lesson (run charts): the moment of its last component, if all are done. */
async function lessonCompleteAt(db: Db, studentIds: number[], lessonUnitIds: number[], componentCount: number) {
  if (!studentIds.length || !lessonUnitIds.length || componentCount === 0) return [];
  const rows = await db
    .selectFrom('component_completion')
    .select(['user_id', 'unit_id', (eb) => eb.fn.max('completed_at').as('at')])
    .where('user_id', '=', anyOf(studentIds))
    .where('unit_id', '=', anyOf(lessonUnitIds))
    .groupBy(['user_id', 'unit_id'])
    .having((eb) => eb.fn.countAll(), '>=', componentCount)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, unitId: r.unit_id, at: new Date(r.at as unknown as string | Date) }));
}

/** Components the students marked done, per local day (run charts). */
async function completionsPerDay(db: Db, students: ActiveStudentIds, zone: string) {
  const rows = await db
    .selectFrom('component_completion as cc')
    .select([localDay('cc.completed_at', zone).as('on'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('cc.user_id', 'in', students)
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ on: r.on, n: Number(r.n) }));
}

const literalIds = (list: number[]) => sql.join(list.map((id) => sql.lit(id)));

/**
 * Raw SQL fragments the class overview composes into its one statement (each a complete SELECT):
 * lessons (of `unitIds`) each student completed; components done per student; and the last
 * component marked done and the last Learning Check saved per student (of `userIds`, or everyone).
 */
function unitsCompletedSql(unitIds: number[], componentCount: number) {
  return sql<{ user_id: number; unit_id: number }>`select user_id, unit_id from component_completion where unit_id in (${literalIds(unitIds)})
      group by user_id, unit_id having count(*) >= ${sql.lit(componentCount)}`;
}

function componentsDoneSql(unitIds: number[]) {
  return sql<{
    user_id: number;
    n: number;
  }>`select user_id, count(*) as n from component_completion where unit_id in (${literalIds(unitIds)}) group by user_id`;
}

function lastCompletionSql(userIds: number[] | null) {
  return sql<{
    user_id: number;
    at: Date;
  }>`select user_id, max(completed_at) as at from component_completion ${userIds ? sql`where user_id = any(${userIds})` : sql``} group by user_id`;
}

function lastLearningCheckSql(userIds: number[] | null) {
  return sql<{
    user_id: number;
    at: Date;
  }>`select user_id, max(submitted_at) as at from learning_check_response ${userIds ? sql`where user_id = any(${userIds})` : sql``} group by user_id`;
}

/** Every Learning Check response, as a subquery the design team's insights join to the roster (one statement each). */
function learningCheckResponses(db: Db) {
  return db.selectFrom('learning_check_response').select(['id', 'user_id', 'unit_id', 'understanding', 'strengths', 'weaknesses', 'submitted_at']);
}

export const lessonsRepository = Object.freeze({
  learningCheckResponses,
  unitsCompletedSql,
  componentsDoneSql,
  lastCompletionSql,
  lastLearningCheckSql,
  lessonCompleteAt,
  completionsPerDay,
  completionsRead,
  completionCounts,
  markDone,
  markNotDone,
  latestLearningCheck,
  insertLearningCheck,
  latestNote,
  insertNote,
  student,
});
