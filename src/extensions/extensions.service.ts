import { readOne } from '../db/reads';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { Conflict, Invalid, NotFound } from '../errors';
import { portfolioService } from '../portfolio/portfolio.service';
import { extensionRequestsRead, requestView } from '../portfolio/extension-requests';
import type { ExtensionStatus } from '../portfolio/portfolio-core.tables';
import { addDays, endOfLocalDay, formatDeadline, formatLocalDate, localDateOf } from '../time';
import { notifyExtensionDecision } from './decision-email';
import { extensionRequestsRepository as repo } from '../portfolio/extension-requests.repository';
import { rosterRepository } from '../roster/roster.repository';
import type { DecisionInput, GrantInput, RequestInput } from './extensions.schemas';

/**
 * Extensions: "unless arrangements are made in advance, late work risks receiving no credit".
 * A student asks for a later due date with a reason; the request records whether it came before
 * the student's due instant (their own, extension included). The instructor approves (possibly
 * with another date) or declines with a message, and the student is emailed. An approved
 * extension is read by deadlinesFor, so it moves the due date on every page, in the calendar
 * feed, in reminders and in late marking. A newer request replaces an undecided one; a newer
 * approval supersedes the previous one (both kept as 'withdrawn').
 */
export const MAX_EXTENSION_DAYS = 120;

export interface Actor {
  id: number;
  offeringId: number;
}

const deadlineOf = portfolioService.deadlineOf;

/** A proposed or granted date must be a later day than `after`, not in the past, and within the limit. */
function checkDate(on: string, rules: { after: string; afterText: string; today: string; originalDueOn: string }): string | null {
  if (on < rules.today) return `That date has passed: choose ${formatLocalDate(rules.today)} or later.`;
  if (on <= rules.after) return `Choose a date after ${rules.afterText}, ${formatLocalDate(rules.after)}.`;
  const latest = addDays(rules.originalDueOn, MAX_EXTENSION_DAYS);
  if (on > latest) return `Choose a date no later than ${formatLocalDate(latest)} (${MAX_EXTENSION_DAYS} days after the original due date).`;
  return null;
}

async function requestPage(db: Db, student: Actor, requirementId: number, zone: string, now: Date) {
  const [d, offering] = await Promise.all([deadlineOf(db, student, requirementId), courseRepository.offering(db, student.offeringId)]);
  const requests = await readOne(db, extensionRequestsRead.listForStudent(db, student.id, requirementId));
  return {
    requirement: { id: d.requirementId, title: d.title, edxCode: d.edxCode },
    due: {
      when: formatDeadline(d.dueAt, zone),
      on: formatLocalDate(d.dueOn),
      extended: d.extended,
      originalWhen: formatDeadline(d.originalDueAt, zone),
      passed: now.getTime() >= d.dueAt.getTime(),
    },
    requests: requests.map((r) => requestView(r, zone)),
    hasPending: requests.some((r) => r.status === 'pending'),
    courseZone: offering.time_zone,
    earliestOn: addDays(d.dueOn, 1) > localDateOf(now, offering.time_zone) ? addDays(d.dueOn, 1) : localDateOf(now, offering.time_zone),
  };
}

export interface RequestResult {
  madeBeforeDue: boolean;
  replacedPending: number;
}

async function request(trx: Db, student: Actor, requirementId: number, input: RequestInput, now: Date): Promise<RequestResult> {
  const [d, offering] = await Promise.all([deadlineOf(trx, student, requirementId), courseRepository.offering(trx, student.offeringId)]);
  const problem = checkDate(input.proposed_due_on, {
    after: d.dueOn,
    afterText: 'your current due date',
    today: localDateOf(now, offering.time_zone),
    originalDueOn: d.originalDueOn,
  });
  if (problem) throw new Invalid(problem, { proposedDueOn: problem });
  await repo.lockStudentRequests(trx, student.id, requirementId);
  const replacedPending = await repo.withdrawPending(trx, student.id, requirementId);
  const madeBeforeDue = now.getTime() < d.dueAt.getTime();
  await repo.insert(trx, { userId: student.id, requirementId, reason: input.reason, proposedDueOn: input.proposed_due_on, requestedAt: now, madeBeforeDue });
  return { madeBeforeDue, replacedPending };
}

