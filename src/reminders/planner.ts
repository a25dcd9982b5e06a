import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../db/database';
import { inTransaction } from '../db/transaction';
import { addDays, isValidZone, localDateOf } from '../time';
import {
  planMeetingStatements,
  planNudgeStatements,
  planPortfolioStatements,
  type MeetingSchedule,
  type NudgeSchedule,
  type PortfolioSchedule,
} from './planner.sql';
import { meetingReminderSendAt, portfolioReminderSendAt, weeklyNudgeSendAt, weeklyNudgeUsefulUntil } from './schedule';
import { anyOf } from '../db/any';
import { courseCache } from '../course/course-cache';
import { courseRepository } from '../course/course.repository';

/**
 * The planner: (re)computes the reminder schedule from the current state of the course,
 * idempotently. Time math runs once per distinct (zone, target, offset) in TypeScript
 * (src/reminders/schedule.ts); the fan-out to students, the diff against existing rows and the
 * cancellations are set-based SQL (planner.sql.ts): a constant number of statements for any
 * number of students.
 *
 * Desired = every active student × every deadline of theirs (extension included) × every
 * configured offset, unless their latest submission is complete; and every active, opted-in
 * student × every required campus meeting; and (issue 17) every active community learner × every
 * virtual office hours event (opted in) and × every lesson week (weekly nudge on). Only targets within the planning horizon (the
 * longest offset + 7 days) are planned; the horizon moves with the clock (a re-plan at least
 * once a day), so a reminder is in the schedule at least 6 days before it is due.
 */
export interface PlanReport {
  planned: boolean;
  upserted: number;
  withdrawn: number;
}

const DAY_MS = 86_400_000;

export function planningHorizonDays(offsets: number[]): number {
  return Math.max(0, ...offsets) + 7;
}

/** What shapes everyone's plan: the course's deadlines, events and weeks, the offsets, the day (the horizon). */
async function courseFingerprint(db: Db, offsets: number[], now: Date): Promise<string> {
  const row = await sql<{ f: string }>`
    select concat_ws('|', 'v3', ${offsets.join(',')}::text, ${String(Math.floor(now.getTime() / DAY_MS))}::text,
      (select count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', id, kind, status, starts_at, required, all_day))), 0) from calendar_event),
      (select count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', id, edx_course_id, due_on, due_at))), 0) from portfolio_requirement)
    ) as f`.execute(db);
  // The course's weeks (weekly nudges) through the course's own version number, moved by any change to the course as data.
  return `${row.rows[0].f}|course-v${await courseCache.version(db)}`;
}

/** What shapes individual learners' plans (students' and community learners'), summarised in one pass (cheap enough for every tick). */
async function peopleFingerprint(db: Db): Promise<string> {
  const row = await sql<{ f: string }>`
    select concat_ws('|',
      (select count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', id, role, offering_id, time_zone, meeting_reminders, weekly_nudge, deactivated_at))), 0)
         from app_user where role in ('student', 'community')),
      (select count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', id, portfolio_requirement_id, granted_due_on, granted_due_at))), 0)
         from extension_request where status = 'approved'),
      (select count(*) || ':' || coalesce(max(id), 0) from portfolio_submission)
    ) as f`.execute(db);
  return row.rows[0].f;
}

/** Per learner (student or community learner), a hash of everything about them that shapes their plan. */
function studentStatesQuery(userIds: number[] | null) {
  return sql<{ id: number; h: number }>`
    select u.id, hashtext(concat_ws('|', u.role, u.offering_id, u.time_zone, u.meeting_reminders, u.weekly_nudge, u.deactivated_at, x.ext, l.sub)) as h
    from app_user u
    left join (
      select user_id, string_agg(portfolio_requirement_id || '=' || granted_due_at, ',' order by portfolio_requirement_id) as ext
      from extension_request where status = 'approved' group by user_id
    ) x on x.user_id = u.id
    left join (
      select user_id, string_agg(portfolio_requirement_id || '=' || is_complete, ',' order by portfolio_requirement_id) as sub
      from (
        select distinct on (user_id, portfolio_requirement_id) user_id, portfolio_requirement_id, is_complete
        from portfolio_submission order by user_id, portfolio_requirement_id, submitted_at desc, id desc
      ) latest group by user_id
    ) l on l.user_id = u.id
    where u.role in ('student', 'community') ${userIds ? sql`and u.id = any(${userIds}::int[])` : sql``}`;
}

