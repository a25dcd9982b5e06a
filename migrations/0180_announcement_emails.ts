import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * One-click unsubscribe (issue 16): a student may stop announcements by email (they still read
 * them in the app). Meeting reminders already have `meeting_reminders`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `alter table app_user add column announcement_emails boolean not null default true;`);
}
