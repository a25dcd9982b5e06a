import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** iLEAD Developmental Progressions. The rubric is versioned data (a version, its four stage
 * names, its groups, its objectives and each objective's stage descriptors, null where the draft
 * leaves a cell empty); a later revision loads beside it. Partnerships of app users record dated
 * self-assessments whose entries reference the objective rows of the version they used, so
 * loading a new version never touches a past assessment. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table progression_rubric (
  id int generated always as identity primary key,
  key text not null unique,
  label text not null,
  title text not null,
  source text not null,
  source_note text not null default '',
  caution text not null default '',
  loaded_at timestamptz not null default now()
);

create table progression_stage (
  rubric_id int not null references progression_rubric(id),
  number int not null check (number between 1 and 4),
  name text not null,
  primary key (rubric_id, number)
);

create table progression_group (
  id int generated always as identity primary key,
  rubric_id int not null references progression_rubric(id),
  key text not null check (key in ('ihe', 'lea', 'partnership')),
  name text not null,
  description text not null default '',
  position int not null,
  unique (rubric_id, key),
  unique (rubric_id, position)
);

create table progression_objective (
  id int generated always as identity primary key,
  rubric_id int not null references progression_rubric(id),
  group_id int not null references progression_group(id),
  number int not null check (number >= 1),
  title text not null,
  unique (rubric_id, number)
);

create table progression_descriptor (
  objective_id int not null references progression_objective(id),
  stage int not null check (stage between 1 and 4),
  body text,
  gap text check (gap in ('empty', 'cut short')),
  primary key (objective_id, stage),
  check ((body is null) = (gap is not null))
);

create table partnership (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  name text not null,
  ihe text not null,
  lea text not null,
  created_by int not null references app_user(id),
  created_at timestamptz not null
);
create unique index partnership_offering_name on partnership (offering_id, lower(name));

create table partnership_member (
  partnership_id int not null references partnership(id),
  user_id int not null references app_user(id),
  added_at timestamptz not null,
  primary key (partnership_id, user_id)
);
create index partnership_member_user on partnership_member (user_id);

create table progression_assessment (
  id int generated always as identity primary key,
  partnership_id int not null references partnership(id),
  rubric_id int not null references progression_rubric(id),
  assessed_on date not null,
  created_by int not null references app_user(id),
  created_at timestamptz not null,
  copied_from int references progression_assessment(id),
  unique (partnership_id, assessed_on)
);

create table progression_assessment_entry (
  assessment_id int not null references progression_assessment(id),
  objective_id int not null references progression_objective(id),
  stage int not null check (stage between 0 and 4),
  evidence text not null default '',
  next_steps text not null default '',
  primary key (assessment_id, objective_id)
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
