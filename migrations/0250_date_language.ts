import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * The language of dates (issue 17): how dates and times are written for each person (src/time.ts,
 * DATE_LANGUAGES), chosen on /settings. Existing accounts keep the course's US English.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table app_user add column date_language text not null default 'en-US' check (date_language ~ '^[a-z]{2,3}(-[A-Z]{2})?$');
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
