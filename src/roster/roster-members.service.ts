import { accountsService } from '../accounts/accounts.service';
import { emailChangeService } from '../accounts/email-change.service';
import { normalizeEmail, normalizeName } from '../accounts/identity';
import { tokensRepository } from '../accounts/tokens.repository';
import { usersRepository } from '../accounts/users.repository';
import { auditRepository, type AuditEntry } from '../audit/audit.repository';
import type { Db } from '../db/database';
import { courseRepository } from '../course/course.repository';
import { Invalid, NotFound, Refused } from '../errors';
import { formatDate, formatDateTime } from '../time';
import { undeliverableRepository } from '../mail/undeliverable.repository';
import { endSessionsOf } from '../http/session-store';
import { peerAssignmentService } from '../peer-assessment/peer-assignment.service';
import { inTransaction } from '../db/transaction';
import { planStudents } from '../reminders/planner';
import { teamsRepository } from '../teams/teams.repository';
import { rosterMembersRepository as repo } from './roster-members.repository';
import type { StudentEdit } from './roster-members.schemas';

/**
 * The instructor keeps the roster: drop a student, re-enroll them, correct their name, email,
 * section and time zone. Each is one transaction (the route opens it) and leaves a row per change
 * in the audit log.
 *
 * A drop is soft: the student's work stays; `deactivated_at` (the drop instant) takes them out of
 * everything that lists active students; their Team Practice memberships end (artifact versions
 * stay); their peer pairs are repaired by the peer-assignment rules; their pending reminders are
 * cancelled ("removed from the roster"); their sessions and open links end. A re-enrollment keeps
 * the finished enrollment in enrollment_period and opens a new one today (src/roster/enrollment.ts).
 */
export interface Instructor {
  id: number;
  offeringId: number;
}

export interface RosterAction {
  now: Date;
  baseUrl: string;
  reminderOffsetsDays: number[];
}

async function lockedStudent(trx: Db, me: Instructor, userId: number) {
  const s = await repo.student(trx, me.offeringId, userId, { lock: true });
  if (!s) throw new NotFound('There is no such student on your roster.');
  return s;
}

/** Plans this student's reminders now, in the action's transaction (a drop cancels them: "removed from the roster"). */
async function replanReminders(trx: Db, userId: number, ctx: RosterAction): Promise<void> {
  await inTransaction(trx, (t) => planStudents(t, ctx.now, ctx.reminderOffsetsDays, [userId]));
}

async function drop(trx: Db, me: Instructor, userId: number, ctx: RosterAction) {
  const s = await lockedStudent(trx, me, userId);
  if (s.deactivated_at) throw new Refused(`${s.name} is already dropped.`);
  await repo.markDropped(trx, s.id, ctx.now);
  const teams = await teamsRepository.leaveAll(trx, s.id, ctx.now);
  const portfolios = await peerAssignmentService.applyRosterChange(trx, me, s.id, 'drop', ctx.now);
  await replanReminders(trx, s.id, ctx);
  await tokensRepository.revokeAll(trx, s.id, ctx.now);
  await endSessionsOf(trx, s.id);
  await auditRepository.record(trx, [{ offeringId: me.offeringId, subjectUserId: s.id, actorId: me.id, action: 'drop', at: ctx.now }]);
  return { name: s.name, teams, portfolios };
}

async function reEnroll(trx: Db, me: Instructor, userId: number, ctx: RosterAction) {
  const s = await lockedStudent(trx, me, userId);
  if (!s.deactivated_at) throw new Refused(`${s.name} is already enrolled.`);
  await repo.reEnroll(trx, { id: s.id, enrolled_at: s.enrolled_at, deactivated_at: s.deactivated_at }, ctx.now);
  const portfolios = await peerAssignmentService.applyRosterChange(trx, me, s.id, 'join', ctx.now);
  await replanReminders(trx, s.id, ctx);
  let invited = false;
  if (!s.password_hash) {
    // They never set a password: their old invitation died with the drop, so send a new one.
    const user = (await usersRepository.findById(trx, s.id))!;
    await accountsService.sendTokenEmail(trx, user, 'invitation', ctx.baseUrl, ctx.now);
    invited = true;
  }
  await auditRepository.record(trx, [{ offeringId: me.offeringId, subjectUserId: s.id, actorId: me.id, action: 're-enroll', at: ctx.now }]);
  return { name: s.name, portfolios, invited };
}

export interface EditResult {
  changed: string[];
  email: 'unchanged' | 'pending' | 'switched';
}

