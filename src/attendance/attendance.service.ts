import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { Conflict, Invalid, NotFound } from '../errors';
import { formatDate, formatDateTime, formatSpan, localDateOf } from '../time';
import { absencesFromRequiredMeetings } from './absences';
import { attendanceRepository as repo, type MeetingDay } from './attendance.repository';
import type { SheetEntry } from './attendance.schemas';
import type { AttendanceStatus } from './attendance.tables';

/**
 * Attendance at campus meetings: the instructor's sheet (all present, then the exceptions), the
 * student's own record, and advance notices of an expected absence. Re-recording supersedes the
 * earlier row, so every past answer stays in the database.
 */
export const SHEET_PAGE_SIZE = 100;

const STATUS_LABEL: Record<AttendanceStatus, string> = { present: 'Present', absent: 'Absent', excused: 'Excused' };

const when = formatSpan;

async function meetingList(db: Db, offeringId: number, zone: string, now: Date) {
  const [meetings, counts, notices] = await Promise.all([repo.meetings(db, offeringId), repo.statusCounts(db, offeringId), repo.noticeCounts(db, offeringId)]);
  const countOf = new Map(counts.map((c) => [`${c.calendar_event_id}:${c.status}`, Number(c.n)]));
  const noticesOf = new Map(notices.map((n) => [n.calendar_event_id, Number(n.n)]));
  return meetings.map((m) => ({
    id: m.id,
    title: m.title,
    edxCode: m.edx_code,
    when: when(m.starts_at, m.ends_at, zone),
    required: m.required === true,
    cancelled: m.status === 'cancelled',
    past: m.starts_at.getTime() <= now.getTime(),
    present: countOf.get(`${m.id}:present`) ?? 0,
    absent: countOf.get(`${m.id}:absent`) ?? 0,
    excused: countOf.get(`${m.id}:excused`) ?? 0,
    notices: noticesOf.get(m.id) ?? 0,
  }));
}

async function findMeeting(db: Db, offeringId: number, eventId: number) {
  const m = await repo.meeting(db, offeringId, eventId);
  if (!m) throw new NotFound('There is no such campus meeting.');
  return m;
}

/** The meeting's date in the course zone: its sheet lists the students enrolled that day. */
function dayOf(m: { starts_at: Date; course_zone: string }): MeetingDay {
  return { on: localDateOf(m.starts_at, m.course_zone), zone: m.course_zone };
}

/** Attendance is taken for meetings that have happened or are today (course zone), never ahead. */
function isAhead(m: { starts_at: Date; course_zone: string }, now: Date): boolean {
  return localDateOf(m.starts_at, m.course_zone) > localDateOf(now, m.course_zone);
}

/** The attendance sheet for one meeting: a page of students with their current record and any notice. */
async function sheet(db: Db, offeringId: number, eventId: number, opts: { page: number; sectionId: number | null }, zone: string, now: Date) {
  const m = await findMeeting(db, offeringId, eventId);
  const day = dayOf(m);
  const offset = (opts.page - 1) * SHEET_PAGE_SIZE;
  const [{ rows, total }, sections, notices] = await Promise.all([
    repo.studentPage(db, offeringId, opts.sectionId, day, SHEET_PAGE_SIZE, offset),
    courseRepository.sections(db, offeringId),
    repo.noticesForMeeting(db, eventId, day),
  ]);
  const ids = rows.map((r) => r.id);
  const records = await repo.currentRecords(db, eventId, ids);
  const recordOf = new Map(records.map((r) => [r.user_id, r]));
  const noticeOf = new Map(notices.map((n) => [n.user_id, n]));
  const pages = Math.max(1, Math.ceil(total / SHEET_PAGE_SIZE));
  return {
    meeting: {
      id: m.id,
      title: m.title,
      edxCode: m.edx_code,
      when: when(m.starts_at, m.ends_at, zone),
      required: m.required === true,
      cancelled: m.status === 'cancelled',
      ahead: isAhead(m, now),
      location: m.location,
    },
    students: rows.map((s) => {
      const r = recordOf.get(s.id);
      const n = noticeOf.get(s.id);
      return {
        id: s.id,
        name: s.name,
        section: s.section,
        droppedOn: s.deactivated_at ? formatDate(s.deactivated_at, m.course_zone) : null,
        status: r?.status ?? '',
        note: r?.note ?? '',
        recorded: r ? `${STATUS_LABEL[r.status]}, recorded ${formatDateTime(r.recorded_at, zone)} by ${r.recorded_by_name}` : 'Not recorded yet',
        notice: n ? { reason: n.reason, submitted: formatDateTime(n.submitted_at, zone) } : null,
      };
    }),
    notices: notices.map((n) => ({ userId: n.user_id, name: n.name, reason: n.reason, submitted: formatDateTime(n.submitted_at, zone) })),
    sections: sections.map((s) => ({ id: s.id, code: s.code })),
    sectionId: opts.sectionId,
    page: opts.page,
    pages,
    total,
  };
}

