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

export async function planMeetingStatements(
  trx: Transaction<Database>,
  offeringId: number,
  userIds: number[],
  s: MeetingSchedule,
  now: Date,
  horizonEnd: Date,
): Promise<Counts> {
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
    where u.id = any(${userIds}::int[]) and u.offering_id = ${offeringId} and u.role = 'student' and u.deactivated_at is null
      and u.meeting_reminders`.execute(trx);
  await sql`create index on desired_meeting_reminder (user_id, event_id)`.execute(trx);
  await sql`analyze desired_meeting_reminder`.execute(trx);

  const upserted = await sql`
    insert into reminder (kind, offering_id, user_id, calendar_event_id, target_on, offset_days, target_at, send_at)
    select 'campus_meeting', ${offeringId}, d.user_id, d.event_id, d.meeting_on, 1, d.starts_at, d.send_at
    from desired_meeting_reminder d
    where not exists (
      select 1 from reminder r
      where r.kind = 'campus_meeting' and r.user_id = d.user_id and r.calendar_event_id = d.event_id
        and (r.status not in ('scheduled', 'cancelled') or (r.status = 'scheduled' and r.send_at = d.send_at and r.target_at = d.starts_at))
    )
    on conflict (user_id, calendar_event_id) where kind = 'campus_meeting'
    do update set send_at = excluded.send_at, target_at = excluded.target_at, target_on = excluded.target_on,
                  status = 'scheduled', reason = '', updated_at = now()
    where reminder.status in ('scheduled', 'cancelled')`.execute(trx);

  const withdrawn = await sql`
    update reminder r set
      status = case when r.target_at <= ${now} then 'skipped' else 'cancelled' end,
      reason = case
        when r.target_at <= ${now} then 'The meeting started before this reminder was sent.'
        when u.deactivated_at is not null then 'The student was removed from the roster.'
        when e.status = 'cancelled' then 'The meeting was cancelled.'
        when e.required is not true or e.all_day then 'The meeting is no longer a required campus meeting.'
        when not u.meeting_reminders then 'The student opted out of meeting reminders.'
        when e.starts_at <> r.target_at then 'The meeting moved; its reminder is planned again nearer the new date.'
        else 'No longer applies.'
      end,
      updated_at = now()
    from app_user u, calendar_event e
    where r.user_id = any(${userIds}::int[]) and u.id = r.user_id and e.id = r.calendar_event_id and r.offering_id = ${offeringId}
      and r.kind = 'campus_meeting' and r.status = 'scheduled' and r.target_at <= ${horizonEnd}
      and not exists (select 1 from desired_meeting_reminder d where d.user_id = r.user_id and d.event_id = r.calendar_event_id)`.execute(trx);
  return { upserted: affected(upserted), withdrawn: affected(withdrawn) };
}
