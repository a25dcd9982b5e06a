import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Addresses the SMTP server refused permanently (a 5xx for the recipient), owned by src/mail/:
 * the outbox writes the mark in the same transaction as the message's failed outcome, and sends
 * nothing more to the address until the mark is cleared (address changed, or "Retry email").
 * `address` is normalized (trimmed, lower case), as the outbox compares it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table undeliverable_address (
  address text primary key,
  smtp_reply text not null,
  marked_at timestamptz not null default now(),
  outbound_email_id bigint references outbound_email (id) on delete set null
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
