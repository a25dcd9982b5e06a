import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** The rest of what a portfolio is made of: the personal reflection (versioned), peer
 * assignments and peer assessments; and Learning Check responses (append-only: the latest row
 * per student and unit is current, earlier ones are its history). */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table portfolio_reflection (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  portfolio_requirement_id int not null references portfolio_requirement(id),
  created_at timestamptz not null,
  unique (user_id, portfolio_requirement_id)
);

create table portfolio_reflection_version (
  id int generated always as identity primary key,
  reflection_id int not null references portfolio_reflection(id),
  version_no int not null,
  body_md text not null,
  created_at timestamptz not null,
  unique (reflection_id, version_no)
);

create table peer_assignment (
  id int generated always as identity primary key,
  portfolio_requirement_id int not null references portfolio_requirement(id),
  assessor_id int not null references app_user(id),
  assessee_id int not null references app_user(id),
  assigned_by int not null references app_user(id),
  assigned_at timestamptz not null,
  seed text,
  replaced_at timestamptz,
  check (assessor_id <> assessee_id)
);
create unique index peer_assignment_one_per_assessor on peer_assignment (portfolio_requirement_id, assessor_id) where replaced_at is null;
create unique index peer_assignment_one_per_assessee on peer_assignment (portfolio_requirement_id, assessee_id) where replaced_at is null;

create table peer_assessment (
  id int generated always as identity primary key,
  peer_assignment_id int not null references peer_assignment(id),
  portfolio_requirement_id int not null references portfolio_requirement(id),
  assessor_id int not null references app_user(id),
  assessee_id int not null references app_user(id),
  version_no int not null,
  collegial_interactions text not null,
  work_products text not null,
  strength text not null,
  suggestion text not null,
  comments text not null default '',
  status text not null check (status in ('draft', 'submitted')),
  created_at timestamptz not null,
  unique (peer_assignment_id, version_no)
);
create index peer_assessment_assessee on peer_assessment (portfolio_requirement_id, assessee_id);

create table learning_check_response (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  understanding text not null,
  strengths text not null,
  weaknesses text not null,
  submitted_at timestamptz not null
);
create index learning_check_response_user_unit on learning_check_response (user_id, unit_id, submitted_at desc);
create index learning_check_response_unit on learning_check_response (unit_id, submitted_at desc);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
