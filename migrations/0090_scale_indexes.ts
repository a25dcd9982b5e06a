import { sql, type Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** What the hot queries need at 50,000 learners (bench/EXPLAIN.md shows the plans):
 * - the gradebook pages, counts and filters students by section in name order: an index
 *   that answers "students of this offering (and section), by name" from the index alone;
 * - the planner's cost of a random page read. PostgreSQL's default (4) models spinning disks;
 *   the working set here is in memory or on SSD, where 1.1 is the usual setting. With 4, the
 *   gradebook CSV's batched lookups (`user_id in (…1,000 ids…)`) scan whole tables once per
 *   batch instead of using the (user_id, …) indexes that exist;
 * - no parallel query: on a 2-core server that also serves the pages, launching workers costs
 *   more than the page-sized queries they would split (the class overview's "last work" for 50
 *   students: 26 ms with two workers, 3 ms without), and takes cores from other requests.
 * Both are set for this database only; a role without the right to ALTER DATABASE gets a notice
 * and the server's defaults (docs/scale.md says how to set them by hand). */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create index app_user_offering_students_by_section on app_user (offering_id, section_id, name, id) where role = 'student' and deactivated_at is null;
`,
  );
  // One statement (runStatements would split the block at its semicolons).
  await sql
    .raw(
      `do $$ begin
         execute format('alter database %I set random_page_cost = 1.1', current_database());
         execute format('alter database %I set max_parallel_workers_per_gather = 0', current_database());
       exception when others then
         raise notice 'random_page_cost and max_parallel_workers_per_gather left at the server defaults (%); see docs/scale.md', sqlerrm;
       end $$`,
    )
    .execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
