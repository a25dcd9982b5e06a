import { hashPassword } from '../../src/accounts/passwords';
import { usersRepository, type User } from '../../src/accounts/users.repository';
import { extensionsService } from '../../src/extensions/extensions.service';
import { portfolioService } from '../../src/portfolio/portfolio.service';
import { teamsService } from '../../src/teams/teams.service';
import { lessonUnitId } from './course';
import { DEMO_PASSWORD } from './db';
import type { Session, TestApp } from './test-app';

/**
 * Test data builders: each test makes the students, teams, submissions and requests it needs
 * instead of reusing (and changing) the twelve seeded students, so tests run in any order
 * (`jest --randomize`). Builders go through the app's own repositories and services.
 *
 *   const olivia = await aStudent(t, { name: 'Olivia Bennett', timeZone: 'Europe/London' });
 *   const session = await olivia.login();
 *   await aTeam(t, { lesson: ['LeadEd502x', 1], members: [olivia, other] });
 *   await aSubmission(t, { student: olivia, portfolio: 'LeadEd502x', at: '2020-02-25T15:00:00Z' });
 */
export interface BuiltStudent extends User {
  /** Signs this student in (the demo password): a session with a CSRF token ready. */
  login(): Promise<Session>;
  offeringId: number;
}

let passwordHash: Promise<string> | null = null;
/** scrypt is slow on purpose: hash the demo password once per test file. */
const demoPasswordHash = () => (passwordHash ??= hashPassword(DEMO_PASSWORD));

let built = 0;

export interface StudentOptions {
  /** Section code; default the first by code (EDUC 551). */
  section?: string;
  timeZone?: string;
  /** Default: a unique builtN@cohort.example. */
  email?: string;
  /** Default: "Built Student N". */
  name?: string;
  /** false: invited only (no password, not activated). Default true: can sign in with the demo password. */
  active?: boolean;
  /** Account creation (and so enrollment) instant; default the seeded students' (2020-01-02 09:00 Detroit). */
  createdAt?: string;
  meetingReminders?: boolean;
}

/** A student of the seeded offering, in a section and time zone, able to sign in unless `active: false`. */
export async function aStudent(t: TestApp, opts: StudentOptions = {}): Promise<BuiltStudent> {
  const n = ++built;
  const offering = await t.db.selectFrom('course_offering').select('id').orderBy('id').executeTakeFirstOrThrow();
  let sections = t.db.selectFrom('section').select('id').where('offering_id', '=', offering.id);
  if (opts.section) sections = sections.where('code', '=', opts.section);
  const section = await sections.orderBy('code').executeTakeFirstOrThrow();
  const active = opts.active ?? true;
  const createdAt = new Date(opts.createdAt ?? '2020-01-02T14:00:00Z');
  const user = await usersRepository.insert(t.db, {
    email: opts.email ?? `built${n}@cohort.example`,
    name: opts.name ?? `Built Student ${n}`,
    role: 'student',
    offering_id: offering.id,
    section_id: section.id,
    time_zone: opts.timeZone ?? 'America/Detroit',
    meeting_reminders: opts.meetingReminders,
    password_hash: active ? await demoPasswordHash() : null,
    activated_at: active ? createdAt : null,
    created_at: createdAt,
    last_login_at: null,
    deactivated_at: null,
  });
  return { ...user, offeringId: offering.id, login: () => t.login(user.email) };
}

/**
 * A community learner of the seeded offering (issue 17): role community, no section, a country
 * and a zone of their own, able to sign in with the demo password. Built directly (the join flow
 * has its own tests in test/community-join.test.ts).
 */
export async function aCommunityLearner(
  t: TestApp,
  opts: { name?: string; email?: string; timeZone?: string; country?: string; weeklyNudge?: boolean; meetingReminders?: boolean; createdAt?: string } = {},
): Promise<BuiltStudent> {
  const n = ++built;
  const offering = await t.db.selectFrom('course_offering').select('id').orderBy('id').executeTakeFirstOrThrow();
  const createdAt = new Date(opts.createdAt ?? '2020-01-02T14:00:00Z');
  const user = await usersRepository.insert(t.db, {
    email: opts.email ?? `community${n}@learners.example`,
    name: opts.name ?? `Community Learner ${n}`,
    role: 'community',
    offering_id: offering.id,
    section_id: null,
    country: opts.country ?? 'PH',
    time_zone: opts.timeZone ?? 'Asia/Manila',
    weekly_nudge: opts.weeklyNudge,
    meeting_reminders: opts.meetingReminders,
    password_hash: await demoPasswordHash(),
    activated_at: createdAt,
    created_at: createdAt,
    last_login_at: null,
    deactivated_at: null,
  });
  return { ...user, offeringId: offering.id, login: () => t.login(user.email) };
}

