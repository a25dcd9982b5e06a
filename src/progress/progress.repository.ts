import { completionsRepository } from '../lessons/completions.repository';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { WeekKind } from '../course/course.tables';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * What pace and progress are computed from: the course's outline (weeks, lessons, components),
 * built from the cached course data, and component completions for any number of students in
 * one query.
 */
export interface OutlineWeek {
  startsOn: string;
  kind: WeekKind;
  label: string;
  edxCourseId: number | null;
  edxCode: string | null;
  edxUrl: string | null;
  unitId: number | null;
  unitTitle: string | null;
  unitKind: string | null;
  lessonNumber: number | null;
}

export interface OutlineLesson {
  unitId: number;
  edxCourseId: number;
  edxCode: string;
  lessonNumber: number;
  title: string;
  /** The Monday of the week the calendar schedules it, or null when no week does. */
  scheduledOn: string | null;
}

export interface OutlineCourse {
  id: number;
  code: string;
  title: string;
  edxUrl: string;
}

export interface CourseOutline {
  offeringId: number;
  timeZone: string;
  startsOn: string;
  endsOn: string;
  weeks: OutlineWeek[];
  /** Lesson units in semester order (edX course, then lesson number). */
  lessons: OutlineLesson[];
  edxCourses: OutlineCourse[];
  /** How many components a unit has (seven): a unit is complete when all are done. */
  componentCount: number;
}

/** The outline from the course data (pure). */
export function outlineOf(course: CourseSnapshot): CourseOutline {
  const { offering, weeks, units } = course;
  const edxById = new Map(course.edxCourses.map((c) => [c.id, c]));
  const scheduledOn = new Map<number, string>();
  for (const w of weeks) if (w.kind === 'lesson' && w.unit_id !== null && !scheduledOn.has(w.unit_id)) scheduledOn.set(w.unit_id, w.starts_on);
  const edxCourses = new Map<number, OutlineCourse>();
  for (const u of units)
    if (!edxCourses.has(u.edx_course_id))
      edxCourses.set(u.edx_course_id, { id: u.edx_course_id, code: u.edx_code, title: u.edx_title, edxUrl: edxById.get(u.edx_course_id)!.edx_url });
  return {
    offeringId: offering.id,
    timeZone: offering.time_zone,
    startsOn: offering.starts_on,
    endsOn: offering.ends_on,
    weeks: weeks.map((w) => ({
      startsOn: w.starts_on,
      kind: w.kind,
      label: w.label,
      edxCourseId: w.edx_course_id,
      edxCode: w.edx_code,
      edxUrl: w.edx_url,
      unitId: w.unit_id,
      unitTitle: w.unit_title,
      unitKind: w.unit_kind,
      lessonNumber: w.lesson_number,
    })),
    lessons: units
      .filter((u) => u.kind === 'lesson' && u.lesson_number !== null)
      .map((u) => ({
        unitId: u.id,
        edxCourseId: u.edx_course_id,
        edxCode: u.edx_code,
        lessonNumber: u.lesson_number!,
        title: u.title,
        scheduledOn: scheduledOn.get(u.id) ?? null,
      })),
    edxCourses: [...edxCourses.values()],
    componentCount: units.length ? course.components.length : 0,
  };
}

/** The outline, from the cached course data (one version check). */
async function outline(db: Db, offeringId: number): Promise<CourseOutline> {
  return outlineOf(await courseCache.current(db, offeringId));
}

async function activeStudentCount(db: Db, offeringId: number): Promise<number> {
  const row = await db
    .selectFrom('app_user')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'student')
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * How many active students have completed every one of `unitIds` (all components done): one
 * aggregate query, so a class of any size is summarized without loading it.
 */
async function studentsCompletingAll(db: Db, offeringId: number, unitIds: number[], componentCount: number): Promise<number> {
  if (unitIds.length === 0) return activeStudentCount(db, offeringId);
  const completeUnits = db
    .selectFrom(completionsRepository.completions(db).as('cc'))
    .innerJoin('app_user as u', 'u.id', 'cc.user_id')
    .select('cc.user_id')
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', 'student')
    .where('u.deactivated_at', 'is', null)
    .where('cc.unit_id', '=', anyOf(unitIds))
    .groupBy(['cc.user_id', 'cc.unit_id'])
    .having((eb) => eb.fn.countAll(), '>=', componentCount);
  const completeStudents = db
    .selectFrom(completeUnits.as('d'))
    .select('d.user_id')
    .groupBy('d.user_id')
    .having((eb) => eb.fn.countAll(), '=', unitIds.length);
  const row = await db
    .selectFrom(completeStudents.as('s'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export const progressRepository = Object.freeze({
  outline,
  completionCountsRead: completionsRepository.countsRead,
  componentsDoneRead: completionsRepository.componentsDoneRead,
  activeStudentCount,
  studentsCompletingAll,
});
