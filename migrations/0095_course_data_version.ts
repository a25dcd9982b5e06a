import { sql, type Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * A version number for the course as data (offering, sections, edX courses, components, units,
 * weeks, portfolio requirements, calendar events), so every app instance can keep the course in
 * memory and still see an instructor's change on its next request: src/course/course-cache.ts
 * reads this one row per request and reloads the course when the number moved.
 *
 * A statement-level trigger on each of those tables sets the number from a sequence whenever a
 * statement changes them. Sequence values are never handed out twice, even by a transaction
 * that rolls back, so a number names one committed state of the course (or none).
 */
const courseTables = ['course_offering', 'section', 'edx_course', 'lesson_component', 'unit', 'course_week', 'portfolio_requirement', 'calendar_event'];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create sequence course_data_version_seq;
create table course_data_version (
  id int primary key check (id = 1),
  version bigint not null
);
insert into course_data_version (id, version) values (1, nextval('course_data_version_seq'));
`,
  );
  // One statement (runStatements would split the function body at its semicolons).
  await sql
    .raw(
      `create function bump_course_data_version() returns trigger language plpgsql as $$
       begin
         update course_data_version set version = nextval('course_data_version_seq') where id = 1;
         return null;
       end $$`,
    )
    .execute(db);
  for (const table of courseTables) {
    await sql
      .raw(
        `create trigger ${table}_bumps_course_version after insert or update or delete on ${table} for each statement execute function bump_course_data_version()`,
      )
      .execute(db);
    await sql
      .raw(`create trigger ${table}_truncate_bumps_course_version after truncate on ${table} for each statement execute function bump_course_data_version()`)
      .execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
