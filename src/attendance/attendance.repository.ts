import type { ActiveStudentIds } from '../accounts/users.repository';
import { localDay } from '../db/local-day';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { AttendanceStatus } from './attendance.tables';
import { anyOf } from '../db/any';
import { enrolledOn, sqlDate } from '../roster/enrollment';

/** A meeting's date in the course zone: the day whose roster its sheet shows (src/roster/enrollment.ts). */
export interface MeetingDay {
  on: string;
  zone: string;
}

/** Queries for attendance at campus meetings and students' advance absence notices. Every
 * list is batched: a constant number of queries whatever the number of students. */

async function meetings(db: Db, offeringId: number) {
  return db
    .selectFrom('calendar_event as e')
    .leftJoin('edx_course as c', 'c.id', 'e.edx_course_id')
    .select(['e.id', 'e.title', 'e.starts_at', 'e.ends_at', 'e.required', 'e.status', 'e.location', 'e.edx_course_id', 'c.code as edx_code'])
    .where('e.offering_id', '=', offeringId)
    .where('e.kind', '=', 'campus_meeting')
    .orderBy('e.starts_at')
    .orderBy('e.id')
    .execute();
}

async function meeting(db: Db, offeringId: number, eventId: number) {
  return db
    .selectFrom('calendar_event as e')
    .innerJoin('course_offering as o', 'o.id', 'e.offering_id')
    .leftJoin('edx_course as c', 'c.id', 'e.edx_course_id')
    .select([
      'e.id',
      'e.title',
      'e.starts_at',
      'e.ends_at',
      'e.required',
      'e.status',
      'e.location',
      'e.edx_course_id',
      'c.code as edx_code',
      'o.time_zone as course_zone',
    ])
    .where('e.offering_id', '=', offeringId)
    .where('e.kind', '=', 'campus_meeting')
    .where('e.id', '=', eventId)
    .executeTakeFirst();
}

