import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * The instructor's daily digest (issue 16), owned by src/digest/. One row per instructor and
 * local date: the primary key is the exactly-once guard (the worker inserts it ON CONFLICT DO
 * NOTHING in the transaction that queues the email, so of several app instances only one
 * digests a day). Each run records the window it covered (the next run starts where it ended),
 * the students it counted as behind by 2+ lessons (the next run reports only newly behind ones)
 * and the outbox message, null when nothing was sent (nothing new, or the instructor opted out).
 * `app_user.digest_emails` (owned by accounts) is the opt-out, like `announcement_emails`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table app_user add column digest_emails boolean not null default true;

create table digest_run (
  instructor_id int not null references app_user (id),
  local_date date not null,
  window_start timestamptz not null,
  window_end timestamptz not null,
  behind_user_ids jsonb not null default '[]',
  outcome text not null check (outcome in ('queued', 'nothing_new', 'opted_out')),
  outbound_email_id bigint references outbound_email (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (instructor_id, local_date),
  check (window_start <= window_end)
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
