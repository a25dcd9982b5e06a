import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * LTI 1.3 launches (issue 18), owned by src/lti/. Everything a launch needs between requests is
 * kept here, server-side, keyed by an unguessable value, so the handshake never depends on a
 * cookie set inside the platform's iframe and works across app instances:
 * - `lti_login_state`: one row per OIDC login (the `state` we send, hashed, and the `nonce` the
 *   id_token must carry); used once.
 * - `lti_user_link`: a platform's `sub` linked to one of our accounts, per platform.
 * - `lti_pending_link`: a launch whose learner must confirm with their Cohort Companion sign-in once.
 * - `lti_handoff`: a single-use, short-lived code that signs the launcher in (in the frame, or in a
 *   new window when the frame cannot keep a session).
 * - `lti_deep_link_request`: a Deep Linking request waiting for the course team's choice.
 * - `lti_grade_target`: the AGS line item a learner's launch named for a portfolio (the only place
 *   scores for it go), and `lti_score_post`: each score to send, through the worker, exactly once per
 *   grade change, with what the platform answered.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table lti_login_state (
  state_hash text primary key,
  nonce text not null unique,
  platform_id int not null references lti_platform (id),
  deployment_id text,
  target_link_uri text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index lti_login_state_expiry on lti_login_state (expires_at);

create table lti_user_link (
  platform_id int not null references lti_platform (id),
  sub text not null,
  user_id int not null references app_user (id),
  linked_by text not null check (linked_by in ('email', 'sign-in')),
  linked_at timestamptz not null,
  last_launch_at timestamptz not null,
  primary key (platform_id, sub),
  unique (platform_id, user_id)
);
create index lti_user_link_user on lti_user_link (user_id);

create table lti_pending_link (
  token_hash text primary key,
  platform_id int not null references lti_platform (id),
  sub text not null,
  landing jsonb not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);

create table lti_handoff (
  code_hash text primary key,
  user_id int not null references app_user (id),
  platform_id int not null references lti_platform (id),
  target text not null,
  notice text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);

create table lti_deep_link_request (
  token_hash text primary key,
  platform_id int not null references lti_platform (id),
  deployment_id text not null,
  return_url text not null,
  data text,
  accept_multiple boolean not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);

create table lti_grade_target (
  user_id int not null references app_user (id),
  requirement_id int not null references portfolio_requirement (id),
  platform_id int not null references lti_platform (id),
  lineitem text not null,
  can_post_scores boolean not null,
  updated_at timestamptz not null,
  primary key (user_id, requirement_id, platform_id)
);

create table lti_score_post (
  id int generated always as identity primary key,
  grade_event_id int not null references grade_event (id),
  user_id int not null references app_user (id),
  requirement_id int not null references portfolio_requirement (id),
  platform_id int not null references lti_platform (id),
  lineitem text not null,
  score_given numeric not null,
  graded_at timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null,
  claimed_until timestamptz,
  last_status int,
  last_answer text,
  sent_at timestamptz,
  created_at timestamptz not null,
  unique (grade_event_id, platform_id)
);
create index lti_score_post_due on lti_score_post (next_attempt_at) where status = 'pending';
create index lti_score_post_student on lti_score_post (user_id, requirement_id, id desc);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
