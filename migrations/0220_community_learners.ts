import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Community learners (issue 17): the online learners beside the campus cohort.
 *
 * - `app_user.role` gains 'community': not in a UM section, never graded, no campus meetings or
 *   portfolio deadlines. Every reader that filters `role = 'student'` (gradebook, attendance, S/U,
 *   peer assessment, reminders of the campus kinds) leaves them out by construction.
 * - `app_user.country` (ISO 3166-1 alpha-2, given when joining) and `weekly_nudge` (the optional
 *   Monday "this week's lesson" email, on by default, owned by accounts like the other opt-outs).
 * - `join_link` (owned by src/community/): the instructor's invitation to the community, optionally
 *   limited in uses and time, revocable. `uses` counts accounts created through it.
 * - `join_request` (owned by src/community/): what a person typed on /join/CODE, waiting for the
 *   one-time email confirmation (only the token's hash is kept). The account is created only when
 *   the address is confirmed, so nobody is counted before then.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table app_user drop constraint app_user_role_check;
alter table app_user add constraint app_user_role_check check (role in ('instructor', 'student', 'community'));
alter table app_user drop constraint app_user_check;
alter table app_user add constraint app_user_section_check check (role <> 'student' or section_id is not null);
alter table app_user add column country text check (country ~ '^[A-Z]{2}$');
alter table app_user add column weekly_nudge boolean not null default true;
create index app_user_offering_community on app_user (offering_id, created_at desc, id) where role = 'community';

create table join_link (
  id int generated always as identity primary key,
  offering_id int not null references course_offering (id),
  code text not null unique check (code ~ '^[A-Za-z0-9_-]{8,64}$'),
  label text not null default '',
  created_by int not null references app_user (id),
  created_at timestamptz not null,
  expires_at timestamptz,
  max_uses int check (max_uses is null or max_uses > 0),
  uses int not null default 0 check (uses >= 0),
  revoked_at timestamptz,
  check (max_uses is null or uses <= max_uses)
);
create index join_link_offering on join_link (offering_id, created_at desc);

create table join_request (
  id bigint generated always as identity primary key,
  join_link_id int not null references join_link (id),
  email text not null,
  name text not null,
  time_zone text not null,
  country text not null check (country ~ '^[A-Z]{2}$'),
  token_hash text not null unique,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  confirmed_at timestamptz,
  user_id int references app_user (id)
);
create index join_request_email on join_request (lower(email), created_at desc);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
