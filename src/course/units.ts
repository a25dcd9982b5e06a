import type { Db } from '../db/database';
import { NotFound } from '../errors';
import type { CourseSnapshot } from './course-cache';
import { courseRepository } from './course.repository';

/**
 * A unit of the offering's edX courses as the lesson page and the work on it (study guide, team
 * practice, lesson components) see it, and the check every write to lesson work starts with.
 * Below lessons, study-guides and teams so that all three can use it.
 */

/** The signed-in user acting: whose work, and which offering's units they may touch. */
export interface Student {
  id: number;
  offeringId: number;
}

export type Unit = NonNullable<Awaited<ReturnType<typeof courseRepository.unitInOffering>>>;

/** "LeadEd502x · Lesson 03 — Framing Innovation – Metaphor and Analogy" */
export function unitHeading(unit: { edx_code: string; kind: string; lesson_number: number | null; title: string }): string {
  const n = unit.kind === 'lesson' && unit.lesson_number ? `Lesson ${String(unit.lesson_number).padStart(2, '0')} — ` : '';
  return `${unit.edx_code} · ${n}${unit.title}`;
}

/** Pure: the unit from the cached course, as `unitInOffering` reads it (else NotFound). */
function unitOf(course: CourseSnapshot, unitId: number): Unit {
  const u = course.units.find((x) => x.id === unitId);
  if (!u) throw new NotFound('We could not find that lesson.');
  const c = course.edxCourses.find((x) => x.id === u.edx_course_id)!;
  const week = course.weeks.find((w) => w.unit_id === u.id);
  return {
    id: u.id,
    edx_course_id: u.edx_course_id,
    position: u.position,
    kind: u.kind,
    lesson_number: u.lesson_number,
    title: u.title,
    summary: u.summary,
    edx_code: c.code,
    edx_title: c.title,
    edx_url: c.edx_url,
    discussion_url: c.discussion_url,
    social_url: course.offering.social_url,
    course_zone: course.offering.time_zone,
    week_starts_on: week?.starts_on ?? null,
  };
}

async function requireUnit(db: Db, offeringId: number, unitId: number): Promise<Unit> {
  const unit = await courseRepository.unitInOffering(db, offeringId, unitId);
  if (!unit) throw new NotFound('We could not find that lesson.');
  return unit;
}

/** A lesson unit of the reader's offering (not Kickoff/Closing), checked before any write. */
async function requireLesson(db: Db, offeringId: number, unitId: number): Promise<Unit> {
  const unit = await requireUnit(db, offeringId, unitId);
  if (unit.kind !== 'lesson') throw new NotFound(`${unit.title} has no lesson components or lesson work.`);
  return unit;
}

export const courseUnits = Object.freeze({ unitOf, requireUnit, requireLesson });
