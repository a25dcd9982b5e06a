import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Protections shared by every app instance (nothing kept in one process's memory):
 *  - throttle_hit: sliding-window counters for login and password-reset limits (src/http/throttle.ts),
 *    keyed on the normalized identity or the client address, in one-minute buckets;
 *  - password_reset_request: "forgot password" requests, answered by the worker, so the page's
 *    answer takes the same time whether or not the address has an account (src/accounts/);
 *  - an index to find a user's file with the same bytes (uploads are de-duplicated, src/attachments/).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table throttle_hit (
  key text not null,
  bucket timestamptz not null,
  hits int not null default 0,
  primary key (key, bucket)
);
create index throttle_hit_bucket on throttle_hit (bucket);

create table password_reset_request (
  id bigserial primary key,
  email text not null,
  requested_at timestamptz not null default now()
);

create index attachment_owner_sha256 on attachment (owner_user_id, sha256);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
