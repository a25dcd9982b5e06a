import type { Selectable } from 'kysely';
import type { Db } from '../db/database';
import type { GradeTable, SU } from './grading.tables';
import { anyOf } from '../db/any';
import { answered, instant, read } from '../db/reads';

/**
 * Grades (one current row per student and portfolio) and their append-only audit log. A grade
 * is only ever written together with its grade_event, in the instructor's transaction.
 */
const gradeColumns = ['id', 'user_id', 'portfolio_requirement_id', 'portfolio_submission_id', 'grade', 'feedback', 'graded_by', 'graded_at'] as const;

/** The current grade, locked for the change about to be made. */
async function currentForUpdate(db: Db, userId: number, requirementId: number) {
  return db
    .selectFrom('grade')
    .select(gradeColumns)
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .forUpdate()
    .executeTakeFirst();
}

/** Inserts the first grade; undefined when another transaction inserted it first. */
async function insertIfAbsent(db: Db, g: { userId: number; requirementId: number; submissionId: number; grade: SU; feedback: string; by: number; at: Date }) {
  const row = await db
    .insertInto('grade')
    .values({
      user_id: g.userId,
      portfolio_requirement_id: g.requirementId,
      portfolio_submission_id: g.submissionId,
      grade: g.grade,
      feedback: g.feedback,
      graded_by: g.by,
      graded_at: g.at,
    })
    .onConflict((oc) => oc.columns(['user_id', 'portfolio_requirement_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

async function update(db: Db, gradeId: number, g: { submissionId: number; grade: SU; feedback: string; by: number; at: Date }): Promise<void> {
  await db
    .updateTable('grade')
    .set({ portfolio_submission_id: g.submissionId, grade: g.grade, feedback: g.feedback, graded_by: g.by, graded_at: g.at })
    .where('id', '=', gradeId)
    .execute();
}

async function insertEvent(
  db: Db,
  e: {
    gradeId: number;
    userId: number;
    requirementId: number;
    submissionId: number;
    actorId: number;
    at: Date;
    oldGrade: SU | null;
    newGrade: SU;
    oldFeedback: string | null;
    feedback: string;
  },
): Promise<number> {
  const { id } = await db
    .insertInto('grade_event')
    .values({
      grade_id: e.gradeId,
      user_id: e.userId,
      portfolio_requirement_id: e.requirementId,
      portfolio_submission_id: e.submissionId,
      actor_id: e.actorId,
      at: e.at,
      old_grade: e.oldGrade,
      new_grade: e.newGrade,
      old_feedback: e.oldFeedback,
      feedback: e.feedback,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** A student's current grade for a portfolio (with the grader's name). */
async function currentOf(db: Db, userId: number, requirementId: number) {
  return db
    .selectFrom('grade as g')
    .innerJoin('app_user as a', 'a.id', 'g.graded_by')
    .select([...gradeColumns.map((c) => `g.${c}` as const), 'a.name as graded_by_name'])
    .where('g.user_id', '=', userId)
    .where('g.portfolio_requirement_id', '=', requirementId)
    .executeTakeFirst();
}

/** Batched: every current grade of these students. */
/** The current grades of these students (all portfolios), as a read to run with a page's others. */
function gradesForRead(db: Db, userIds: number[]) {
  if (!userIds.length) return answered<GradeRow[]>([]);
  const query = db
    .selectFrom('grade')
    .select(gradeColumns)
    .where('user_id', '=', anyOf([...new Set(userIds)]));
  return read(query, (rows): GradeRow[] => rows.map((r) => ({ ...r, graded_at: instant(r.graded_at) })));
}

export type GradeRow = Omit<Selectable<GradeTable>, 'graded_at'> & { graded_at: Date };

/** Batched: the audit log of these students (all portfolios), oldest first, with who made each change. */
async function eventsFor(db: Db, userIds: number[], requirementId: number | null = null) {
  if (!userIds.length) return [];
  return db
    .selectFrom('grade_event as e')
    .innerJoin('app_user as a', 'a.id', 'e.actor_id')
    .select([
      'e.id',
      'e.user_id',
      'e.portfolio_requirement_id',
      'e.portfolio_submission_id',
      'e.at',
      'e.old_grade',
      'e.new_grade',
      'e.old_feedback',
      'e.feedback',
      'a.name as actor_name',
    ])
    .where('e.user_id', '=', anyOf([...new Set(userIds)]))
    .$if(requirementId !== null, (qb) => qb.where('e.portfolio_requirement_id', '=', requirementId!))
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
}

/** The latest grade change for a student's portfolio: its id is the grade's version token. */
async function latestEvent(db: Db, userId: number, requirementId: number) {
  return db
    .selectFrom('grade_event as e')
    .innerJoin('app_user as a', 'a.id', 'e.actor_id')
    .select(['e.id', 'e.at', 'a.name as actor_name'])
    .where('e.user_id', '=', userId)
    .where('e.portfolio_requirement_id', '=', requirementId)
    .orderBy('e.id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export const gradingRepository = Object.freeze({
  latestEvent,
  currentForUpdate,
  insertIfAbsent,
  update,
  insertEvent,
  currentOf,
  gradesForRead,
  eventsFor,
});
