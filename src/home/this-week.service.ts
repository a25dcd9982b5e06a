import { eventsFor } from '../course/audience';
import type { Role } from '../roles';
import { calendarEntriesOf, type CalendarEntry } from '../calendar/calendar.service';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { readTogether } from '../db/reads';
import { deadlineFactsRead, deadlinesOf, type Deadline } from '../portfolio/deadlines';
import { paceFromCompletions, semesterPosition, type Pace, type SemesterPosition } from '../progress/pace';
import { checklistsReadFor, progressFromData, type CourseProgress } from '../progress/progress';
import { outlineOf, progressRepository, type CourseOutline, type OutlineWeek } from '../progress/progress.repository';
import { addDays, daysUntil, formatDeadline, formatLocalDate, localDateOf } from '../time';

/**
 * The student's home page, "This week": where the semester is, this Monday's campus meeting,
 * what is due next, pace and progress. The course comes from the cache (its version comes with the
 * session); the reader's own data is three reads in one round trip: approved extensions and
 * submissions, completions, portfolio checklists.
 */
export interface Reader {
  id: number;
  role: Role;
  offeringId: number;
  timeZone: string;
}

export interface WeekPlace {
  weekOf: string;
  /** "LeadEd502x · Lesson 03 — Framing Innovation – Metaphor and Analogy" */
  place: string;
  kind: OutlineWeek['kind'];
  unitUrl: string | null;
  unitLinkText: string | null;
  edx: { code: string; url: string } | null;
}

export interface EventView {
  title: string;
  kind: string;
  when: string;
  location: string | null;
  videoUrl: string | null;
  required: boolean | null;
  cancelled: boolean;
  past: boolean;
}

function lessonLabel(n: number): string {
  return `Lesson ${String(n).padStart(2, '0')}`;
}

export function weekPlace(week: OutlineWeek): WeekPlace {
  const parts = [week.edxCode ? `${week.edxCode} · ${week.label}` : week.label];
  if (week.unitTitle) parts.push(week.unitTitle);
  const unitLinkText = week.unitId
    ? week.kind === 'lesson' && week.lessonNumber
      ? `Open ${lessonLabel(week.lessonNumber)}: ${week.unitTitle}`
      : `Open ${week.unitTitle}`
    : null;
  return {
    weekOf: `Week of ${formatLocalDate(week.startsOn)}`,
    place: parts.join(' — '),
    kind: week.kind,
    unitUrl: week.unitId ? `/lessons/${week.unitId}` : null,
    unitLinkText,
    edx: week.edxCode && week.edxUrl ? { code: week.edxCode, url: week.edxUrl } : null,
  };
}

function eventView(e: CalendarEntry, now: Date): EventView {
  return {
    title: e.title,
    kind: e.kind,
    when: e.when,
    location: e.location,
    videoUrl: e.videoUrl,
    required: e.required,
    cancelled: e.cancelled,
    past: (e.endsAt ?? e.startsAt).getTime() <= now.getTime(),
  };
}

/** The entries of one course week (grouped on the course's calendar, like the calendar page). */
export function entriesOfWeek(outline: CourseOutline, entries: CalendarEntry[], week: OutlineWeek | null): CalendarEntry[] {
  if (!week) return [];
  const next = outline.weeks.find((w) => w.startsOn > week.startsOn)?.startsOn ?? addDays(week.startsOn, 7);
  return entries.filter((e) => {
    const on = localDateOf(e.startsAt, outline.timeZone);
    return on >= week.startsOn && on < next;
  });
}

