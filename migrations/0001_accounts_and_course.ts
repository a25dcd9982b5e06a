import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** The course as data (offering, sections, edX courses, units, components, weeks, events,
 * portfolio requirements), accounts, one-time tokens, sessions and the email outbox. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table course_offering (
  id int generated always as identity primary key,
  slug text not null unique,
  code text not null,
  title text not null,
  term text not null,
  time_zone text not null,
  meeting_weekday int not null check (meeting_weekday between 1 and 7),
  meeting_starts text not null check (meeting_starts ~ '^[0-2][0-9]:[0-5][0-9]$'),
  meeting_ends text not null check (meeting_ends ~ '^[0-2][0-9]:[0-5][0-9]$'),
  open_room_starts text,
  open_room_ends text,
  location text not null,
  instructor_name text not null,
  instructor_email text not null,
  instructor_phone text,
  social_url text,
  starts_on date not null,
  ends_on date not null,
  created_at timestamptz not null default now()
);

create table section (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  code text not null,
  title text not null,
  unique (offering_id, code)
);

create table edx_course (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  code text not null,
  title text not null,
  edx_url text not null,
  discussion_url text,
  position int not null,
  unique (offering_id, code),
  unique (offering_id, position)
);

create table lesson_component (
  id int generated always as identity primary key,
  position int not null unique,
  slug text not null unique,
  name text not null,
  purpose text not null
);

create table unit (
  id int generated always as identity primary key,
  edx_course_id int not null references edx_course(id),
  position int not null,
  kind text not null check (kind in ('kickoff', 'lesson', 'closing')),
  lesson_number int check (lesson_number between 1 and 99),
  title text not null,
  summary text not null default '',
  unique (edx_course_id, position),
  unique (edx_course_id, lesson_number),
  check ((kind = 'lesson') = (lesson_number is not null))
);

create table course_week (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  starts_on date not null,
  kind text not null check (kind in ('intro', 'lesson', 'portfolio', 'break')),
  edx_course_id int references edx_course(id),
  unit_id int references unit(id),
  label text not null,
  unique (offering_id, starts_on)
);

create table portfolio_requirement (
  id int generated always as identity primary key,
  edx_course_id int not null unique references edx_course(id),
  title text not null,
  due_on date not null,
  due_at timestamptz not null
);

create table calendar_event (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  uid text not null unique,
  kind text not null check (kind in ('launch_party', 'edx_go_live', 'campus_meeting', 'no_class', 'office_hours', 'extra_session', 'portfolio_due')),
  title text not null,
  description text not null default '',
  starts_at timestamptz not null,
  ends_at timestamptz,
  all_day boolean not null default false,
  required boolean,
  course_week_id int references course_week(id),
  edx_course_id int references edx_course(id),
  portfolio_requirement_id int references portfolio_requirement(id),
  location text,
  video_url text,
  status text not null default 'scheduled' check (status in ('scheduled', 'cancelled')),
  sequence int not null default 0,
  updated_at timestamptz not null default now()
);
create index calendar_event_offering_starts on calendar_event (offering_id, starts_at);

create table app_user (
  id int generated always as identity primary key,
  email text not null,
  name text not null,
  role text not null check (role in ('instructor', 'student')),
  offering_id int not null references course_offering(id),
  section_id int references section(id),
  time_zone text not null default 'America/Detroit',
  password_hash text,
  meeting_reminders boolean not null default true,
  created_at timestamptz not null default now(),
  activated_at timestamptz,
  last_login_at timestamptz,
  deactivated_at timestamptz,
  check (role = 'instructor' or section_id is not null)
);
create unique index app_user_email on app_user (lower(email));
create index app_user_section on app_user (section_id) where deactivated_at is null;

create table user_token (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  purpose text not null check (purpose in ('invitation', 'password_reset')),
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index user_token_user on user_token (user_id);

create table http_session (
  sid text primary key,
  sess jsonb not null,
  expires_at timestamptz not null
);
create index http_session_expires on http_session (expires_at);

create table outbound_email (
  id bigint generated always as identity primary key,
  dedupe_key text unique,
  kind text not null,
  user_id int references app_user(id),
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  headers jsonb not null default '{}'::jsonb,
  message_id text not null unique,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now()
);
create index outbound_email_due on outbound_email (next_attempt_at) where status in ('pending', 'sending');
create index outbound_email_user on outbound_email (user_id);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore from a backup (npm run export / import) instead.');
}
