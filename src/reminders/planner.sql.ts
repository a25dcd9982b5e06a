import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database';

/**
 * The planner's set-based statements, per kind of reminder:
 *   1. the desired rows (students × the schedule computed in TypeScript) into a temporary table,
 *      indexed and analyzed, so the next two statements never fall into a quadratic plan
 *      (right after a bulk insert the reminder table's statistics are stale);
 *   2. insert what is new, move unsent rows whose instant changed, revive cancelled rows that
 *      apply again (rows already identical are not touched, not even locked);
 *   3. withdraw scheduled rows that no longer apply: `cancelled`, or `skipped` when their target
 *      passed, with the reason in words.
 * Claimed, queued, sent, failed and skipped rows are history: never touched here.
 */
export interface PortfolioSchedule {
  zone: string[];
  requirementId: number[];
  dueOn: string[];
  dueAt: string[];
  offsetDays: number[];
  sendAt: string[];
}

export interface MeetingSchedule {
  zone: string[];
  eventId: number[];
  meetingOn: string[];
  startsAt: string[];
  sendAt: string[];
}

interface Counts {
  upserted: number;
  withdrawn: number;
}

const affected = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);

export const SUPERSEDED = 'A later reminder for the same deadline was also due; only that one was sent.';
export const NUDGE_TOO_LATE = 'The lesson week’s Monday was over before this nudge was sent.';

export async function planPortfolioStatements(
  trx: Transaction<Database>,
  offeringId: number,
  userIds: number[],
  s: PortfolioSchedule,
  now: Date,
  offsets: number[],
  horizonEnd: Date,
): Promise<Counts> {
  await sql`drop table if exists pg_temp.desired_portfolio_reminder`.execute(trx);
  await sql`
    create temp table desired_portfolio_reminder on commit drop as
    with sched as (
      select * from unnest(${s.zone}::text[], ${s.requirementId}::int[], ${s.dueOn}::date[], ${s.dueAt}::timestamptz[], ${s.offsetDays}::int[], ${s.sendAt}::timestamptz[])
        as s(zone, requirement_id, due_on, due_at, offset_days, send_at)
    ),
    latest as (
      select distinct on (ps.user_id, ps.portfolio_requirement_id) ps.user_id, ps.portfolio_requirement_id, ps.is_complete
      from portfolio_submission ps
      where ps.user_id = any(${userIds}::int[])
      order by ps.user_id, ps.portfolio_requirement_id, ps.submitted_at desc, ps.id desc
    )
    select u.id as user_id, pr.id as requirement_id, s.due_on, s.due_at, s.offset_days, s.send_at,
      -- A later reminder of the same deadline is already due (a student added late, or a deadline
      -- planned late): this one is born skipped, as the sender would skip it.
      coalesce((min(s.offset_days) filter (where s.send_at <= ${now}) over (partition by u.id, pr.id, s.due_on)) < s.offset_days, false) as superseded
    from app_user u
    join edx_course c on c.offering_id = u.offering_id
    join portfolio_requirement pr on pr.edx_course_id = c.id
    left join extension_request x on x.user_id = u.id and x.portfolio_requirement_id = pr.id and x.status = 'approved'
    join sched s on s.zone = u.time_zone and s.requirement_id = pr.id and s.due_at = coalesce(x.granted_due_at, pr.due_at)
    left join latest l on l.user_id = u.id and l.portfolio_requirement_id = pr.id
    where u.id = any(${userIds}::int[]) and u.offering_id = ${offeringId} and u.role = 'student' and u.deactivated_at is null
      and l.is_complete is not true`.execute(trx);
  await sql`create index on desired_portfolio_reminder (user_id, requirement_id, due_on, offset_days)`.execute(trx);
  await sql`analyze desired_portfolio_reminder`.execute(trx);

  const upserted = await sql`
    insert into reminder (kind, offering_id, user_id, portfolio_requirement_id, target_on, offset_days, target_at, send_at, status, reason)
    select 'portfolio_deadline', ${offeringId}, d.user_id, d.requirement_id, d.due_on, d.offset_days, d.due_at, d.send_at,
      case when d.superseded then 'skipped' else 'scheduled' end, case when d.superseded then ${SUPERSEDED} else '' end
    from desired_portfolio_reminder d
    where not exists (
      select 1 from reminder r
      where r.kind = 'portfolio_deadline' and r.user_id = d.user_id and r.portfolio_requirement_id = d.requirement_id
        and r.target_on = d.due_on and r.offset_days = d.offset_days
        and (r.status not in ('scheduled', 'cancelled') or (r.status = 'scheduled' and r.send_at = d.send_at and r.target_at = d.due_at and not d.superseded))
    )
    on conflict (user_id, portfolio_requirement_id, target_on, offset_days) where kind = 'portfolio_deadline'
    do update set send_at = excluded.send_at, target_at = excluded.target_at, status = excluded.status, reason = excluded.reason, updated_at = now()
    where reminder.status in ('scheduled', 'cancelled')`.execute(trx);

  const newDueOn = sql`coalesce((select x.granted_due_on from extension_request x
    where x.user_id = r.user_id and x.portfolio_requirement_id = r.portfolio_requirement_id and x.status = 'approved'), pr.due_on)`;
  const withdrawn = await sql`
    update reminder r set
      status = case when r.target_at <= ${now} then 'skipped' else 'cancelled' end,
      reason = case
        when r.target_at <= ${now} then 'The deadline passed before this reminder was sent.'
        when u.deactivated_at is not null then 'The student was removed from the roster.'
        when (select ps.is_complete from portfolio_submission ps where ps.user_id = r.user_id and ps.portfolio_requirement_id = r.portfolio_requirement_id
              order by ps.submitted_at desc, ps.id desc limit 1) then 'The student submitted a complete portfolio.'
        when ${newDueOn} <> r.target_on
          then 'The deadline moved to ' || to_char(${newDueOn}, 'Dy, Mon FMDD, YYYY') || ' (extension); reminders follow the new date.'
        when not (r.offset_days = any(${offsets}::int[])) then 'This offset is no longer in REMINDER_OFFSETS_DAYS.'
        else 'No longer applies.'
      end,
      updated_at = now()
    from app_user u, portfolio_requirement pr
    where r.user_id = any(${userIds}::int[]) and u.id = r.user_id and pr.id = r.portfolio_requirement_id and r.offering_id = ${offeringId}
      and r.kind = 'portfolio_deadline' and r.status = 'scheduled' and r.target_at <= ${horizonEnd}
      and not exists (
        select 1 from desired_portfolio_reminder d
        where d.user_id = r.user_id and d.requirement_id = r.portfolio_requirement_id and d.due_on = r.target_on and d.offset_days = r.offset_days
      )`.execute(trx);
  return { upserted: affected(upserted), withdrawn: affected(withdrawn) };
}

