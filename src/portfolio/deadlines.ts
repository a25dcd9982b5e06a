import type { Db } from '../db/database';

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

export async function deadlinesFor(db: Db, offeringId: number, userId: number | null): Promise<Deadline[]> {
  const rows = await db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .leftJoin('extension_request as x', (join) =>
      join
        .onRef('x.portfolio_requirement_id', '=', 'pr.id')
        .on('x.user_id', '=', userId ?? -1)
        .on('x.status', '=', 'approved'),
    )
    .select(['pr.id', 'pr.edx_course_id', 'pr.title', 'pr.due_on', 'pr.due_at', 'c.code', 'x.granted_due_on', 'x.granted_due_at'])
    .where('c.offering_id', '=', offeringId)
    .orderBy('c.position')
    .execute();
  return rows.map((r) => ({
    requirementId: r.id,
    edxCourseId: r.edx_course_id,
    edxCode: r.code,
    title: r.title,
    dueOn: r.granted_due_on ?? r.due_on,
    dueAt: r.granted_due_at ?? r.due_at,
    originalDueOn: r.due_on,
    originalDueAt: r.due_at,
    extended: r.granted_due_at !== null,
  }));
}
