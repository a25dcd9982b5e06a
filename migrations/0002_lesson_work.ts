import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** A student's lesson work: component completions, study guides (versioned), uploads,
 * Team Practice teams and their shared, versioned team artifacts. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table component_completion (
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  component_id int not null references lesson_component(id),
  completed_at timestamptz not null,
  primary key (user_id, unit_id, component_id)
);
create index component_completion_completed on component_completion (completed_at);

create table attachment (
  id int generated always as identity primary key,
  owner_user_id int not null references app_user(id),
  original_name text not null,
  content_type text not null,
  byte_size int not null,
  sha256 text not null,
  content bytea not null,
  created_at timestamptz not null default now()
);

create table study_guide (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  created_at timestamptz not null,
  deleted_at timestamptz,
  unique (user_id, unit_id)
);

create table study_guide_version (
  id int generated always as identity primary key,
  study_guide_id int not null references study_guide(id),
  version_no int not null,
  body_md text not null,
  attachment_id int references attachment(id),
  created_at timestamptz not null,
  unique (study_guide_id, version_no)
);

create table team (
  id int generated always as identity primary key,
  unit_id int not null references unit(id),
  name text not null,
  created_by int not null references app_user(id),
  created_at timestamptz not null
);
create index team_unit on team (unit_id);

create table team_membership (
  id int generated always as identity primary key,
  team_id int not null references team(id),
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  joined_at timestamptz not null,
  left_at timestamptz
);
create unique index team_membership_one_team_per_unit on team_membership (user_id, unit_id) where left_at is null;
create index team_membership_team on team_membership (team_id) where left_at is null;

create table team_artifact_version (
  id int generated always as identity primary key,
  team_id int not null references team(id),
  version_no int not null,
  body_md text not null default '',
  attachment_id int references attachment(id),
  uploaded_by int not null references app_user(id),
  created_at timestamptz not null,
  unique (team_id, version_no)
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
