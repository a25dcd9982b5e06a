import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Whose claim an outbox message is under (src/mail/outbox.ts): each delivery run claims with its
 * own token and records an outcome only while the message is still claimed by that token, so a
 * run whose lease ran out cannot record over the run that took the message over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table outbound_email add column claim_token uuid;
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