/**
 * A reminder the day before an event, for one kind of member: campus students hear about
 * required campus meetings, community learners about virtual office hours. Both are gated by
 * app_user.meeting_reminders (labelled for each kind on the settings page).
 */
export interface EventReminderSpec {
  kind: 'campus_meeting' | 'office_hours';
  role: 'student' | 'community';
}

const EVENT_REASONS = {
  campus_meeting: {
    started: 'The meeting started before this reminder was sent.',
    removed: 'The student was removed from the roster.',
    cancelled: 'The meeting was cancelled.',
    changed: 'The meeting is no longer a required campus meeting.',
    optedOut: 'The student opted out of meeting reminders.',
    moved: 'The meeting moved; its reminder is planned again nearer the new date.',
  },
  office_hours: {
    started: 'The office hours started before this reminder was sent.',
    removed: 'The community learner was removed.',
    cancelled: 'The office hours were cancelled.',
    changed: 'The event is no longer virtual office hours.',
    optedOut: 'The learner turned virtual office hours reminders off.',
    moved: 'The office hours moved; their reminder is planned again nearer the new date.',
  },
} as const;

export const EVENT_STARTED_REASONS = { campus_meeting: EVENT_REASONS.campus_meeting.started, office_hours: EVENT_REASONS.office_hours.started };

export async function planMeetingStatements(
  trx: Transaction<Database>,
  offeringId: number,
  userIds: number[],
  s: MeetingSchedule,
  now: Date,
  horizonEnd: Date,
  spec: EventReminderSpec = { kind: 'campus_meeting', role: 'student' },
): Promise<Counts> {
  // Literals, not parameters: PostgreSQL picks the partial unique index (ON CONFLICT) from them.
  const kind = sql.lit(spec.kind);
  const role = sql.lit(spec.role);
  const why = EVENT_REASONS[spec.kind];
  const noLongerApplies = spec.kind === 'campus_meeting' ? sql`e.required is not true or e.all_day` : sql`e.all_day or e.kind <> 'office_hours'`;
  await sql`drop table if exists pg_temp.desired_meeting_reminder`.execute(trx);
  await sql`
    create temp table desired_meeting_reminder on commit drop as
    with sched as (
      select * from unnest(${s.zone}::text[], ${s.eventId}::int[], ${s.meetingOn}::date[], ${s.startsAt}::timestamptz[], ${s.sendAt}::timestamptz[])
        as s(zone, event_id, meeting_on, starts_at, send_at)
    )
    select u.id as user_id, s.event_id, s.meeting_on, s.starts_at, s.send_at
    from app_user u
    join sched s on s.zone = u.time_zone
    where u.id = any(${userIds}::int[]) and u.offering_id = ${offeringId} and u.role = ${role} and u.deactivated_at is null
      and u.meeting_reminders`.execute(trx);
  await sql`create index on desired_meeting_reminder (user_id, event_id)`.execute(trx);
  await sql`analyze desired_meeting_reminder`.execute(trx);

  const upserted = await sql`
    insert into reminder (kind, offering_id, user_id, calendar_event_id, target_on, offset_days, target_at, send_at)
    select ${kind}, ${offeringId}, d.user_id, d.event_id, d.meeting_on, 1, d.starts_at, d.send_at
    from desired_meeting_reminder d
    where not exists (
      select 1 from reminder r
      where r.kind = ${kind} and r.user_id = d.user_id and r.calendar_event_id = d.event_id
        and (r.status not in ('scheduled', 'cancelled') or (r.status = 'scheduled' and r.send_at = d.send_at and r.target_at = d.starts_at))
    )
    on conflict (user_id, calendar_event_id) where kind = ${kind}
    do update set send_at = excluded.send_at, target_at = excluded.target_at, target_on = excluded.target_on,
                  status = 'scheduled', reason = '', updated_at = now()
    where reminder.status in ('scheduled', 'cancelled')`.execute(trx);

  const withdrawn = await sql`
    update reminder r set
      status = case when r.target_at <= ${now} then 'skipped' else 'cancelled' end,
      reason = case
        when r.target_at <= ${now} then ${why.started}
        when u.deactivated_at is not null then ${why.removed}
        when e.status = 'cancelled' then ${why.cancelled}
        when ${noLongerApplies} then ${why.changed}
        when not u.meeting_reminders then ${why.optedOut}
        when e.starts_at <> r.target_at then ${why.moved}
        else 'No longer applies.'
      end,
      updated_at = now()
    from app_user u, calendar_event e
    where r.user_id = any(${userIds}::int[]) and u.id = r.user_id and e.id = r.calendar_event_id and r.offering_id = ${offeringId}
      and r.kind = ${kind} and r.status = 'scheduled' and r.target_at <= ${horizonEnd}
      and not exists (select 1 from desired_meeting_reminder d where d.user_id = r.user_id and d.event_id = r.calendar_event_id)`.execute(trx);
  return { upserted: affected(upserted), withdrawn: affected(withdrawn) };
}

