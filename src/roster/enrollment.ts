import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * Who was enrolled on a day. A student is enrolled on a course-zone date when their current (or
 * last) enrollment covers it, from the date of `app_user.enrolled_at` to the date of
 * `app_user.deactivated_at` (the drop) inclusive, or when one of their closed earlier enrollments
 * (`enrollment_period`, a drop followed by a re-enrollment) does. Both ends are whole days in the
 * course zone: a student added on February 10 is on the sheet of a February 10 meeting; a student
 * dropped on March 2 is on March 2's sheet and on none after it.
 *
 * Every reader of attendance (the sheet, saving it, absence counts in the gradebook, the class
 * overview and the student's own page) filters with this one expression.
 *
 *   enrolledOn('u', sql`${'2020-02-11'}::date`, sql`${'America/Detroit'}`)
 */
export function enrolledOn(userAlias: string, day: RawBuilder<unknown>, zone: RawBuilder<unknown>): RawBuilder<SqlBool> {
  const u = (column: string) => sql.ref(`${userAlias}.${column}`);
  const dateOf = (at: RawBuilder<unknown>) => sql`(${at} at time zone ${zone})::date`;
  return sql<SqlBool>`(
    (${dateOf(sql`${u('enrolled_at')}`)} <= ${day} and (${u('deactivated_at')} is null or ${dateOf(sql`${u('deactivated_at')}`)} >= ${day}))
    or exists (
      select 1 from enrollment_period ep
      where ep.user_id = ${u('id')} and ${dateOf(sql`ep.enrolled_at`)} <= ${day} and ${dateOf(sql`ep.dropped_at`)} >= ${day}
    )
  )`;
}

/** A course-zone date as a SQL date. */
export const sqlDate = (on: string) => sql`${on}::date`;
