import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** What several features share about portfolios: extension requests (which move a student's
 * due date everywhere) and frozen portfolio submissions. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table extension_request (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  portfolio_requirement_id int not null references portfolio_requirement(id),
  reason text not null,
  proposed_due_on date not null,
  requested_at timestamptz not null,
  made_before_due boolean not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'declined', 'withdrawn')),
  decided_by int references app_user(id),
  decided_at timestamptz,
  decision_message text,
  granted_due_on date,
  granted_due_at timestamptz,
  check ((status = 'approved') = (granted_due_at is not null))
);
create index extension_request_user on extension_request (user_id, portfolio_requirement_id);
create unique index extension_request_one_approved on extension_request (user_id, portfolio_requirement_id) where status = 'approved';

create table portfolio_submission (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  portfolio_requirement_id int not null references portfolio_requirement(id),
  submitted_at timestamptz not null,
  due_at timestamptz not null,
  is_late boolean not null,
  late_by_seconds int not null default 0,
  is_complete boolean not null,
  missing jsonb not null default '[]'::jsonb,
  snapshot jsonb not null
);
create index portfolio_submission_user on portfolio_submission (user_id, portfolio_requirement_id, submitted_at desc);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