/** A community learner's weekly nudge, per (zone, lesson week): its Monday, send instant and end of week in that zone. */
export interface NudgeSchedule {
  zone: string[];
  weekId: number[];
  weekOf: string[];
  endsAt: string[];
  sendAt: string[];
}

export async function planNudgeStatements(
  trx: Transaction<Database>,
  offeringId: number,
  userIds: number[],
  s: NudgeSchedule,
  now: Date,
  horizonEnd: Date,
): Promise<Counts> {
  await sql`drop table if exists pg_temp.desired_weekly_nudge`.execute(trx);
  await sql`
    create temp table desired_weekly_nudge on commit drop as
    with sched as (
      select * from unnest(${s.zone}::text[], ${s.weekId}::int[], ${s.weekOf}::date[], ${s.endsAt}::timestamptz[], ${s.sendAt}::timestamptz[])
        as s(zone, week_id, week_of, ends_at, send_at)
    )
    select u.id as user_id, s.week_id, s.week_of, s.ends_at, s.send_at
    from app_user u
    join sched s on s.zone = u.time_zone
    where u.id = any(${userIds}::int[]) and u.offering_id = ${offeringId} and u.role = 'community' and u.deactivated_at is null
      and u.weekly_nudge`.execute(trx);
  await sql`create index on desired_weekly_nudge (user_id, week_id)`.execute(trx);
  await sql`analyze desired_weekly_nudge`.execute(trx);

  const upserted = await sql`
    insert into reminder (kind, offering_id, user_id, course_week_id, target_on, offset_days, target_at, send_at)
    select 'weekly_nudge', ${offeringId}, d.user_id, d.week_id, d.week_of, 0, d.ends_at, d.send_at
    from desired_weekly_nudge d
    where not exists (
      select 1 from reminder r
      where r.kind = 'weekly_nudge' and r.user_id = d.user_id and r.course_week_id = d.week_id
        and (r.status not in ('scheduled', 'cancelled') or (r.status = 'scheduled' and r.send_at = d.send_at and r.target_at = d.ends_at))
    )
    on conflict (user_id, course_week_id) where kind = 'weekly_nudge'
    do update set send_at = excluded.send_at, target_at = excluded.target_at, target_on = excluded.target_on,
                  status = 'scheduled', reason = '', updated_at = now()
    where reminder.status in ('scheduled', 'cancelled')`.execute(trx);

  const withdrawn = await sql`
    update reminder r set
      status = case when r.target_at <= ${now} then 'skipped' else 'cancelled' end,
      reason = case
        when r.target_at <= ${now} then ${NUDGE_TOO_LATE}
        when u.deactivated_at is not null then 'The community learner was removed.'
        when not u.weekly_nudge then 'The learner turned the weekly nudge off.'
        else 'The course calendar changed: this is no longer a lesson week.'
      end,
      updated_at = now()
    from app_user u
    where r.user_id = any(${userIds}::int[]) and u.id = r.user_id and r.offering_id = ${offeringId}
      and r.kind = 'weekly_nudge' and r.status = 'scheduled' and r.send_at <= ${horizonEnd}
      and not exists (select 1 from desired_weekly_nudge d where d.user_id = r.user_id and d.week_id = r.course_week_id)`.execute(trx);
  return { upserted: affected(upserted), withdrawn: affected(withdrawn) };
}
