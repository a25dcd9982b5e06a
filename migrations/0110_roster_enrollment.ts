import { sql, type Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * The instructor keeps the roster (issue 13).
 *
 * Enrollment: `app_user.enrolled_at` is when the student's current (or, if dropped, last)
 * enrollment began; `app_user.deactivated_at` (already there) is when that enrollment ended by a
 * drop. Earlier, closed enrollments (a student dropped and re-enrolled) are kept in
 * `enrollment_period`, so attendance and absences for the first stretch stay honest. A student is
 * enrolled on a course-zone date when the current enrollment or a closed one covers it (src/roster/enrollment.ts).
 * A before-insert trigger fills enrolled_at from created_at, so every way of adding a user (import,
 * seed, bulk load, backup restore, which brings its own value) gets one.
 *
 * Email changes: a one-time token of purpose 'email_change' carries the address it confirms.
 *
 * The roster's append-only audit log: `audit_event`, one row per change an instructor makes to a
 * person (drop, re-enroll, name, email, section, time zone); the database refuses updates and deletes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table app_user add column enrolled_at timestamptz;
update app_user set enrolled_at = created_at;
alter table app_user alter column enrolled_at set not null;

create table enrollment_period (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  enrolled_at timestamptz not null,
  dropped_at timestamptz not null,
  check (dropped_at >= enrolled_at)
);
create index enrollment_period_user on enrollment_period (user_id, enrolled_at);

alter table user_token drop constraint user_token_purpose_check;
alter table user_token add constraint user_token_purpose_check check (purpose in ('invitation', 'password_reset', 'email_change'));
alter table user_token add column new_email text;
alter table user_token add constraint user_token_email_change check ((purpose = 'email_change') = (new_email is not null));

create table audit_event (
  id int generated always as identity primary key,
  offering_id int not null references course_offering(id),
  subject_user_id int not null references app_user(id),
  actor_id int references app_user(id),
  action text not null,
  old_value text,
  new_value text,
  at timestamptz not null
);
create index audit_event_subject on audit_event (subject_user_id, at)
`,
  );
  await sql
    .raw(
      `create function app_user_enrolled_at_default() returns trigger language plpgsql as $$
       begin
         new.enrolled_at := coalesce(new.enrolled_at, new.created_at, now());
         return new;
       end $$`,
    )
    .execute(db);
  await sql.raw(`create trigger app_user_enrolled_at before insert on app_user for each row execute function app_user_enrolled_at_default()`).execute(db);
  await sql
    .raw(
      `create function audit_event_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_event is an append-only audit log'; end $$`,
    )
    .execute(db);
  await sql
    .raw(`create trigger audit_event_no_update before update or delete on audit_event for each row execute function audit_event_append_only()`)
    .execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
