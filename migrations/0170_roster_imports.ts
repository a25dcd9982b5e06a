import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Roster imports in two steps (issue 13): an upload is staged here, decoded, with the encoding
 * and delimiter it was read with, and previewed; nothing is written to app_user until the
 * instructor confirms. Small imports run in the confirming request; large ones are queued and
 * a worker claims them (FOR UPDATE SKIP LOCKED), running each all-or-nothing in one transaction.
 * `status` goes preview → done, or preview → queued → running → done | failed. `locked_until`
 * is the running worker's lease: a crashed worker's import (its transaction rolled back) is
 * claimed again after it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table roster_import (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  created_by int not null references app_user(id),
  created_at timestamptz not null,
  file_name text,
  encoding text not null,
  delimiter text not null check (delimiter in (',', ';', E'\\t')),
  csv_text text not null,
  row_count int not null,
  status text not null default 'preview' check (status in ('preview', 'queued', 'running', 'done', 'failed')),
  processed int not null default 0,
  created_count int not null default 0,
  error text,
  locked_until timestamptz,
  updated_at timestamptz not null
);
create index roster_import_offering on roster_import (offering_id, created_at);
create index roster_import_due on roster_import (id) where status in ('queued', 'running')
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