async function list(db: Db, instructor: Actor, status: ExtensionStatus | 'all', zone: string) {
  const [rows, pending] = await Promise.all([
    repo.listForOffering(db, instructor.offeringId, status === 'all' ? null : status),
    repo.pendingCount(db, instructor.offeringId),
  ]);
  return {
    pending,
    requests: rows.map((r) => ({
      ...requestView(r, zone),
      student: r.student_name,
      section: r.section_code,
      portfolio: r.requirement_title,
      url: `/instructor/extensions/${r.id}`,
    })),
  };
}

async function find(db: Db, instructor: Actor, requestId: number, opts: { lock?: boolean } = {}) {
  const x = await repo.findInOffering(db, instructor.offeringId, requestId, opts);
  if (!x) throw new NotFound('There is no such extension request.');
  return x;
}

async function detail(db: Db, instructor: Actor, requestId: number, zone: string) {
  const x = await find(db, instructor, requestId);
  const current = await deadlineOf(db, { id: x.user_id, offeringId: instructor.offeringId }, x.portfolio_requirement_id);
  return {
    request: {
      ...requestView(x, zone),
      student: x.student_name,
      studentEmail: x.student_email,
      section: x.section_code,
      portfolio: x.requirement_title,
      originalDue: formatDeadline(x.original_due_at, zone),
      currentDue: formatDeadline(current.dueAt, zone),
      currentlyExtended: current.extended,
      portfolioUrl: `/instructor/students/${x.user_id}/portfolios/${x.portfolio_requirement_id}`,
    },
    canDecide: x.status === 'pending',
    defaults: { decision: 'approve', grantedDueOn: x.proposed_due_on, message: '' },
  };
}

export interface DecisionResult {
  status: 'approved' | 'declined';
  student: string;
}

async function decide(trx: Db, instructor: Actor, requestId: number, input: DecisionInput, now: Date, baseUrl: string): Promise<DecisionResult> {
  const x = await find(trx, instructor, requestId, { lock: true });
  if (x.status !== 'pending') throw new Conflict('This request was already decided or replaced by a newer one; nothing was changed.');
  const offering = await courseRepository.offering(trx, instructor.offeringId);
  const message = input.message || null;
  if (input.decision === 'approve') {
    const on = input.granted_due_on;
    const problem = checkDate(on, {
      after: x.original_due_on,
      afterText: 'the original due date',
      today: localDateOf(now, offering.time_zone),
      originalDueOn: x.original_due_on,
    });
    if (problem) throw new Invalid(problem, { grantedDueOn: problem });
    await repo.lockStudentRequests(trx, x.user_id, x.portfolio_requirement_id);
    await repo.supersedeApproved(trx, x.user_id, x.portfolio_requirement_id);
    await repo.decide(trx, x.id, {
      status: 'approved',
      by: instructor.id,
      at: now,
      message,
      grantedDueOn: on,
      grantedDueAt: endOfLocalDay(on, offering.time_zone),
    });
  } else {
    await repo.decide(trx, x.id, { status: 'declined', by: instructor.id, at: now, message, grantedDueOn: null, grantedDueAt: null });
  }
  const due = await deadlineOf(trx, { id: x.user_id, offeringId: instructor.offeringId }, x.portfolio_requirement_id);
  await notifyExtensionDecision(trx, {
    requestId: x.id,
    approved: input.decision === 'approve',
    student: { id: x.user_id, name: x.student_name, email: x.student_email, zone: x.student_zone, dateLanguage: x.student_date_language },
    offering,
    portfolio: x.requirement_title,
    due,
    message,
    baseUrl,
    now,
  });
  return { status: input.decision === 'approve' ? 'approved' : 'declined', student: x.student_name };
}

