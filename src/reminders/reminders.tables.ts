import type { Generated } from 'kysely';

/**
 * A reminder's life: `scheduled` (planned, waiting for its send instant) → `claimed` (a worker
 * holds it under a lease while rendering) → `queued` (its email is in the outbox) → `sent` or
 * `failed` (the outbox's outcome). The planner moves unsent reminders to `cancelled` (they no
 * longer apply) and back; the sender moves due ones to `skipped` (too late, or superseded).
 *
 * Campus students get `portfolio_deadline` and `campus_meeting` reminders; community learners
 * (issue 17) get `office_hours` (the day before virtual office hours) and `weekly_nudge` (this
 * week's lesson, Monday 09:00 their time).
 */
export type ReminderKind = 'portfolio_deadline' | 'campus_meeting' | 'office_hours' | 'weekly_nudge';
export type ReminderStatus = 'scheduled' | 'claimed' | 'queued' | 'sent' | 'failed' | 'skipped' | 'cancelled';

export interface ReminderTable {
  id: Generated<number>;
  kind: ReminderKind;
  offering_id: number;
  user_id: number;
  portfolio_requirement_id: number | null;
  calendar_event_id: number | null;
  /** The lesson week a weekly nudge is about (weekly_nudge only). */
  course_week_id: number | null;
  /** The deadline's date (the extended one when granted), the meeting's date in the course zone, or the lesson week's Monday. */
  target_on: string;
  /** Whole days before the target (meetings: 1). */
  offset_days: number;
  /** The deadline (exclusive instant), the meeting's start, or (weekly nudge) the end of that week's Monday in the learner's zone. */
  target_at: Date;
  send_at: Date;
  status: Generated<ReminderStatus>;
  reason: Generated<string>;
  claim_token: string | null;
  claimed_until: Date | null;
  outbound_email_id: number | null;
  queued_at: Date | null;
  sent_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ReminderPlannerTable {
  id: number;
  fingerprint: Generated<string>;
  planned_as_of: Date | null;
  planned_at: Date | null;
  planning_until: Date | null;
}

/** What shaped a student's plan last time (zone, opt-out, roster status, extensions, submissions). */
export interface ReminderPlanStateTable {
  user_id: number;
  state_hash: number;
}

export interface AnnouncementTable {
  id: Generated<number>;
  offering_id: number;
  section_id: number | null;
  subject: string;
  body_md: string;
  sent_by: number;
  created_at: Date;
  recipient_count: number;
  form_nonce: string;
}

/** A student opened this announcement (the inbox's read/unread). */
export interface AnnouncementReadTable {
  user_id: number;
  announcement_id: number;
  read_at: Date;
}

export interface RemindersTables {
  reminder: ReminderTable;
  reminder_planner: ReminderPlannerTable;
  reminder_plan_state: ReminderPlanStateTable;
  announcement: AnnouncementTable;
  announcement_read: AnnouncementReadTable;
}