function dueText(days: number): string {
  if (days <= 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  return `due in ${days} days`;
}

export function dueNextView(deadlines: Deadline[], now: Date, zone: string) {
  const next = deadlines.filter((d) => d.dueAt.getTime() > now.getTime()).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
  if (!next) return null;
  const lastMinute = new Date(next.dueAt.getTime() - 60_000);
  return {
    title: next.title,
    edxCode: next.edxCode,
    when: formatDeadline(next.dueAt, zone),
    days: daysUntil(now, lastMinute, zone),
    inDays: dueText(daysUntil(now, lastMinute, zone)),
    extended: next.extended,
    originalWhen: next.extended ? formatDeadline(next.originalDueAt, zone) : null,
    url: `/portfolios/${next.requirementId}`,
  };
}

/** Deadlines that have passed with nothing submitted: late work is still accepted (and marked late). */
export function overdueView(deadlines: Deadline[], submitted: Set<number>, now: Date, zone: string) {
  return deadlines
    .filter((d) => d.dueAt.getTime() <= now.getTime() && !submitted.has(d.requirementId))
    .map((d) => ({ title: d.title, when: formatDeadline(d.dueAt, zone), url: `/portfolios/${d.requirementId}` }));
}

function paceView(pace: Pace) {
  return {
    status: pace.status,
    label: pace.label,
    behindBy: pace.behindBy,
    completedLessons: pace.completedLessons,
    lessonsExpected: pace.lessonsExpected,
    catchUp: pace.catchUp
      ? { url: `/lessons/${pace.catchUp.unitId}`, text: `${pace.catchUp.edxCode} ${lessonLabel(pace.catchUp.lessonNumber)}: ${pace.catchUp.title}` }
      : null,
  };
}

/** A community learner's progress has no portfolio (kept by campus students only). */
function progressView(courses: CourseProgress[], campus: boolean) {
  return courses.map((c) => ({
    code: c.edxCode,
    title: c.edxTitle,
    edxUrl: c.edxUrl,
    portfolioUrl: campus && c.requirementId ? `/portfolios/${c.requirementId}` : null,
    bars: [
      { label: 'Lesson components done', ...c.components },
      ...(c.studyGuides ? [{ label: 'Study guides written', ...c.studyGuides }] : []),
      ...(c.teamArtifacts ? [{ label: 'Team artifacts attached', ...c.teamArtifacts }] : []),
      ...(campus && c.portfolioItems ? [{ label: 'Portfolio items complete', ...c.portfolioItems }] : []),
    ],
  }));
}

function phaseMessage(position: SemesterPosition, campus: boolean): string | null {
  if (position.phase === 'before_launch') {
    return position.firstLessonOn
      ? `The semester has not started yet. Lessons begin the week of ${formatLocalDate(position.firstLessonOn)}.`
      : 'The semester has not started yet.';
  }
  if (position.phase === 'finished')
    return campus
      ? 'The semester is over. Your work stays here: open your portfolios below.'
      : 'The semester is over. Your study guides and team artifacts stay here.';
  if (position.phase === 'break')
    return campus ? 'No lesson and no campus meeting this week: a good week to catch up.' : 'No lesson this week: a good week to catch up.';
  return null;
}

export async function thisWeek(db: Db, reader: Reader, now: Date) {
  const course = await courseCache.current(db, reader.offeringId);
  const outline = outlineOf(course);
  const refs = course.requirements.map((r) => ({ requirementId: r.id, edxCourseId: r.edx_course_id }));
  const {
    facts: { extensions, submitted },
    counts,
    checklists,
  } = await readTogether(db, {
    facts: deadlineFactsRead(db, reader.id),
    counts: progressRepository.completionCountsRead(
      db,
      [reader.id],
      outline.lessons.map((l) => l.unitId),
    ),
    checklists: checklistsReadFor(db, course, refs, [reader.id]),
  });
  // A community learner has no campus meeting and no portfolio deadline (src/course/audience.ts).
  const campus = reader.role === 'student';
  const deadlines = campus ? deadlinesOf(course, extensions) : [];
  const entries = eventsFor(reader.role, calendarEntriesOf(course, deadlines, reader.timeZone));
  const position = semesterPosition(outline, now);
  const pace = paceFromCompletions(outline, position, counts, [reader.id]).get(reader.id)!;
  const progress = progressFromData(outline, counts, refs, checklists, [reader.id]).get(reader.id)!;

  const weekEntries = entriesOfWeek(outline, entries, position.week);
  const meeting = weekEntries.find((e) => e.kind === 'campus_meeting') ?? null;
  const meetingOver = !meeting || (meeting.endsAt ?? meeting.startsAt).getTime() <= now.getTime();
  const nextMeeting = meetingOver ? entries.find((e) => e.kind === 'campus_meeting' && !e.cancelled && e.startsAt.getTime() > now.getTime()) : undefined;
  const nextOfficeHours = campus
    ? undefined
    : entries.find((e) => e.kind === 'office_hours' && !e.cancelled && (e.endsAt ?? e.startsAt).getTime() > now.getTime());
  const alsoThisWeek = weekEntries.filter((e) => e.kind !== 'campus_meeting' && e.kind !== 'portfolio_due' && e !== nextOfficeHours);
  const comingUp =
    position.phase === 'before_launch' ? entries.filter((e) => e.startsAt.getTime() > now.getTime() && e.kind !== 'portfolio_due').slice(0, 4) : [];
  const portfolioWeekReq = position.week?.kind === 'portfolio' ? deadlines.find((d) => d.edxCourseId === position.week!.edxCourseId) : undefined;

  return {
    campus,
    nextOfficeHours: nextOfficeHours ? eventView(nextOfficeHours, now) : null,
    phase: position.phase,
    phaseMessage: phaseMessage(position, campus),
    week: position.week ? weekPlace(position.week) : null,
    portfolioLink: portfolioWeekReq ? { url: `/portfolios/${portfolioWeekReq.requirementId}`, text: `Open your ${portfolioWeekReq.title}` } : null,
    meeting: meeting ? eventView(meeting, now) : null,
    nextMeeting: nextMeeting ? eventView(nextMeeting, now) : null,
    alsoThisWeek: alsoThisWeek.map((e) => eventView(e, now)),
    comingUp: comingUp.map((e) => eventView(e, now)),
    dueNext: dueNextView(deadlines, now, reader.timeZone),
    overdue: overdueView(deadlines, submitted, now, reader.timeZone),
    pace: paceView(pace),
    progress: progressView(progress, campus),
    edxCourses: outline.edxCourses,
  };
}
