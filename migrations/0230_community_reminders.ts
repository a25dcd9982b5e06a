import { sql, type Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Reminders for community learners (issue 17), two new kinds in the planner's `reminder` table:
 *
 * - `weekly_nudge`: "this week's lesson", 09:00 on the lesson week's Monday in the learner's zone.
 *   One row per (learner, course_week): the new `course_week_id` names the week, and the partial
 *   unique index is the exactly-once key (as for the other kinds, several workers plan and claim
 *   through the same rows).
 * - `office_hours`: the day before each virtual office hours event, like a campus meeting
 *   reminder; one row per (learner, calendar_event).
 *
 * The table's checks were written for two kinds (unnamed, so PostgreSQL named them); they are
 * found by what they say and replaced.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const checks = await sql<{ conname: string; def: string }>`
    select conname, pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = 'reminder'::regclass and contype = 'c'`.execute(db);
  const isKindList = (def: string) => def.includes("'campus_meeting'") && !def.includes('_id');
  const isMeetingEvent = (def: string) => def.includes("'campus_meeting'") && def.includes('calendar_event_id');
  const replaced = checks.rows.filter((c) => isKindList(c.def) || isMeetingEvent(c.def));
  if (replaced.length !== 2) throw new Error(`0230: expected the reminder table's two kind checks, found ${replaced.length}`);
  for (const c of replaced) await sql`alter table reminder drop constraint ${sql.id(c.conname)}`.execute(db);
  await runStatements(
    db,
    `
alter table reminder add column course_week_id int references course_week (id);
alter table reminder add constraint reminder_kind_check check (kind in ('portfolio_deadline', 'campus_meeting', 'office_hours', 'weekly_nudge'));
alter table reminder add constraint reminder_event_check check ((kind in ('campus_meeting', 'office_hours')) = (calendar_event_id is not null));
alter table reminder add constraint reminder_week_check check ((kind = 'weekly_nudge') = (course_week_id is not null));
create unique index reminder_office_hours_key on reminder (user_id, calendar_event_id) where kind = 'office_hours';
create unique index reminder_weekly_nudge_key on reminder (user_id, course_week_id) where kind = 'weekly_nudge';
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