/** The grant form: the offering's active students and portfolios (one preselected from a gradebook row). */
async function grantPage(db: Db, instructor: Actor, chosen: { student: number | null; portfolio: number | null }) {
  const [students, requirements] = await Promise.all([
    rosterRepository.listStudents(db, instructor.offeringId),
    courseRepository.portfolioRequirements(db, instructor.offeringId),
  ]);
  return {
    students: students.map((s) => ({ id: s.id, label: `${s.name} (${s.section})` })),
    portfolios: requirements.map((r) => ({ id: r.id, label: r.title })),
    defaults: {
      student: chosen.student ? String(chosen.student) : '',
      portfolio: chosen.portfolio ? String(chosen.portfolio) : '',
      reason: '',
      grantedDueOn: '',
    },
  };
}

export interface GrantResult {
  student: string;
  on: string;
}

/**
 * The instructor grants an extension without a request (an accommodation, an illness): recorded
 * as an extension the instructor initiated and approved at once, with their reason, so it has
 * every effect of an approved request (due date everywhere, reminders re-planned by the worker,
 * late marking, calendar feed) and stays on record (rows are never deleted). It replaces the
 * student's current extension and answers any request still waiting. The student is emailed.
 */
async function grant(trx: Db, instructor: Actor, input: GrantInput, now: Date, baseUrl: string): Promise<GrantResult> {
  const [students, offering] = await Promise.all([
    rosterRepository.listStudents(trx, instructor.offeringId),
    courseRepository.offering(trx, instructor.offeringId),
  ]);
  const student = students.find((s) => s.id === input.student);
  if (!student) throw new Invalid('Choose an active student of this course.', { student: 'Choose an active student of this course.' });
  const requirement = (await courseRepository.portfolioRequirements(trx, instructor.offeringId)).find((r) => r.id === input.portfolio);
  if (!requirement) throw new Invalid('Choose a portfolio of this course.', { portfolio: 'Choose a portfolio of this course.' });
  const owner = { id: student.id, offeringId: instructor.offeringId };
  const before = await deadlineOf(trx, owner, requirement.id);
  const on = input.granted_due_on;
  const problem = checkDate(on, {
    after: before.originalDueOn,
    afterText: 'the original due date',
    today: localDateOf(now, offering.time_zone),
    originalDueOn: before.originalDueOn,
  });
  if (problem) throw new Invalid(problem, { grantedDueOn: problem });
  await repo.lockStudentRequests(trx, student.id, requirement.id);
  await repo.withdrawPending(trx, student.id, requirement.id);
  await repo.supersedeApproved(trx, student.id, requirement.id);
  const id = await repo.insert(trx, {
    userId: student.id,
    requirementId: requirement.id,
    reason: input.reason,
    proposedDueOn: on,
    requestedAt: now,
    madeBeforeDue: now.getTime() < before.dueAt.getTime(),
    initiatedBy: 'instructor',
  });
  await repo.decide(trx, id, {
    status: 'approved',
    by: instructor.id,
    at: now,
    message: null,
    grantedDueOn: on,
    grantedDueAt: endOfLocalDay(on, offering.time_zone),
  });
  const due = await deadlineOf(trx, owner, requirement.id);
  await notifyExtensionDecision(trx, {
    requestId: id,
    approved: true,
    grantedByInstructor: true,
    student: { id: student.id, name: student.name, email: student.email, zone: student.time_zone, dateLanguage: student.date_language },
    offering,
    portfolio: requirement.title,
    due,
    message: input.reason,
    baseUrl,
    now,
  });
  return { student: student.name, on };
}

export const extensionsService = Object.freeze({ requestPage, request, list, detail, decide, grantPage, grant });