async function assertRecordable(db: Db, offeringId: number, eventId: number, now: Date) {
  const m = await findMeeting(db, offeringId, eventId);
  if (m.status === 'cancelled') throw new Conflict('This meeting was cancelled: there is no attendance to take.');
  if (isAhead(m, now)) throw new Conflict('This meeting has not happened yet: attendance can be taken on the day of the meeting or after it.');
  // Serialize recordings of one meeting (two devices saving at once): lock the meeting row.
  await courseRepository.event(db, offeringId, eventId, { lock: true });
  return m;
}

/** Saves the sheet: only the students whose status or note changed get a new row. */
async function recordSheet(db: Db, offeringId: number, eventId: number, entries: SheetEntry[], recordedBy: number, now: Date): Promise<number> {
  const m = await assertRecordable(db, offeringId, eventId, now);
  const ids = entries.map((e) => e.userId);
  const enrolled = await repo.enrolledStudentIds(db, offeringId, ids, dayOf(m));
  const strangers = ids.filter((id) => !enrolled.has(id));
  if (strangers.length) throw new Invalid('Some of those people were not enrolled in this course on the day of the meeting. Reload the page and try again.');
  const current = new Map((await repo.currentRecords(db, eventId, ids)).map((r) => [r.user_id, r]));
  const changed = entries.filter((e) => {
    const c = current.get(e.userId);
    return !c || c.status !== e.status || c.note !== e.note;
  });
  await repo.supersedeRecords(
    db,
    changed.flatMap((e) => (current.has(e.userId) ? [current.get(e.userId)!.id] : [])),
    now,
  );
  await repo.insertRecords(db, eventId, changed, recordedBy, now);
  return changed.length;
}

async function markAllPresent(db: Db, offeringId: number, eventId: number, recordedBy: number, now: Date): Promise<number> {
  const m = await assertRecordable(db, offeringId, eventId, now);
  return repo.markUnrecordedPresent(db, offeringId, eventId, dayOf(m), recordedBy, now);
}

/** A student's own attendance: every campus meeting, their record, notices, absences per course. */
async function studentRecord(db: Db, offeringId: number, userId: number, zone: string, now: Date) {
  const [rows, absences, courses] = await Promise.all([
    repo.recordOfStudent(db, offeringId, userId),
    absencesFromRequiredMeetings(db, offeringId, [userId]),
    courseRepository.edxCourses(db, offeringId),
  ]);
  const mine = absences.get(userId) ?? new Map<number, number>();
  return {
    meetings: rows.map((r) => {
      const cancelled = r.event_status === 'cancelled';
      const upcoming = r.starts_at.getTime() > now.getTime();
      const enrolled = r.enrolled === true || upcoming;
      return {
        id: r.id,
        title: r.title,
        edxCode: r.edx_code,
        when: when(r.starts_at, r.ends_at, zone),
        required: r.required === true,
        cancelled,
        upcoming,
        status: enrolled ? (r.status ?? null) : null,
        statusLabel: !enrolled ? 'Not enrolled then' : r.status ? STATUS_LABEL[r.status] : cancelled ? 'Cancelled' : upcoming ? 'Upcoming' : 'Not recorded',
        note: enrolled ? (r.note ?? '') : '',
        notice: r.notice_reason !== null ? { reason: r.notice_reason, submitted: formatDateTime(r.notice_submitted_at!, zone) } : null,
        canNotify: upcoming && !cancelled,
      };
    }),
    absences: courses.map((c) => ({ edxCode: c.code, count: mine.get(c.id) ?? 0 })),
  };
}

/** A student tells the instructor in advance that they expect to miss a meeting. */
async function notifyAbsence(db: Db, offeringId: number, eventId: number, userId: number, reason: string, now: Date): Promise<void> {
  const m = await findMeeting(db, offeringId, eventId);
  if (m.status === 'cancelled') throw new Invalid('That meeting was cancelled: there is nothing to miss.', { reason: 'That meeting was cancelled.' });
  if (m.starts_at.getTime() <= now.getTime()) {
    throw new Invalid('That meeting has already started: notices are for meetings still to come. Email your instructor instead.', {
      reason: 'That meeting has already started; email your instructor instead.',
    });
  }
  await repo.supersedeNotice(db, eventId, userId, now);
  await repo.insertNotice(db, eventId, userId, reason, now);
}

export const attendanceService = Object.freeze({ meetingList, sheet, recordSheet, markAllPresent, studentRecord, notifyAbsence });
