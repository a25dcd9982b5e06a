import type { Generated } from 'kysely';

export type AttendanceStatus = 'present' | 'absent' | 'excused';

/** A student's attendance at one campus meeting. Re-recording supersedes the row (history kept);
 * the row with superseded_at null is current. */
export interface AttendanceRecordTable {
  id: Generated<number>;
  calendar_event_id: number;
  user_id: number;
  status: AttendanceStatus;
  note: Generated<string>;
  recorded_by: number;
  recorded_at: Date;
  superseded_at: Date | null;
}

/** A student's advance notice of an expected absence; a new notice supersedes the previous one. */
export interface AbsenceNoticeTable {
  id: Generated<number>;
  calendar_event_id: number;
  user_id: number;
  reason: string;
  submitted_at: Date;
  superseded_at: Date | null;
}

/** The tables migration 0040_attendance creates (attendance and the events change log). */
export interface AttendanceTables {
  attendance_record: AttendanceRecordTable;
  absence_notice: AbsenceNoticeTable;
}
