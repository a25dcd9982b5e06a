import { eventsFor } from '../course/audience';
import type { Role } from '../roles';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { Db } from '../db/database';
import { approvedExtensionsOf, deadlinesOf, type Deadline } from '../portfolio/deadlines';
import { formatDeadline, formatLocalDate, formatSpan, localDateOf } from '../time';

/**
 * The semester calendar for one reader: weeks from the course data, each with its events,
 * in the reader's own time zone. A student's portfolio deadlines include their extensions.
 */
export interface CalendarEntry {
  id: number;
  uid: string;
  kind: string;
  title: string;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  required: boolean | null;
  cancelled: boolean;
  location: string | null;
  videoUrl: string | null;
  description: string;
  sequence: number;
  /** Formatted for the reader. */
  when: string;
  extended: boolean;
}

export interface CalendarWeek {
  startsOn: string;
  startsOnLabel: string;
  kind: string;
  label: string;
  edxCode: string | null;
  unitTitle: string | null;
  entries: CalendarEntry[];
}

export async function calendarEntries(db: Db, offeringId: number, userId: number | null, zone: string): Promise<CalendarEntry[]> {
  const [course, extensions] = await Promise.all([courseCache.current(db, offeringId), approvedExtensionsOf(db, userId)]);
  return calendarEntriesOf(course, deadlinesOf(course, extensions), zone);
}

/** Pure: the course's events for a reader with these deadlines, formatted in `zone`, in time order. */
export function calendarEntriesOf(course: CourseSnapshot, deadlines: Deadline[], zone: string): CalendarEntry[] {
  const { offering, events } = course;
  const deadlineByReq = new Map(deadlines.map((d) => [d.requirementId, d]));
  return events
    .map((e) => {
      const d = e.portfolio_requirement_id ? deadlineByReq.get(e.portfolio_requirement_id) : undefined;
      const endsAt = d ? d.dueAt : e.ends_at;
      const startsAt = d ? new Date(d.dueAt.getTime() - 60_000) : e.starts_at;
      let when: string;
      if (e.kind === 'portfolio_due') when = `Due ${formatDeadline(endsAt!, zone)}`;
      else if (e.all_day) when = formatLocalDate(localDateOf(e.starts_at, offering.time_zone));
      else when = formatSpan(startsAt, endsAt, zone);
      return {
        id: e.id,
        uid: e.uid,
        kind: e.kind,
        title: d?.extended ? `${e.title} (your extended deadline)` : e.title,
        startsAt,
        endsAt,
        allDay: e.all_day,
        required: e.required,
        cancelled: e.status === 'cancelled',
        location: e.location,
        videoUrl: e.video_url,
        description: d?.extended
          ? `Submit your ${d.edxCode} portfolio by the end of ${d.dueOn} (${offering.time_zone}): your extended deadline (the class deadline was ${d.originalDueOn}).`
          : e.description,
        sequence: e.sequence,
        when,
        extended: !!d?.extended,
      };
    })
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/** The semester for a learner (their extensions; a community learner sees only events for them: src/course/audience.ts), or for the instructor (null). */
export async function semesterCalendar(db: Db, offeringId: number, learner: { id: number; role: Role } | null, zone: string): Promise<CalendarWeek[]> {
  const [course, extensions] = await Promise.all([
    courseCache.current(db, offeringId),
    approvedExtensionsOf(db, learner?.role === 'student' ? learner.id : null),
  ]);
  const entries = calendarEntriesOf(course, deadlinesOf(course, extensions), zone);
  return semesterCalendarOf(course, learner ? eventsFor(learner.role, entries) : entries);
}

/** Pure: the course's weeks, each with its entries (grouped on the course's own calendar). */
export function semesterCalendarOf(course: CourseSnapshot, entries: CalendarEntry[]): CalendarWeek[] {
  const { offering, weeks } = course;
  const result: CalendarWeek[] = weeks.map((w) => ({
    startsOn: w.starts_on,
    startsOnLabel: `Week of ${formatLocalDate(w.starts_on)}`,
    kind: w.kind,
    label: w.label,
    edxCode: w.edx_code,
    unitTitle: w.unit_title,
    entries: [],
  }));
  for (const entry of entries) {
    // Group by the course's own calendar (a Monday meeting belongs to its week in every zone).
    const on = localDateOf(entry.allDay ? entry.startsAt : entry.startsAt, offering.time_zone);
    let week = result[0];
    for (const w of result) if (w.startsOn <= on) week = w;
    week?.entries.push(entry);
  }
  return result;
}