/** Current records per meeting and status, for the list of meetings. */
async function statusCounts(db: Db, offeringId: number) {
  return db
    .selectFrom('attendance_record as a')
    .innerJoin('calendar_event as e', 'e.id', 'a.calendar_event_id')
    .select(['a.calendar_event_id', 'a.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.offering_id', '=', offeringId)
    .where('a.superseded_at', 'is', null)
    .groupBy(['a.calendar_event_id', 'a.status'])
    .execute();
}

async function noticeCounts(db: Db, offeringId: number) {
  return db
    .selectFrom('absence_notice as n')
    .innerJoin('calendar_event as e', 'e.id', 'n.calendar_event_id')
    .select(['n.calendar_event_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.offering_id', '=', offeringId)
    .where('n.superseded_at', 'is', null)
    .groupBy('n.calendar_event_id')
    .execute();
}

/** The offering's students enrolled on the meeting's day (dropped ones included for the days they were enrolled). */
function enrolledStudents(db: Db, offeringId: number, sectionId: number | null, day: MeetingDay) {
  let q = db
    .selectFrom('app_user as u')
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', 'student')
    .where(enrolledOn('u', sqlDate(day.on), sql`${day.zone}`));
  if (sectionId !== null) q = q.where('u.section_id', '=', sectionId);
  return q;
}

/** One page of the students enrolled on the meeting's day, by name (the attendance sheet), with the total. */
async function studentPage(db: Db, offeringId: number, sectionId: number | null, day: MeetingDay, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    enrolledStudents(db, offeringId, sectionId, day)
      .innerJoin('section as s', 's.id', 'u.section_id')
      .select(['u.id', 'u.name', 'u.email', 's.code as section', 'u.deactivated_at'])
      .orderBy('u.name')
      .orderBy('u.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    enrolledStudents(db, offeringId, sectionId, day)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Which of these user ids are students of the offering enrolled on the meeting's day. */
async function enrolledStudentIds(db: Db, offeringId: number, userIds: number[], day: MeetingDay): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await enrolledStudents(db, offeringId, null, day).select('u.id').where('u.id', '=', anyOf(userIds)).execute();
  return new Set(rows.map((r) => r.id));
}

async function currentRecords(db: Db, eventId: number, userIds: number[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('attendance_record as a')
    .innerJoin('app_user as r', 'r.id', 'a.recorded_by')
    .select(['a.id', 'a.user_id', 'a.status', 'a.note', 'a.recorded_at', 'r.name as recorded_by_name'])
    .where('a.calendar_event_id', '=', eventId)
    .where('a.user_id', '=', anyOf(userIds))
    .where('a.superseded_at', 'is', null)
    .execute();
}

async function currentNotices(db: Db, eventId: number, userIds: number[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('absence_notice')
    .select(['id', 'user_id', 'reason', 'submitted_at'])
    .where('calendar_event_id', '=', eventId)
    .where('user_id', '=', anyOf(userIds))
    .where('superseded_at', 'is', null)
    .execute();
}

/** Every current notice for a meeting from a student enrolled on its day, with the student's name (shown above the sheet). */
async function noticesForMeeting(db: Db, eventId: number, day: MeetingDay) {
  return db
    .selectFrom('absence_notice as n')
    .innerJoin('app_user as u', 'u.id', 'n.user_id')
    .select(['n.user_id', 'n.reason', 'n.submitted_at', 'u.name'])
    .where('n.calendar_event_id', '=', eventId)
    .where('n.superseded_at', 'is', null)
    .where(enrolledOn('u', sqlDate(day.on), sql`${day.zone}`))
    .orderBy('u.name')
    .execute();
}

async function supersedeRecords(db: Db, ids: number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('attendance_record').set({ superseded_at: at }).where('id', '=', anyOf(ids)).where('superseded_at', 'is', null).execute();
}

async function insertRecords(
  db: Db,
  eventId: number,
  rows: { userId: number; status: AttendanceStatus; note: string }[],
  recordedBy: number,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('attendance_record')
    .values(
      rows.map((r) => ({
        calendar_event_id: eventId,
        user_id: r.userId,
        status: r.status,
        note: r.note,
        recorded_by: recordedBy,
        recorded_at: at,
        superseded_at: null,
      })),
    )
    .execute();
}

/** Records "present" for every student enrolled on the meeting's day who has no record for it yet. */
async function markUnrecordedPresent(db: Db, offeringId: number, eventId: number, day: MeetingDay, recordedBy: number, at: Date): Promise<number> {
  const result = await db
    .insertInto('attendance_record')
    .columns(['calendar_event_id', 'user_id', 'status', 'note', 'recorded_by', 'recorded_at'])
    .expression(
      enrolledStudents(db, offeringId, null, day)
        .select((eb) => [
          eb.val(eventId).as('calendar_event_id'),
          'u.id',
          eb.val('present').as('status'),
          eb.val('').as('note'),
          eb.val(recordedBy).as('recorded_by'),
          eb.val(at).as('recorded_at'),
        ])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('attendance_record as a')
                .select('a.id')
                .whereRef('a.user_id', '=', 'u.id')
                .where('a.calendar_event_id', '=', eventId)
                .where('a.superseded_at', 'is', null),
            ),
          ),
        ),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** A student's own meetings, each with their current record and notice, and whether they were enrolled on its day. */
async function recordOfStudent(db: Db, offeringId: number, userId: number) {
  return db
    .selectFrom('calendar_event as e')
    .innerJoin('course_offering as o', 'o.id', 'e.offering_id')
    .innerJoin('app_user as me', (j) => j.on('me.id', '=', userId))
    .leftJoin('edx_course as c', 'c.id', 'e.edx_course_id')
    .leftJoin('attendance_record as a', (j) => j.onRef('a.calendar_event_id', '=', 'e.id').on('a.user_id', '=', userId).on('a.superseded_at', 'is', null))
    .leftJoin('absence_notice as n', (j) => j.onRef('n.calendar_event_id', '=', 'e.id').on('n.user_id', '=', userId).on('n.superseded_at', 'is', null))
    .select([
      'e.id',
      'e.title',
      'e.starts_at',
      'e.ends_at',
      'e.required',
      'e.status as event_status',
      'e.location',
      'e.edx_course_id',
      'c.code as edx_code',
      'a.status',
      'a.note',
      'a.recorded_at',
      'n.reason as notice_reason',
      'n.submitted_at as notice_submitted_at',
      enrolledOn('me', sql`(e.starts_at at time zone o.time_zone)::date`, sql`o.time_zone`).as('enrolled'),
    ])
    .where('e.offering_id', '=', offeringId)
    .where('e.kind', '=', 'campus_meeting')
    .orderBy('e.starts_at')
    .orderBy('e.id')
    .execute();
}

async function supersedeNotice(db: Db, eventId: number, userId: number, at: Date): Promise<void> {
  await db
    .updateTable('absence_notice')
    .set({ superseded_at: at })
    .where('calendar_event_id', '=', eventId)
    .where('user_id', '=', userId)
    .where('superseded_at', 'is', null)
    .execute();
}

async function insertNotice(db: Db, eventId: number, userId: number, reason: string, at: Date): Promise<void> {
  await db.insertInto('absence_notice').values({ calendar_event_id: eventId, user_id: userId, reason, submitted_at: at, superseded_at: null }).execute();
}

/** The class overview's tally: current attendance records per student and status, at meetings that were not cancelled, held on a day the student was enrolled. */
async function countsByStudent(db: Db, userIds: number[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('attendance_record as a')
    .innerJoin('calendar_event as e', 'e.id', 'a.calendar_event_id')
    .innerJoin('course_offering as o', 'o.id', 'e.offering_id')
    .innerJoin('app_user as u', 'u.id', 'a.user_id')
    .where(enrolledOn('u', sql`(e.starts_at at time zone o.time_zone)::date`, sql`o.time_zone`))
    .select(['a.user_id', 'a.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('a.user_id', '=', anyOf(userIds))
    .where('a.superseded_at', 'is', null)
    .where('e.status', '=', 'scheduled')
    .groupBy(['a.user_id', 'a.status'])
    .execute();
}

/** Each required (not cancelled) campus meeting: the students recorded, and how many were present (run charts). */
async function requiredMeetingAttendance(db: Db, offeringId: number, zone: string, students: ActiveStudentIds) {
  const rows = await db
    .selectFrom('calendar_event as e')
    .innerJoin('attendance_record as a', 'a.calendar_event_id', 'e.id')
    .select([
      'e.id',
      localDay('e.starts_at', zone).as('on'),
      (eb) => eb.fn.countAll<number>().as('recorded'),
      sql<number>`count(*) filter (where a.status = 'present')`.as('present'),
    ])
    .where('e.offering_id', '=', offeringId)
    .where('e.kind', '=', 'campus_meeting')
    .where('e.required', '=', true)
    .where('e.status', '=', 'scheduled')
    .where('a.superseded_at', 'is', null)
    .where('a.user_id', 'in', students)
    .groupBy(['e.id', 'e.starts_at'])
    .execute();
  return rows.map((r) => ({ on: r.on, present: Number(r.present), recorded: Number(r.recorded) }));
}

/**
 * Absence notices students sent in [from, to) for the offering's meetings, still current (not
 * replaced by a newer notice), oldest first, with the student and the meeting (the daily digest).
 */
async function noticesSubmittedBetween(db: Db, offeringId: number, from: Date, to: Date) {
  return db
    .selectFrom('absence_notice as n')
    .innerJoin('calendar_event as e', 'e.id', 'n.calendar_event_id')
    .innerJoin('app_user as u', 'u.id', 'n.user_id')
    .select([
      'n.id',
      'n.user_id',
      'n.reason',
      'n.submitted_at',
      'n.calendar_event_id',
      'e.title as meeting_title',
      'e.starts_at as meeting_starts_at',
      'u.name as student_name',
    ])
    .where('e.offering_id', '=', offeringId)
    .where('n.superseded_at', 'is', null)
    .where('n.submitted_at', '>=', from)
    .where('n.submitted_at', '<', to)
    .orderBy('n.submitted_at')
    .orderBy('n.id')
    .execute();
}

export const attendanceRepository = Object.freeze({
  noticesSubmittedBetween,
  requiredMeetingAttendance,
  countsByStudent,
  meetings,
  meeting,
  statusCounts,
  noticeCounts,
  studentPage,
  enrolledStudentIds,
  currentRecords,
  currentNotices,
  noticesForMeeting,
  supersedeRecords,
  insertRecords,
  markUnrecordedPresent,
  recordOfStudent,
  supersedeNotice,
  insertNotice,
});
