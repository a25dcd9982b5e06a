import { sql, type Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * A version number for who is in the class: moved (from a sequence, so never reused) by any
 * statement that adds or removes users or changes a user's role, offering, section or
 * deactivation. The instructor pages' "N students" totals are cached against it
 * (src/roster/class-size.ts): counting 50,000 students on every page view cost more than the
 * rest of the page's queries. A login (last_login_at) does not move it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create sequence roster_version_seq;
create table roster_version (
  id int primary key check (id = 1),
  version bigint not null
);
insert into roster_version (id, version) values (1, nextval('roster_version_seq'));
`,
  );
  await sql
    .raw(
      `create function bump_roster_version() returns trigger language plpgsql as $$
       begin
         update roster_version set version = nextval('roster_version_seq') where id = 1;
         return null;
       end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger app_user_bumps_roster_version after insert or delete or update of role, offering_id, section_id, deactivated_at on app_user for each statement execute function bump_roster_version()`,
    )
    .execute(db);
  await sql
    .raw(`create trigger app_user_truncate_bumps_roster_version after truncate on app_user for each statement execute function bump_roster_version()`)
    .execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
