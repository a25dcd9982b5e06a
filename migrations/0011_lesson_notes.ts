import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** The rest of a lesson page's own work: Enrichment entries (web explorations and references,
 * soft-deleted), the private Clarification/Community Engagement note (append-only: the latest
 * row per student and unit is current), Celebrate Success shares (moderated by the instructor);
 * and the indexes the access rule and the Team Practice offer need. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table enrichment_entry (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  kind text not null check (kind in ('web_exploration', 'reference')),
  title text not null,
  url text,
  citation text,
  created_at timestamptz not null,
  deleted_at timestamptz,
  check (url is not null or citation is not null)
);
create index enrichment_entry_user_unit on enrichment_entry (user_id, unit_id) where deleted_at is null;

create table lesson_note (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  body text not null,
  created_at timestamptz not null
);
create index lesson_note_user_unit on lesson_note (user_id, unit_id, id desc);

create table celebrate_share (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  unit_id int not null references unit(id),
  body text not null,
  created_at timestamptz not null,
  deleted_at timestamptz,
  hidden_at timestamptz,
  hidden_by int references app_user(id),
  check ((hidden_at is null) = (hidden_by is null))
);
create index celebrate_share_unit on celebrate_share (unit_id, id desc) where deleted_at is null;

-- Who may read a file or a student's work (src/attachments/access.ts): part of a team artifact?
-- an active peer assessor of its owner?
create index team_artifact_version_attachment on team_artifact_version (attachment_id) where attachment_id is not null;
create index peer_assignment_assessor_active on peer_assignment (assessor_id, assessee_id) where replaced_at is null;

-- Team Practice: the open teams of a unit, sized by an index-only pass over active memberships.
create index team_membership_unit_active on team_membership (unit_id, team_id, joined_at) where left_at is null;
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