/** Corrects what changed; an email change goes through confirmation (src/accounts/email-change.service.ts). */
async function edit(trx: Db, me: Instructor, userId: number, input: StudentEdit, ctx: RosterAction): Promise<EditResult> {
  const s = await lockedStudent(trx, me, userId);
  const audit: AuditEntry[] = [];
  const entry = (action: AuditEntry['action'], oldValue: string | null, newValue: string | null) =>
    audit.push({ offeringId: me.offeringId, subjectUserId: s.id, actorId: me.id, action, oldValue, newValue, at: ctx.now });
  const set: { name?: string; section_id?: number; time_zone?: string } = {};

  const emailChanged = normalizeEmail(s.email) !== input.email;
  if (emailChanged) {
    const taken = await repo.emailTakenBy(trx, input.email, s.id);
    if (taken || (await tokensRepository.emailClaimed(trx, input.email, s.id, ctx.now))) {
      throw new Invalid('That email address is already used by someone else.', {
        email: `${input.email} is already used by someone else on Cohort Companion. Check the address.`,
      });
    }
  }
  let section: { id: number; code: string } | undefined;
  if (input.section !== s.section_id) {
    section = await repo.sectionOf(trx, me.offeringId, input.section);
    if (!section) throw new Invalid('Choose one of the course’s sections.', { section: 'Choose one of the course’s sections.' });
  }

  if (normalizeName(s.name) !== input.name) {
    set.name = input.name;
    entry('name', s.name, input.name);
  }
  if (section) {
    set.section_id = section.id;
    entry('section', s.section, section.code);
  }
  if (s.time_zone !== input.timeZone) {
    set.time_zone = input.timeZone;
    entry('time-zone', s.time_zone, input.timeZone);
  }
  await repo.update(trx, s.id, set);
  if (set.time_zone && !s.deactivated_at) await replanReminders(trx, s.id, ctx);

  let email: EditResult['email'] = 'unchanged';
  if (emailChanged) {
    const user = (await usersRepository.findById(trx, s.id))!;
    email = await emailChangeService.requestChange(trx, user, input.email, { baseUrl: ctx.baseUrl, now: ctx.now });
    entry(email === 'pending' ? 'email-requested' : 'email', s.email, input.email);
  }
  await auditRepository.record(trx, audit);
  return { changed: audit.map((a) => a.action), email };
}

const ACTION_LABEL: Record<string, string> = {
  drop: 'Dropped',
  're-enroll': 'Re-enrolled',
  name: 'Name corrected',
  'email-requested': 'Email change requested (waiting for confirmation)',
  email: 'Email changed',
  section: 'Section changed',
  'time-zone': 'Time zone changed',
  'retry-email': 'Email retried (undeliverable mark cleared)',
};

/** The instructor's page for one student: who they are, their enrollments, and every change made. */
async function studentPage(db: Db, me: Instructor, userId: number, zone: string, now: Date) {
  const s = await repo.student(db, me.offeringId, userId);
  if (!s) throw new NotFound('There is no such student on your roster.');
  const [offering, sections, periods, history, pendingEmail, undeliverable] = await Promise.all([
    courseRepository.offering(db, me.offeringId),
    courseRepository.sections(db, me.offeringId),
    repo.closedPeriods(db, s.id),
    auditRepository.historyOf(db, s.id),
    tokensRepository.pendingEmail(db, s.id, now),
    undeliverableRepository.markOf(db, s.email),
  ]);
  const courseZone = offering.time_zone;
  const enrollments = [
    ...periods.map((p) => ({ from: formatDate(p.enrolled_at, courseZone), to: formatDate(p.dropped_at, courseZone) })),
    { from: formatDate(s.enrolled_at, courseZone), to: s.deactivated_at ? formatDate(s.deactivated_at, courseZone) : null },
  ];
  return {
    student: {
      id: s.id,
      name: s.name,
      email: s.email,
      sectionId: s.section_id,
      section: s.section,
      timeZone: s.time_zone,
      dropped: s.deactivated_at !== null,
      droppedOn: s.deactivated_at ? formatDate(s.deactivated_at, courseZone) : null,
      account: s.deactivated_at ? 'Dropped' : s.activated_at ? 'Active' : 'Invited',
      pendingEmail,
      undeliverable: undeliverable ? { smtpReply: undeliverable.smtpReply, markedAt: formatDateTime(undeliverable.markedAt, zone) } : null,
    },
    enrollments,
    sections: sections.map((x) => ({ id: x.id, code: x.code })),
    history: history.map((h) => ({
      what: ACTION_LABEL[h.action] ?? h.action,
      change: h.old_value !== null || h.new_value !== null ? `${h.old_value ?? '—'} → ${h.new_value ?? '—'}` : '',
      who: h.actor_name ?? '',
      when: formatDateTime(h.at, zone),
    })),
  };
}

/**
 * "Retry email": clears the undeliverable mark on the student's current address (the mail server
 * refused it permanently), so the next message to it is attempted again. Audited.
 */
async function retryEmail(trx: Db, me: Instructor, userId: number, ctx: RosterAction) {
  const s = await lockedStudent(trx, me, userId);
  const cleared = await undeliverableRepository.clear(trx, s.email);
  if (!cleared) throw new Refused(`${s.email} is not marked undeliverable: email to ${s.name} is already attempted.`);
  await auditRepository.record(trx, [
    { offeringId: me.offeringId, subjectUserId: s.id, actorId: me.id, action: 'retry-email', newValue: s.email, at: ctx.now },
  ]);
  return { name: s.name, email: s.email };
}

export const rosterMembersService = Object.freeze({ studentPage, drop, reEnroll, edit, retryEmail });