/**
 * Another instructor of the seeded offering (role instructor), able to sign in with the demo
 * password: a test that needs an instructor's own state (a daily digest's runs) makes its own.
 */
export async function anInstructor(t: TestApp, opts: { name?: string; email?: string; timeZone?: string } = {}): Promise<BuiltStudent> {
  const n = ++built;
  const offering = await t.db.selectFrom('course_offering').select('id').orderBy('id').executeTakeFirstOrThrow();
  const createdAt = new Date('2020-01-02T14:00:00Z');
  const user = await usersRepository.insert(t.db, {
    email: opts.email ?? `instructor${n}@cohort.example`,
    name: opts.name ?? `Built Instructor ${n}`,
    role: 'instructor',
    offering_id: offering.id,
    section_id: null,
    time_zone: opts.timeZone ?? 'America/Detroit',
    password_hash: await demoPasswordHash(),
    activated_at: createdAt,
    created_at: createdAt,
    last_login_at: null,
    deactivated_at: null,
  });
  return { ...user, offeringId: offering.id, login: () => t.login(user.email) };
}

/** The id of a portfolio requirement by its edX course code ('LeadEd502x', 'LeadEd503x'). */
export async function portfolioId(t: TestApp, edxCourse: string): Promise<number> {
  const row = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select('pr.id')
    .where('c.code', '=', edxCourse)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A team for a lesson started by the first member, the others joining (through the teams service). */
export async function aTeam(
  t: TestApp,
  opts: { lesson: [edxCourse: string, lessonNumber: number]; members: BuiltStudent[]; name?: string; at?: string },
): Promise<{ id: number; unitId: number; name: string }> {
  const [first, ...rest] = opts.members;
  if (!first) throw new Error('aTeam: a team needs at least one member');
  const unitId = await lessonUnitId(t.db, opts.lesson[0], opts.lesson[1]);
  const name = opts.name ?? `Built Team ${++built}`;
  const at = opts.at ? new Date(opts.at) : t.clock.now();
  return t.db.transaction().execute(async (trx) => {
    await teamsService.startTeam(trx, first, unitId, name, at); // throws Invalid or Refused on bad input
    const team = await trx.selectFrom('team').select('id').where('unit_id', '=', unitId).where('name', '=', name).executeTakeFirstOrThrow();
    for (const m of rest) {
      await teamsService.joinTeam(trx, m, unitId, team.id, 100, at);
    }
    return { id: team.id, unitId, name };
  });
}

/** A portfolio submission (confirmed even if incomplete) at `at` (default the app's clock), through the portfolio service. */
export async function aSubmission(t: TestApp, opts: { student: BuiltStudent; portfolio: string; at?: string }): Promise<number> {
  const requirementId = await portfolioId(t, opts.portfolio);
  const at = opts.at ? new Date(opts.at) : t.clock.now();
  const result = await t.db.transaction().execute((trx) => portfolioService.submit(trx, opts.student, requirementId, true, at, t.ctx.config.baseUrl));
  if (result.status !== 'submitted') throw new Error(`aSubmission: ${JSON.stringify(result)}`);
  return result.submissionId;
}

/** A student's extension request for a portfolio at `at` (default the app's clock), through the extensions service. */
export async function anExtensionRequest(
  t: TestApp,
  opts: { student: BuiltStudent; portfolio: string; reason: string; proposedDueOn: string; at?: string },
): Promise<void> {
  const requirementId = await portfolioId(t, opts.portfolio);
  const at = opts.at ? new Date(opts.at) : t.clock.now();
  // The service throws Invalid on bad input.
  await t.db
    .transaction()
    .execute((trx) => extensionsService.request(trx, opts.student, requirementId, { reason: opts.reason, proposed_due_on: opts.proposedDueOn }, at));
}

/**
 * Puts the clock back after every test to the instant the test app was started with (or `at`, the
 * file's own "today"), so a test that moves the clock cannot change what the next one sees:
 * `restoreClockAfterEach(() => t)`.
 */
export function restoreClockAfterEach(app: () => TestApp, at?: string): void {
  afterEach(() => {
    const t = app();
    t.clock.set(at ?? t.startedAt);
  });
}

/** A user's id by email (seeded or built). */
export async function userIdOf(t: TestApp, email: string): Promise<number> {
  const user = await usersRepository.findByEmail(t.db, email);
  if (!user) throw new Error(`No user ${email}`);
  return user.id;
}

/** Every user's id by the local part of their email: { instructor: 1, student1: 2, … }. */
export async function userIdsByLocalPart(t: TestApp): Promise<Record<string, number>> {
  const users = await t.db.selectFrom('app_user').select(['id', 'email']).execute();
  return Object.fromEntries(users.map((u) => [u.email.split('@')[0], u.id]));
}
