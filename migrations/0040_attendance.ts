import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** Instructor operations: attendance at campus meetings (re-recording supersedes a row, so the
 * history stays), students' advance notices of an expected absence, and the change log of
 * calendar events the instructor adds, moves or cancels. Plus the indexes the class overview
 * pages students by and reads their last activity with. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table attendance_record (
  id int generated always as identity primary key,
  calendar_event_id int not null references calendar_event(id),
  user_id int not null references app_user(id),
  status text not null check (status in ('present', 'absent', 'excused')),
  note text not null default '',
  recorded_by int not null references app_user(id),
  recorded_at timestamptz not null,
  superseded_at timestamptz
);
create unique index attendance_record_current on attendance_record (calendar_event_id, user_id) where superseded_at is null;
create index attendance_record_user on attendance_record (user_id) where superseded_at is null;

create table absence_notice (
  id int generated always as identity primary key,
  calendar_event_id int not null references calendar_event(id),
  user_id int not null references app_user(id),
  reason text not null,
  submitted_at timestamptz not null,
  superseded_at timestamptz
);
create unique index absence_notice_current on absence_notice (calendar_event_id, user_id) where superseded_at is null;
create index absence_notice_user on absence_notice (user_id) where superseded_at is null;

create table calendar_event_change (
  id int generated always as identity primary key,
  calendar_event_id int not null references calendar_event(id),
  sequence int not null,
  action text not null check (action in ('created', 'changed', 'cancelled')),
  changed_by int not null references app_user(id),
  changed_at timestamptz not null,
  previous jsonb,
  note text not null default ''
);
create index calendar_event_change_event on calendar_event_change (calendar_event_id, sequence);

create index app_user_offering_students_by_name on app_user (offering_id, name, id) where role = 'student' and deactivated_at is null;
create index team_artifact_version_uploaded_by on team_artifact_version (uploaded_by, created_at);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
