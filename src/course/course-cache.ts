import type { Db } from '../db/database';
import { knownVersions } from '../db/known-versions';
import { courseRepository } from './course.repository';

/**
 * The course as data (offering, sections, edX courses, units, components, weeks, portfolio
 * requirements, calendar events), kept in memory per database handle and offering, and checked
 * on every use against `course_data_version` (read with the session on a signed-in page view,
 * src/db/known-versions.ts; otherwise on its own): one primary-key read instead of the five to eight
 * queries a page spent re-reading the course. Triggers move that number whenever a course table
 * changes (migration 0095), so an instructor's moved or cancelled event shows on the next
 * request of every app instance sharing the database.
 *
 * The version is read before the course is loaded, so what is cached under a version is at least
 * that new; a version a later request reads is never older than the last change committed before
 * it started. Rows are frozen: callers map them into view models and must not change them.
 */
export interface CourseSnapshot {
  version: number;
  offering: Awaited<ReturnType<typeof courseRepository.offering>>;
  sections: Awaited<ReturnType<typeof courseRepository.sections>>;
  edxCourses: Awaited<ReturnType<typeof courseRepository.edxCourses>>;
  units: Awaited<ReturnType<typeof courseRepository.units>>;
  components: Awaited<ReturnType<typeof courseRepository.components>>;
  weeks: Awaited<ReturnType<typeof courseRepository.weeks>>;
  events: Awaited<ReturnType<typeof courseRepository.events>>;
  requirements: Awaited<ReturnType<typeof courseRepository.portfolioRequirements>>;
}

interface Entry {
  version: number;
  snapshot: Promise<CourseSnapshot>;
}

const byDatabase = new WeakMap<object, Map<number, Entry>>();

function frozen<T extends object>(rows: T[]): T[] {
  for (const r of rows) Object.freeze(r);
  return Object.freeze(rows) as T[];
}

async function load(db: Db, offeringId: number, version: number): Promise<CourseSnapshot> {
  const [offering, sections, edxCourses, units, components, weeks, events, requirements] = await Promise.all([
    courseRepository.offering(db, offeringId),
    courseRepository.sections(db, offeringId),
    courseRepository.edxCourses(db, offeringId),
    courseRepository.units(db, offeringId),
    courseRepository.components(db),
    courseRepository.weeks(db, offeringId),
    courseRepository.events(db, offeringId),
    courseRepository.portfolioRequirements(db, offeringId),
  ]);
  return Object.freeze({
    version,
    offering: Object.freeze(offering),
    sections: frozen(sections),
    edxCourses: frozen(edxCourses),
    units: frozen(units),
    components: frozen(components),
    weeks: frozen(weeks),
    events: frozen(events),
    requirements: frozen(requirements),
  });
}

async function version(db: Db): Promise<number | null> {
  const row = await db.selectFrom('course_data_version').select('version').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.version) : null;
}

/** The offering's course data as of now: from memory when the version has not moved. */
async function current(db: Db, offeringId: number): Promise<CourseSnapshot> {
  const v = knownVersions.course(db) ?? (await version(db));
  // A transaction may see its own uncommitted changes, and cannot name the handle it came from:
  // it reads the course itself (the few actions that need it inside a transaction are rare).
  if (v === null || db.isTransaction) return load(db, offeringId, v ?? -1);
  let entries = byDatabase.get(db);
  if (!entries) byDatabase.set(db, (entries = new Map()));
  const cached = entries.get(offeringId);
  if (cached && cached.version === v) return cached.snapshot;
  // Concurrent requests that see the same new version share one load.
  const entry = { version: v, snapshot: load(db, offeringId, v) };
  entries.set(offeringId, entry);
  entry.snapshot.catch(() => {
    if (entries.get(offeringId) === entry) entries.delete(offeringId);
  });
  return entry.snapshot;
}

export const courseCache = Object.freeze({ current, version });