async function changedStudents(db: Db): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    select c.id from (${studentStatesQuery(null)}) c
    left join reminder_plan_state p on p.user_id = c.id
    where p.state_hash is distinct from c.h order by c.id`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** The planner's one bookkeeping row, locked (created on first use: a migration-made row would make the database "not empty" for a backup import). */
async function lockPlanner(trx: Transaction<Database>) {
  await trx
    .insertInto('reminder_planner')
    .values({ id: 1 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return trx.selectFrom('reminder_planner').selectAll().where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
}

/**
 * Re-plans when something that shapes the schedule changed since the last plan. A change to
 * the course (deadlines, meetings, offsets), a new day (the horizon moves) or the app clock
 * moving back (APP_NOW exploration) re-plans every student; a change to students (zone,
 * opt-out, roster, extension, submission) re-plans only the students it touched. Students are
 * planned in chunks, one short transaction each, holding the planner lock, so PGlite keeps
 * serving requests in between; while one worker plans (a 10-minute lease), the others skip
 * planning and send what is already planned.
 */
export async function planIfChanged(db: Db, now: Date, offsets: number[]): Promise<PlanReport> {
  const decision = await inTransaction(db, async (trx) => {
    const state = await lockPlanner(trx);
    const course = await courseFingerprint(trx, offsets, now);
    const fingerprint = `${course}#${await peopleFingerprint(trx)}`;
    const clockOk = state.planned_as_of !== null && state.planned_as_of.getTime() <= now.getTime();
    if (state.fingerprint === fingerprint && clockOk) return null;
    // Another worker is planning (its lease is live): send what is planned instead of planning twice.
    const busy = await sql<{ busy: boolean }>`select coalesce(planning_until > now(), false) as busy from reminder_planner where id = 1`.execute(trx);
    if (busy.rows[0].busy) return null;
    await trx
      .updateTable('reminder_planner')
      .set({ planning_until: sql<Date>`now() + interval '10 minutes'` })
      .where('id', '=', 1)
      .execute();
    return { fingerprint, full: !clockOk || state.fingerprint.split('#')[0] !== course };
  });
  if (!decision) return { planned: false, upserted: 0, withdrawn: 0 };
  const userIds = decision.full
    ? (await db.selectFrom('app_user').select('id').where('role', 'in', ['student', 'community']).orderBy('id').execute()).map((u) => u.id)
    : await changedStudents(db);
  const report: PlanReport = { planned: true, upserted: 0, withdrawn: 0 };
  for (let i = 0; i < userIds.length; i += PLAN_CHUNK) {
    const chunk = userIds.slice(i, i + PLAN_CHUNK);
    const r = await inTransaction(db, async (trx) => {
      await lockPlanner(trx);
      const states = (await studentStatesQuery(chunk).execute(trx)).rows; // read before planning: a change landing meanwhile is caught next time
      const counts = await planStudents(trx, now, offsets, chunk);
      if (states.length) {
        await trx
          .insertInto('reminder_plan_state')
          .values(states.map((s) => ({ user_id: s.id, state_hash: s.h })))
          .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ state_hash: eb.ref('excluded.state_hash') })))
          .execute();
      }
      return counts;
    });
    report.upserted += r.upserted;
    report.withdrawn += r.withdrawn;
  }
  // Only now is the plan recorded: a worker that dies mid-way leaves the old fingerprint, and its
  // lease runs out, so the next run plans again.
  await inTransaction(db, async (trx) => {
    await lockPlanner(trx);
    await trx
      .updateTable('reminder_planner')
      .set({ fingerprint: decision.fingerprint, planned_as_of: now, planned_at: sql<Date>`now()`, planning_until: null })
      .where('id', '=', 1)
      .execute();
  });
  return report;
}

const PLAN_CHUNK = 5000;
const REQUIRED_MEETING_KINDS = ['campus_meeting', 'extra_session'] as const;

/** Plans these learners in every offering. Runs inside a transaction (the statements use temporary tables). */
export async function planStudents(trx: Transaction<Database>, now: Date, offsets: number[], userIds: number[]): Promise<Omit<PlanReport, 'planned'>> {
  const offerings = await trx.selectFrom('course_offering').select(['id', 'time_zone']).execute();
  const horizonEnd = new Date(now.getTime() + planningHorizonDays(offsets) * DAY_MS);
  const report = { upserted: 0, withdrawn: 0 };
  for (const o of offerings) {
    const zones = (
      await trx.selectFrom('app_user').select('time_zone').distinct().where('offering_id', '=', o.id).where('id', '=', anyOf(userIds)).execute()
    ).map((z) => z.time_zone);
    // A zone that is not a valid IANA name (it should never be) is read as the course's zone.
    const zoneFor = (z: string) => (isValidZone(z) ? z : o.time_zone);
    const ps = await portfolioSchedule(trx, o.id, zones, zoneFor, now, horizonEnd, offsets);
    const p = await planPortfolioStatements(trx, o.id, userIds, ps, now, offsets, horizonEnd);
    const ms = await meetingSchedule(trx, o.id, o.time_zone, zones, zoneFor, now, horizonEnd);
    const m = await planMeetingStatements(trx, o.id, userIds, ms, now, horizonEnd);
    const hs = await meetingSchedule(trx, o.id, o.time_zone, zones, zoneFor, now, horizonEnd, 'office_hours');
    const h = await planMeetingStatements(trx, o.id, userIds, hs, now, horizonEnd, { kind: 'office_hours', role: 'community' });
    const ns = await nudgeSchedule(trx, o.id, zones, zoneFor, now, horizonEnd);
    const n = await planNudgeStatements(trx, o.id, userIds, ns, now, horizonEnd);
    for (const c of [p, m, h, n]) {
      report.upserted += c.upserted;
      report.withdrawn += c.withdrawn;
    }
  }
  return report;
}

