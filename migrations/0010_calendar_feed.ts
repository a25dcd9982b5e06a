import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Personal calendar feeds: one live secret per user for /calendar/feed/:token.ics.
 * The token is stored as issued (not hashed) so the calendar page can show the subscribe URL
 * again whenever the student adds another device; it grants read-only access to the course
 * calendar and the student's own deadlines, and is revoked by regenerating or turning it off.
 * Revoked rows stay (revoked_at) as the history of links that once worked.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table calendar_feed (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  token text not null unique check (length(token) >= 32),
  created_at timestamptz not null,
  revoked_at timestamptz
);
create unique index calendar_feed_one_live on calendar_feed (user_id) where revoked_at is null;
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
