import type { ExtensionStatus } from './portfolio-core.tables';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';
import { extensionRequestColumns as listColumns } from './extension-requests';

/**
 * Extension requests ("arrangements made in advance"). Rows are never deleted: a request that a
 * newer one replaces becomes 'withdrawn' (an approved one keeps its granted_due_on and decision;
 * only its granted_due_at is cleared, because only the approved row moves the deadline).
 */
export interface NewRequest {
  userId: number;
  requirementId: number;
  reason: string;
  proposedDueOn: string;
  requestedAt: Date;
  madeBeforeDue: boolean;
  /** Default 'student'; 'instructor' when the instructor grants one without a request. */
  initiatedBy?: 'student' | 'instructor';
}

async function insert(db: Db, r: NewRequest): Promise<number> {
  const { id } = await db
    .insertInto('extension_request')
    .values({
      user_id: r.userId,
      portfolio_requirement_id: r.requirementId,
      reason: r.reason,
      proposed_due_on: r.proposedDueOn,
      requested_at: r.requestedAt,
      made_before_due: r.madeBeforeDue,
      initiated_by: r.initiatedBy ?? 'student',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Marks the student's undecided requests for a portfolio withdrawn (a newer request replaces them). */
async function withdrawPending(db: Db, userId: number, requirementId: number): Promise<number> {
  const rows = await db
    .updateTable('extension_request')
    .set({ status: 'withdrawn' })
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .where('status', '=', 'pending')
    .returning('id')
    .execute();
  return rows.length;
}

/** Retires the student's approved extension for a portfolio (a newer approval supersedes it). */
async function supersedeApproved(db: Db, userId: number, requirementId: number): Promise<void> {
  await db
    .updateTable('extension_request')
    .set({ status: 'withdrawn', granted_due_at: null })
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .where('status', '=', 'approved')
    .execute();
}

/** Requests in an offering (optionally one status), pending first, then newest. */
async function listForOffering(db: Db, offeringId: number, status: ExtensionStatus | null) {
  return db
    .selectFrom('extension_request as x')
    .innerJoin('app_user as u', 'u.id', 'x.user_id')
    .leftJoin('section as s', 's.id', 'u.section_id')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'x.portfolio_requirement_id')
    .select([...listColumns, 'u.name as student_name', 'u.email as student_email', 's.code as section_code', 'pr.title as requirement_title'])
    .where('u.offering_id', '=', offeringId)
    .$if(status !== null, (qb) => qb.where('x.status', '=', status!))
    .orderBy((eb) => eb.case().when('x.status', '=', 'pending').then(0).else(1).end())
    .orderBy('x.requested_at', 'desc')
    .orderBy('x.id', 'desc')
    .execute();
}

/** One request of the offering with its student (FOR UPDATE when deciding). */
async function findInOffering(db: Db, offeringId: number, requestId: number, opts: { lock?: boolean } = {}) {
  return db
    .selectFrom('extension_request as x')
    .innerJoin('app_user as u', 'u.id', 'x.user_id')
    .leftJoin('section as s', 's.id', 'u.section_id')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'x.portfolio_requirement_id')
    .leftJoin('app_user as d', 'd.id', 'x.decided_by')
    .select([
      ...listColumns,
      'u.name as student_name',
      'u.email as student_email',
      'u.time_zone as student_zone',
      'u.date_language as student_date_language',
      's.code as section_code',
      'pr.title as requirement_title',
      'pr.due_on as original_due_on',
      'pr.due_at as original_due_at',
      'd.name as decided_by_name',
    ])
    .where('u.offering_id', '=', offeringId)
    .where('x.id', '=', requestId)
    .$if(!!opts.lock, (qb) => qb.forUpdate('x'))
    .executeTakeFirst();
}

async function decide(
  db: Db,
  requestId: number,
  d: { status: 'approved' | 'declined'; by: number; at: Date; message: string | null; grantedDueOn: string | null; grantedDueAt: Date | null },
): Promise<void> {
  await db
    .updateTable('extension_request')
    .set({ status: d.status, decided_by: d.by, decided_at: d.at, decision_message: d.message, granted_due_on: d.grantedDueOn, granted_due_at: d.grantedDueAt })
    .where('id', '=', requestId)
    .where('status', '=', 'pending')
    .execute();
}

/** Locks a student's requests for a portfolio, so two decisions for them run one at a time. */
async function lockStudentRequests(db: Db, userId: number, requirementId: number): Promise<void> {
  await db
    .selectFrom('extension_request')
    .select('id')
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .forUpdate()
    .execute();
}

/** Approved extensions of the students for any of the requirements: Map<"userId:requirementId", request>. One query. */
async function approvedForEach(db: Db, userIds: number[], requirementIds: number[]) {
  const rows =
    userIds.length && requirementIds.length
      ? await db
          .selectFrom('extension_request as x')
          .select(listColumns)
          .where('x.user_id', '=', anyOf([...new Set(userIds)]))
          .where('x.portfolio_requirement_id', '=', anyOf(requirementIds))
          .where('x.status', '=', 'approved')
          .execute()
      : [];
  return new Map(rows.map((r) => [`${r.user_id}:${r.portfolio_requirement_id}`, r]));
}

async function pendingCount(db: Db, offeringId: number): Promise<number> {
  const { n } = await db
    .selectFrom('extension_request as x')
    .innerJoin('app_user as u', 'u.id', 'x.user_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('u.offering_id', '=', offeringId)
    .where('x.status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Each student's latest extension request per requirement (withdrawn ones left out). */
async function latestOfStudents(db: Db, userIds: number[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('extension_request')
    .distinctOn(['user_id', 'portfolio_requirement_id'])
    .select(['user_id', 'portfolio_requirement_id', 'status', 'proposed_due_on', 'granted_due_on'])
    .where('user_id', '=', anyOf(userIds))
    .where('status', '<>', 'withdrawn')
    .orderBy('user_id')
    .orderBy('portfolio_requirement_id')
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Every extension request, as a subquery another feature correlates with its students (the gradebook's status filter). */
function requests(db: Db) {
  return db.selectFrom('extension_request').select(['id', 'user_id', 'portfolio_requirement_id', 'status']);
}

/**
 * The requests students made in [from, to) in an offering, oldest first, with the student and the
 * portfolio (the instructor's daily digest). Grants the instructor made without a request are not
 * requests, and one the student replaced since (withdrawn) is not news: its replacement is listed.
 */
async function requestedBetween(db: Db, offeringId: number, from: Date, to: Date) {
  return db
    .selectFrom('extension_request as x')
    .innerJoin('app_user as u', 'u.id', 'x.user_id')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'x.portfolio_requirement_id')
    .select([
      'x.id',
      'x.user_id',
      'x.proposed_due_on',
      'x.requested_at',
      'x.made_before_due',
      'x.status',
      'x.reason',
      'u.name as student_name',
      'pr.title as requirement_title',
    ])
    .where('u.offering_id', '=', offeringId)
    .where('x.initiated_by', '=', 'student')
    .where('x.status', '<>', 'withdrawn')
    .where('x.requested_at', '>=', from)
    .where('x.requested_at', '<', to)
    .orderBy('x.requested_at')
    .orderBy('x.id')
    .execute();
}

export const extensionRequestsRepository = Object.freeze({
  requestedBetween,
  requests,
  latestOfStudents,
  insert,
  withdrawPending,
  supersedeApproved,
  listForOffering,
  findInOffering,
  decide,
  lockStudentRequests,
  approvedForEach,
  pendingCount,
});
