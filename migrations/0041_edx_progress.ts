import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** edX progress from the edX course grade report: each import (the log), the edX accounts of
 * matched students (the username for the fallback match), the editable mapping of report
 * subsection columns to our units (per edX course), each student's score per subsection as the
 * latest report gave it, and the per-unit progress computed from those through the mapping.
 * Plus the course grade, enrollment track and certificate status per student per edX course. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table edx_import (
  id int generated always as identity primary key,
  edx_course_id int not null references edx_course(id),
  imported_by int not null references app_user(id),
  imported_at timestamptz not null,
  file_name text not null,
  learner_rows int not null,
  matched int not null,
  matched_by_username int not null,
  unmatched int not null,
  subsection_columns int not null,
  progress_rows int not null,
  unmatched_rows jsonb not null default '[]'::jsonb
);
create index edx_import_course on edx_import (edx_course_id, imported_at desc);

create table edx_account (
  user_id int primary key references app_user(id),
  username text not null,
  edx_student_id text,
  linked_at timestamptz not null,
  linked_by int references app_user(id)
);
create unique index edx_account_username on edx_account (lower(username));

create table edx_subsection_map (
  id int generated always as identity primary key,
  edx_course_id int not null references edx_course(id),
  column_name text not null,
  position int not null,
  unit_id int references unit(id),
  source text not null check (source in ('guess', 'instructor')),
  updated_by int references app_user(id),
  updated_at timestamptz not null,
  last_import_id int not null references edx_import(id),
  unique (edx_course_id, column_name)
);

create table edx_subsection_score (
  user_id int not null references app_user(id),
  subsection_map_id int not null references edx_subsection_map(id),
  score numeric(5,4) not null check (score between 0 and 1),
  attempted boolean not null,
  import_id int not null references edx_import(id),
  primary key (user_id, subsection_map_id)
);
create index edx_subsection_score_map on edx_subsection_score (subsection_map_id);

create table edx_progress (
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  score numeric(5,4) not null check (score between 0 and 1),
  attempted boolean not null,
  subsections int not null,
  subsections_attempted int not null,
  import_id int not null references edx_import(id),
  updated_at timestamptz not null,
  primary key (user_id, unit_id)
);
create index edx_progress_unit on edx_progress (unit_id);

create table edx_course_grade (
  user_id int not null references app_user(id),
  edx_course_id int not null references edx_course(id),
  grade numeric(5,4) not null check (grade between 0 and 1),
  enrollment_track text not null default '',
  certificate_eligible boolean,
  certificate_delivered boolean,
  enrollment_status text not null default '',
  import_id int not null references edx_import(id),
  updated_at timestamptz not null,
  primary key (user_id, edx_course_id)
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
