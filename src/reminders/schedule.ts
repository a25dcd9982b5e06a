import { addDays, endOfLocalDay, localDateOf, localInstant } from '../time';

/**
 * When a reminder goes out, in the student's own zone. Pure time math (through src/time.ts);
 * the planner calls it once per distinct (zone, target, offset) and fans out in SQL.
 */
export const SEND_AT_LOCAL_TIME = '09:00';
const FALLBACK_MS = 12 * 60 * 60 * 1000;

/**
 * A portfolio deadline is an exclusive instant (the midnight that ends the due day in Detroit).
 * Its date "as it falls in the student's zone" is the local date of the last moment that still
 * counts (due instant minus 1 ms): London sees the 02/26 deadline fall on 02/27 at 04:59.
 * The reminder goes at 09:00 local, `offsetDays` local days before that date; if that is at or
 * after the due instant itself, it goes 12 hours before the due instant instead.
 */
export function portfolioReminderSendAt(dueAt: Date, zone: string, offsetDays: number): Date {
  const localDueOn = localDateOf(new Date(dueAt.getTime() - 1), zone);
  const at = localInstant(addDays(localDueOn, -offsetDays), SEND_AT_LOCAL_TIME, zone);
  return at.getTime() >= dueAt.getTime() ? new Date(dueAt.getTime() - FALLBACK_MS) : at;
}

/**
 * A required campus meeting: 09:00 local on the day before the meeting's local date in the
 * student's zone. A Monday 17:00 Detroit meeting is Tuesday 06:00 in Manila, so a Manila
 * student hears on Monday 09:00 Manila time; a Detroit student on Sunday 09:00.
 */
export function meetingReminderSendAt(startsAt: Date, zone: string): Date {
  const meetingOn = localDateOf(startsAt, zone);
  const at = localInstant(addDays(meetingOn, -1), SEND_AT_LOCAL_TIME, zone);
  return at.getTime() >= startsAt.getTime() ? new Date(startsAt.getTime() - FALLBACK_MS) : at;
}

/** Meeting reminders are "1 day before" in the schedule's (student, target, offset) key. */
export const MEETING_OFFSET_DAYS = 1;

/**
 * A community learner's weekly nudge for a lesson week (its Monday, `weekOf`): 09:00 on that
 * Monday in the learner's own zone, so it follows their DST, not Detroit's (Detroit's Monday
 * 2020-03-09 09:00 is 13:00Z, the Monday before 14:00Z; Manila's is 01:00Z, Sunday evening in
 * Detroit). It is worth sending only on that Monday in their zone: a worker that was down, or a
 * clock jumped forward, skips it after their Monday's midnight rather than nudge mid-week.
 */
export function weeklyNudgeSendAt(weekOf: string, zone: string): Date {
  return localInstant(weekOf, SEND_AT_LOCAL_TIME, zone);
}

export function weeklyNudgeUsefulUntil(weekOf: string, zone: string): Date {
  return endOfLocalDay(weekOf, zone);
}
