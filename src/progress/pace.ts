import { readOne } from '../db/reads';
import type { WeekKind } from '../course/course.tables';
import type { Db } from '../db/database';
import { formatLocalDate, localDateOf } from '../time';
import { progressRepository, type CourseOutline, type OutlineLesson, type OutlineWeek } from './progress.repository';

/**
 * Pace: one lesson a week. The lessons a student should have completed by now are the lessons
 * the calendar scheduled in weeks before this one (spring break and the portfolio week add none;
 * the portfolio week therefore expects all six of its edX course). A student is "behind by N
 * lessons" when N of those are not complete (all seven components done). The current week is
 * read on the course's own calendar (its time zone), the same for every student.
 */
export type PaceStatus = 'before_launch' | 'on_pace' | 'behind' | 'break' | 'finished';

export interface Pace {
  status: PaceStatus;
  /** "On pace", "Behind by 2 lessons", "Spring Break: no class · on pace", … */
  label: string;
  weekStartsOn: string | null;
  weekKind: WeekKind | null;
  edxCode: string | null;
  /** This week's lesson number (the portfolio week: the course's last lesson, i.e. all of them). */
  expectedLessonNumber: number | null;
  /** Lessons that should be complete before this week's work. */
  lessonsExpected: number;
  /** Lessons the student has completed, in the whole semester. */
  completedLessons: number;
  behindBy: number;
  /** The earliest expected lesson not yet complete: where to catch up. */
  catchUp: OutlineLesson | null;
}

export interface SemesterPosition {
  today: string;
  week: OutlineWeek | null;
  phase: 'before_launch' | 'in_session' | 'break' | 'finished';
  /** The lesson the calendar gives this week, if it is a lesson week. */
  weekLesson: OutlineLesson | null;
  expected: OutlineLesson[];
  firstLessonOn: string | null;
}

/** Where `now` falls in the semester, on the course's calendar. Pure: no queries. */
export function semesterPosition(outline: CourseOutline, now: Date): SemesterPosition {
  const today = localDateOf(now, outline.timeZone);
  let week: OutlineWeek | null = null;
  for (const w of outline.weeks) if (w.startsOn <= today) week = w;
  const scheduled = outline.lessons.filter((l) => l.scheduledOn !== null);
  const firstLessonOn = scheduled.reduce<string | null>((min, l) => (min === null || l.scheduledOn! < min ? l.scheduledOn : min), null);
  const finished = today > outline.endsOn;
  const phase = finished ? 'finished' : firstLessonOn === null || today < firstLessonOn ? 'before_launch' : week?.kind === 'break' ? 'break' : 'in_session';
  const cutoff = finished ? '9999-12-31' : (week?.startsOn ?? '0000-01-01');
  const expected = phase === 'before_launch' ? [] : scheduled.filter((l) => l.scheduledOn! < cutoff);
  const weekLesson = week?.kind === 'lesson' && !finished ? (outline.lessons.find((l) => l.unitId === week!.unitId) ?? null) : null;
  return { today, week: finished ? null : week, phase, weekLesson, expected, firstLessonOn };
}

function lessonsLabel(n: number): string {
  return `${n} lesson${n === 1 ? '' : 's'}`;
}

/** Pace for each student from already loaded data. Pure: no queries. */
export function paceFromCompletions(
  outline: CourseOutline,
  position: SemesterPosition,
  counts: Map<number, Map<number, number>>,
  userIds: number[],
): Map<number, Pace> {
  const { week, phase } = position;
  const portfolioLessons = week?.kind === 'portfolio' ? outline.lessons.filter((l) => l.edxCourseId === week.edxCourseId) : [];
  const expectedLessonNumber = position.weekLesson?.lessonNumber ?? (portfolioLessons.length ? Math.max(...portfolioLessons.map((l) => l.lessonNumber)) : null);
  const result = new Map<number, Pace>();
  for (const userId of userIds) {
    const done = counts.get(userId) ?? new Map<number, number>();
    const complete = (l: OutlineLesson) => outline.componentCount > 0 && (done.get(l.unitId) ?? 0) >= outline.componentCount;
    const missing = position.expected.filter((l) => !complete(l));
    const behindBy = missing.length;
    const paceWords = behindBy ? `behind by ${lessonsLabel(behindBy)}` : 'on pace';
    let status: PaceStatus;
    let label: string;
    if (phase === 'before_launch') {
      status = 'before_launch';
      label = position.firstLessonOn ? `Not started yet: lessons begin the week of ${formatLocalDate(position.firstLessonOn)}` : 'Not started yet';
    } else if (phase === 'finished') {
      status = 'finished';
      label = behindBy ? `Semester over · ${lessonsLabel(behindBy)} not complete` : 'Semester over · every lesson complete';
    } else if (phase === 'break') {
      status = 'break';
      label = `${week?.label ?? 'Break'} · ${paceWords}`;
    } else {
      status = behindBy ? 'behind' : 'on_pace';
      label = paceWords.charAt(0).toUpperCase() + paceWords.slice(1);
    }
    result.set(userId, {
      status,
      label,
      weekStartsOn: week?.startsOn ?? null,
      weekKind: week?.kind ?? null,
      edxCode: phase === 'in_session' ? (week?.edxCode ?? null) : null,
      expectedLessonNumber: phase === 'in_session' ? expectedLessonNumber : null,
      lessonsExpected: position.expected.length,
      completedLessons: outline.lessons.filter(complete).length,
      behindBy,
      catchUp: missing[0] ?? null,
    });
  }
  return result;
}

/**
 * Pace for a page of students at once: a constant number of queries (the course outline and one
 * completion query), whatever the number of students.
 */
export async function paceFor(db: Db, offeringId: number, userIds: number[], now: Date): Promise<Map<number, Pace>> {
  const outline = await progressRepository.outline(db, offeringId);
  const counts = await readOne(
    db,
    progressRepository.completionCountsRead(
      db,
      userIds,
      outline.lessons.map((l) => l.unitId),
    ),
  );
  return paceFromCompletions(outline, semesterPosition(outline, now), counts, userIds);
}

export interface ClassPace {
  phase: SemesterPosition['phase'];
  students: number;
  /** Students with every expected lesson complete. */
  caughtUp: number;
  /** Students with at least one expected lesson not complete. */
  behind: number;
  lessonsExpected: number;
}

/**
 * The whole class at a glance (the instructor's home): counts only, from aggregate queries,
 * whatever the size of the class.
 */
export async function classPace(db: Db, offeringId: number, now: Date): Promise<ClassPace> {
  const outline = await progressRepository.outline(db, offeringId);
  const position = semesterPosition(outline, now);
  const expected = position.expected.map((l) => l.unitId);
  const [students, caughtUp] = await Promise.all([
    progressRepository.activeStudentCount(db, offeringId),
    progressRepository.studentsCompletingAll(db, offeringId, expected, outline.componentCount),
  ]);
  return { phase: position.phase, students, caughtUp, behind: students - caughtUp, lessonsExpected: expected.length };
}
