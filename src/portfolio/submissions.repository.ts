import type { Db } from '../db/database';
import { answered, instant, read, type Read } from '../db/reads';
import { anyOf } from '../db/any';

/**
 * Portfolio submissions: append-only. Each keeps the frozen snapshot of the portfolio, the due
 * instant that applied to the student at that moment (extension included) and the late mark.
 */
export interface MissingItem {
  key: string;
  label: string;
}

export interface NewSubmission {
  userId: number;
  requirementId: number;
  submittedAt: Date;
  dueAt: Date;
  isLate: boolean;
  lateBySeconds: number;
  isComplete: boolean;
  missing: MissingItem[];
  snapshot: unknown;
}

/** What the gradebook and lists need about a submission (no snapshot). */
export interface SubmissionSummary {
  id: number;
  user_id: number;
  portfolio_requirement_id: number;
  submitted_at: Date;
  due_at: Date;
  is_late: boolean;
  late_by_seconds: number;
  is_complete: boolean;
  missing: unknown;
}

const summaryColumns = ['id', 'user_id', 'portfolio_requirement_id', 'submitted_at', 'due_at', 'is_late', 'late_by_seconds', 'is_complete', 'missing'] as const;

async function insert(db: Db, s: NewSubmission): Promise<number> {
  const { id } = await db
    .insertInto('portfolio_submission')
    .values({
      user_id: s.userId,
      portfolio_requirement_id: s.requirementId,
      submitted_at: s.submittedAt,
      due_at: s.dueAt,
      is_late: s.isLate,
      late_by_seconds: s.lateBySeconds,
      is_complete: s.isComplete,
      // jsonb: serialized here (node-postgres would send a JS array as a Postgres array).
      missing: JSON.stringify(s.missing),
      snapshot: JSON.stringify(s.snapshot),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** A student's submissions of one portfolio, newest first. */
function listForRead(db: Db, userId: number, requirementId: number): Read<SubmissionSummary[]> {
  const query = db
    .selectFrom('portfolio_submission')
    .select(summaryColumns)
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc');
  return read(query, (rows) => rows.map((r) => ({ ...r, submitted_at: instant(r.submitted_at), due_at: instant(r.due_at) })));
}

/** One submission with its snapshot (the caller checks who may read it). */
async function find(db: Db, submissionId: number) {
  return db
    .selectFrom('portfolio_submission as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select([...summaryColumns.map((c) => `s.${c}` as const), 's.snapshot', 'u.name as student_name', 'u.offering_id'])
    .where('s.id', '=', submissionId)
    .executeTakeFirst();
}

/** Each student's latest submission for each of the requirements: Map<"userId:requirementId", summary>. One query. */
function latestForEachRead(db: Db, userIds: number[], requirementIds: number[]): Read<Map<string, SubmissionSummary>> {
  if (userIds.length === 0 || requirementIds.length === 0) return answered(new Map());
  const query = db
    .selectFrom('portfolio_submission')
    .distinctOn(['user_id', 'portfolio_requirement_id'])
    .select(summaryColumns)
    .where('user_id', '=', anyOf([...new Set(userIds)]))
    .where('portfolio_requirement_id', '=', anyOf(requirementIds))
    .orderBy('user_id')
    .orderBy('portfolio_requirement_id')
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc');
  return read(
    query,
    (rows) =>
      new Map(rows.map((r) => [`${r.user_id}:${r.portfolio_requirement_id}`, { ...r, submitted_at: instant(r.submitted_at), due_at: instant(r.due_at) }])),
  );
}

/** Each student's latest submission per requirement (the class overview's columns). */
async function latestOfStudents(db: Db, userIds: number[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('portfolio_submission')
    .distinctOn(['user_id', 'portfolio_requirement_id'])
    .select(['user_id', 'portfolio_requirement_id', 'submitted_at', 'is_complete', 'is_late'])
    .where('user_id', '=', anyOf(userIds))
    .orderBy('user_id')
    .orderBy('portfolio_requirement_id')
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Every submission (no snapshot), as a subquery another feature correlates with its students (the gradebook's status filter). */
function submissions(db: Db) {
  return db.selectFrom('portfolio_submission').select(['id', 'user_id', 'portfolio_requirement_id', 'submitted_at', 'is_late']);
}

/** Each student's latest submission of each requirement: when, and whether complete (reminder emails). */
async function latestCompletenessOf(db: Db, userIds: number[], requirementIds: number[]) {
  return db
    .selectFrom('portfolio_submission')
    .select(['user_id', 'portfolio_requirement_id', 'submitted_at', 'is_complete'])
    .distinctOn(['user_id', 'portfolio_requirement_id'])
    .where('user_id', '=', anyOf(userIds))
    .where('portfolio_requirement_id', '=', anyOf(requirementIds))
    .orderBy('user_id')
    .orderBy('portfolio_requirement_id')
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * Late submissions (after the student's own due instant, extension included) made in [from, to)
 * by students of an offering, oldest first, with the student's name (the daily digest).
 */
async function lateSubmittedBetween(db: Db, offeringId: number, from: Date, to: Date) {
  return db
    .selectFrom('portfolio_submission as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select(['s.id', 's.user_id', 's.portfolio_requirement_id', 's.submitted_at', 's.due_at', 's.late_by_seconds', 's.is_complete', 'u.name as student_name'])
    .where('u.offering_id', '=', offeringId)
    .where('s.is_late', '=', true)
    .where('s.submitted_at', '>=', from)
    .where('s.submitted_at', '<', to)
    .orderBy('s.submitted_at')
    .orderBy('s.id')
    .execute();
}

export const submissionsRepository = Object.freeze({
  lateSubmittedBetween,
  latestCompletenessOf,
  submissions,
  insert,
  listForRead,
  find,
  latestForEachRead,
  latestOfStudents,
});
