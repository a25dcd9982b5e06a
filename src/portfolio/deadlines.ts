import { sql } from 'kysely';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { Db } from '../db/database';
import { instant, read, type Read } from '../db/reads';

/**
 * A student's portfolio deadlines: the course's due date, or the date of an approved extension.
 * Every page, the calendar feed, reminders and late marking read deadlines from here.
 */
export interface Deadline {
  requirementId: number;
  edxCourseId: number;
  edxCode: string;
  title: string;
  dueOn: string;
  dueAt: Date;
  originalDueOn: string;
  originalDueAt: Date;
  extended: boolean;
}

export interface GrantedExtension {
  granted_due_on: string | null;
  granted_due_at: Date | null;
}

/** The student's approved extensions by requirement (at most one each): one query. */
export async function approvedExtensionsOf(db: Db, userId: number | null): Promise<Map<number, GrantedExtension>> {
  if (userId === null) return new Map();
  const rows = await db
    .selectFrom('extension_request')
    .select(['portfolio_requirement_id', 'granted_due_on', 'granted_due_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'approved')
    .execute();
  return new Map(rows.map((r) => [r.portfolio_requirement_id, r]));
}

/**
 * The student's approved extensions and the portfolios they have submitted at least once, in one
 * read (the home page needs both and runs it together with its other reads: src/db/reads.ts).
 */
export function deadlineFactsRead(db: Db, userId: number): Read<{ extensions: Map<number, GrantedExtension>; submitted: Set<number> }> {
  const query = db
    .selectFrom('extension_request')
    .select([sql<'extension' | 'submission'>`'extension'`.as('kind'), 'portfolio_requirement_id', 'granted_due_on', 'granted_due_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'approved')
    .unionAll(
      db
        .selectFrom('portfolio_submission')
        .select([
          sql<'extension' | 'submission'>`'submission'`.as('kind'),
          'portfolio_requirement_id',
          sql<string | null>`null::date`.as('granted_due_on'),
          sql<Date | null>`null::timestamptz`.as('granted_due_at'),
        ])
        .where('user_id', '=', userId)
        .groupBy('portfolio_requirement_id'),
    );
  return read(query, (rows) => {
    const extensions = new Map<number, GrantedExtension>();
    const submitted = new Set<number>();
    for (const r of rows) {
      if (r.kind === 'extension') extensions.set(r.portfolio_requirement_id, { granted_due_on: r.granted_due_on, granted_due_at: instant(r.granted_due_at) });
      else submitted.add(r.portfolio_requirement_id);
    }
    return { extensions, submitted };
  });
}

/** Pure: the course's requirements (in edX course order) with the student's extensions applied. */
export function deadlinesOf(course: CourseSnapshot, extensions: Map<number, GrantedExtension>): Deadline[] {
  return course.requirements.map((r) => {
    const x = extensions.get(r.id);
    const grantedAt = x?.granted_due_at ?? null;
    return {
      requirementId: r.id,
      edxCourseId: r.edx_course_id,
      edxCode: r.edx_code,
      title: r.title,
      dueOn: x?.granted_due_on ?? r.due_on,
      dueAt: grantedAt ?? r.due_at,
      originalDueOn: r.due_on,
      originalDueAt: r.due_at,
      extended: grantedAt !== null,
    };
  });
}

export async function deadlinesFor(db: Db, offeringId: number, userId: number | null): Promise<Deadline[]> {
  const [course, extensions] = await Promise.all([courseCache.current(db, offeringId), approvedExtensionsOf(db, userId)]);
  return deadlinesOf(course, extensions);
}
