import { sql } from 'kysely';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';
import { enrolledOn } from '../roster/enrollment';

/**
 * Absences from required campus meetings, per student and per edX course, for the gradebook and
 * the class overview. Counts current records marked "absent" (an excused absence is not counted)
 * at required meetings that were not cancelled, held on a day the student was enrolled (a record
 * from before they joined or after they were dropped is not an absence; src/roster/enrollment.ts). Every requested student gets a map holding every
 * edX course of the offering (0 when none). Batched: two queries for any number of students.
 */
export async function absencesFromRequiredMeetings(db: Db, offeringId: number, userIds: number[]): Promise<Map<number, Map<number, number>>> {
  const result = new Map<number, Map<number, number>>();
  if (userIds.length === 0) return result;
  const [courses, counts] = await Promise.all([
    db.selectFrom('edx_course').select('id').where('offering_id', '=', offeringId).orderBy('position').execute(),
    db
      .selectFrom('attendance_record as a')
      .innerJoin('calendar_event as e', 'e.id', 'a.calendar_event_id')
      .innerJoin('course_offering as o', 'o.id', 'e.offering_id')
      .innerJoin('app_user as u', 'u.id', 'a.user_id')
      .select(['a.user_id', 'e.edx_course_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('e.offering_id', '=', offeringId)
      .where('e.kind', '=', 'campus_meeting')
      .where('e.required', '=', true)
      .where('e.status', '=', 'scheduled')
      .where('a.status', '=', 'absent')
      .where('a.superseded_at', 'is', null)
      .where('a.user_id', '=', anyOf(userIds))
      .where(enrolledOn('u', sql`(e.starts_at at time zone o.time_zone)::date`, sql`o.time_zone`))
      .groupBy(['a.user_id', 'e.edx_course_id'])
      .execute(),
  ]);
  for (const userId of userIds) result.set(userId, new Map(courses.map((c) => [c.id, 0])));
  for (const c of counts) {
    if (c.edx_course_id === null) continue;
    result.get(c.user_id)?.set(c.edx_course_id, Number(c.n));
  }
  return result;
}