/** Send instants for every (zone, deadline, offset): the course's dates and every approved extension's. */
async function portfolioSchedule(db: Db, offeringId: number, zones: string[], zoneFor: (z: string) => string, now: Date, horizonEnd: Date, offsets: number[]) {
  const base = await db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'pr.due_on', 'pr.due_at'])
    .where('c.offering_id', '=', offeringId)
    .execute();
  const extended = await db
    .selectFrom('extension_request as x')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'x.portfolio_requirement_id')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'x.granted_due_on as due_on', 'x.granted_due_at as due_at'])
    .distinct()
    .where('c.offering_id', '=', offeringId)
    .where('x.status', '=', 'approved')
    .execute();
  const deadlines = [...base, ...extended].filter((d) => d.due_at && d.due_on && d.due_at > now && d.due_at <= horizonEnd);
  const s: PortfolioSchedule = { zone: [], requirementId: [], dueOn: [], dueAt: [], offsetDays: [], sendAt: [] };
  const seen = new Set<string>();
  for (const zone of zones) {
    for (const d of deadlines) {
      const key = `${zone}|${d.id}|${d.due_at!.toISOString()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const offset of offsets) {
        s.zone.push(zone);
        s.requirementId.push(d.id);
        s.dueOn.push(d.due_on!);
        s.dueAt.push(d.due_at!.toISOString());
        s.offsetDays.push(offset);
        s.sendAt.push(portfolioReminderSendAt(d.due_at!, zoneFor(zone), offset).toISOString());
      }
    }
  }
  return s;
}

/** Send instants for every (zone, required campus meeting), or every (zone, virtual office hours). */
async function meetingSchedule(
  db: Db,
  offeringId: number,
  courseZone: string,
  zones: string[],
  zoneFor: (z: string) => string,
  now: Date,
  horizonEnd: Date,
  of: 'required_meetings' | 'office_hours' = 'required_meetings',
) {
  let q = db.selectFrom('calendar_event').select(['id', 'starts_at']).where('offering_id', '=', offeringId);
  q = of === 'office_hours' ? q.where('kind', '=', 'office_hours') : q.where('kind', '=', anyOf(REQUIRED_MEETING_KINDS)).where('required', '=', true);
  const meetings = await q
    .where('all_day', '=', false)
    .where('status', '=', 'scheduled')
    .where('starts_at', '>', now)
    .where('starts_at', '<=', horizonEnd)
    .execute();
  const s: MeetingSchedule = { zone: [], eventId: [], meetingOn: [], startsAt: [], sendAt: [] };
  for (const zone of zones) {
    for (const m of meetings) {
      s.zone.push(zone);
      s.eventId.push(m.id);
      s.meetingOn.push(localDateOf(m.starts_at, courseZone));
      s.startsAt.push(m.starts_at.toISOString());
      s.sendAt.push(meetingReminderSendAt(m.starts_at, zoneFor(zone)).toISOString());
    }
  }
  return s;
}

/** Send instants for every (zone, lesson week whose Monday is not over there): 09:00 on that Monday in that zone. */
async function nudgeSchedule(db: Db, offeringId: number, zones: string[], zoneFor: (z: string) => string, now: Date, horizonEnd: Date) {
  const from = addDays(localDateOf(now, 'UTC'), -8);
  const to = addDays(localDateOf(horizonEnd, 'UTC'), 1);
  const weeks = (await courseRepository.weeks(db, offeringId)).filter(
    (w) => w.kind === 'lesson' && w.unit_id !== null && w.starts_on >= from && w.starts_on <= to,
  );
  const s: NudgeSchedule = { zone: [], weekId: [], weekOf: [], endsAt: [], sendAt: [] };
  for (const zone of zones) {
    for (const w of weeks) {
      const sendAt = weeklyNudgeSendAt(w.starts_on, zoneFor(zone));
      const endsAt = weeklyNudgeUsefulUntil(w.starts_on, zoneFor(zone));
      if (endsAt <= now || sendAt > horizonEnd) continue;
      s.zone.push(zone);
      s.weekId.push(w.id);
      s.weekOf.push(w.starts_on);
      s.endsAt.push(endsAt.toISOString());
      s.sendAt.push(sendAt.toISOString());
    }
  }
  return s;
}

export const reminderPlanner = Object.freeze({ planIfChanged, planStudents });
