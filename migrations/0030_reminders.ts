import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** Email reminders as a durable schedule: one row per (student, target, offset), planned from
 * the current state of the course and claimed by workers with FOR UPDATE SKIP LOCKED; the
 * planner's bookkeeping (one row, plus a hash per student of what shaped their plan, so a
 * change re-plans only the students it touched); and the instructor's announcements. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table reminder (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('portfolio_deadline', 'campus_meeting')),
  -- Copied from the student's app_user row by the planner, for the instructor's list (no foreign
  -- key: the planner is its only writer, and a check on each of 100,000s of inserts is not free).
  offering_id int not null,
  user_id int not null references app_user(id),
  portfolio_requirement_id int references portfolio_requirement(id),
  calendar_event_id int references calendar_event(id),
  target_on date not null,
  offset_days int not null check (offset_days >= 0),
  target_at timestamptz not null,
  send_at timestamptz not null,
  status text not null default 'scheduled' check (status in ('scheduled', 'claimed', 'queued', 'sent', 'failed', 'skipped', 'cancelled')),
  reason text not null default '',
  claim_token uuid,
  claimed_until timestamptz,
  outbound_email_id bigint references outbound_email(id),
  queued_at timestamptz,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'portfolio_deadline') = (portfolio_requirement_id is not null)),
  check ((kind = 'campus_meeting') = (calendar_event_id is not null)),
  check ((status = 'claimed') = (claim_token is not null and claimed_until is not null)),
  check (status not in ('queued', 'sent') or outbound_email_id is not null)
);
create unique index reminder_portfolio_key on reminder (user_id, portfolio_requirement_id, target_on, offset_days) where kind = 'portfolio_deadline';
create unique index reminder_meeting_key on reminder (user_id, calendar_event_id) where kind = 'campus_meeting';
create unique index reminder_outbound_email on reminder (outbound_email_id) where outbound_email_id is not null;
create index reminder_due on reminder (send_at, id) where status in ('scheduled', 'claimed');
create index reminder_queued on reminder (outbound_email_id) where status = 'queued';

create table reminder_planner (
  id int primary key check (id = 1),
  fingerprint text not null default '',
  planned_as_of timestamptz,
  planned_at timestamptz,
  -- While one worker plans (in chunks), the others send instead of planning the same thing.
  planning_until timestamptz
);

create table reminder_plan_state (
  user_id int primary key references app_user(id),
  state_hash int not null
);

create table announcement (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  section_id int references section(id),
  subject text not null,
  body_md text not null,
  sent_by int not null references app_user(id),
  created_at timestamptz not null,
  recipient_count int not null,
  form_nonce uuid not null unique
);
create index announcement_offering on announcement (offering_id, created_at desc);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
