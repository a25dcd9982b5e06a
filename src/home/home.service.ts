import { registrarSlotNote } from '../course/campus-meeting';
import { calendarEntries, semesterCalendar } from '../calendar/calendar.service';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { deadlinesFor } from '../portfolio/deadlines';
import { classPace, semesterPosition, type ClassPace } from '../progress/pace';
import { progressRepository } from '../progress/progress.repository';
import { formatClockRange, formatDeadline } from '../time';
import { entriesOfWeek, weekPlace } from './this-week.service';

/**
 * The instructor's home: the course, this week's place and campus meeting, how the class is
 * pacing (counts only; the class overview has the names), the deadlines and the calendar.
 */
function classPaceText(p: ClassPace): string {
  const of = `${p.students} student${p.students === 1 ? '' : 's'}`;
  if (p.phase === 'before_launch') return `${of}; lessons have not started yet.`;
  if (p.lessonsExpected === 0) return `${of}; no lesson is due to be complete yet.`;
  const ahead =
    p.phase === 'finished' ? 'completed all lessons' : `on pace (the first ${p.lessonsExpected} lesson${p.lessonsExpected === 1 ? '' : 's'} complete)`;
  return `${of}: ${p.caughtUp} ${ahead}, ${p.behind} behind.`;
}

export async function instructorHome(db: Db, offeringId: number, zone: string, now: Date) {
  const [offering, outline, entries, weeks, deadlines, pace] = await Promise.all([
    courseRepository.offering(db, offeringId),
    progressRepository.outline(db, offeringId),
    calendarEntries(db, offeringId, null, zone),
    semesterCalendar(db, offeringId, null, zone),
    deadlinesFor(db, offeringId, null),
    classPace(db, offeringId, now),
  ]);
  const position = semesterPosition(outline, now);
  const meeting = entriesOfWeek(outline, entries, position.week).find((e) => e.kind === 'campus_meeting') ?? null;
  const hours = {
    starts: offering.meeting_starts,
    ends: offering.meeting_ends,
    registrarSlot:
      offering.registrar_slot_starts && offering.registrar_slot_ends ? { starts: offering.registrar_slot_starts, ends: offering.registrar_slot_ends } : null,
  };
  return {
    offering,
    meetingHours: formatClockRange(hours.starts, hours.ends),
    registrarSlotNote: registrarSlotNote(hours),
    zone,
    weeks,
    week: position.week ? weekPlace(position.week) : null,
    meeting: meeting
      ? { title: meeting.title, when: meeting.when, location: meeting.location, required: meeting.required, cancelled: meeting.cancelled }
      : null,
    classPace: classPaceText(pace),
    edxCourses: outline.edxCourses,
    deadlines: deadlines.map((d) => ({ title: d.title, due: formatDeadline(d.dueAt, zone), extended: d.extended })),
  };
}
