import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * The class overview's community group (issue 17) at 50,000 learners:
 * - `app_user_community_places`: the active community learners' countries and time zones, so the
 *   counts by country and by zone (one grouping-sets statement) are an index-only scan, never a
 *   read of every account row;
 * - `app_user_community_by_name`: the group listed by name, a page at a time.
 * Listing newest first uses app_user_offering_community (migration 0220).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create index app_user_community_places on app_user (offering_id, country, time_zone) where role = 'community' and deactivated_at is null;
create index app_user_community_by_name on app_user (offering_id, name, id) where role = 'community' and deactivated_at is null;
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
