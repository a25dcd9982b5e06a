import type { ExpressionBuilder } from 'kysely';
import type { Database, Db } from '../db/database';
import { extensionRequestsRepository } from '../portfolio/extension-requests.repository';
import { submissionsRepository } from '../portfolio/submissions.repository';
import { classSize } from '../roster/class-size';
import type { StatusFilter } from './grading.schemas';

/**
 * The gradebook's students: one query per page (filtered and ordered in SQL, so paging spans the
 * whole class), and keyset batches for the CSV export. Everything else is read for the page's or
 * batch's students only, a constant number of queries whatever the class size.
 */
export interface GradebookFilter {
  sectionId: number | null;
  status: StatusFilter | null;
  /** The portfolios the status filter looks at (any of them matches). */
  requirementIds: number[];
}

type Eb = ExpressionBuilder<Database & { u: Database['app_user'] }, 'u'>;

/** Whether the student's portfolio `rid` has the status (latest submission decides submitted/late); submissions and extensions are the portfolio's subqueries. */
function hasStatus(db: Db, eb: Eb, status: StatusFilter, rid: number) {
  const submissions = () =>
    eb.selectFrom(submissionsRepository.submissions(db).as('s')).whereRef('s.user_id', '=', 'u.id').where('s.portfolio_requirement_id', '=', rid);
  const latestLate = submissions().select('s.is_late').orderBy('s.submitted_at', 'desc').orderBy('s.id', 'desc').limit(1);
  const grade = () => eb.selectFrom('grade as g').select('g.id').whereRef('g.user_id', '=', 'u.id').where('g.portfolio_requirement_id', '=', rid);
  switch (status) {
    case 'not_submitted':
      return eb.not(eb.exists(submissions().select('s.id')));
    case 'submitted':
      return eb(latestLate, '=', false);
    case 'late':
      return eb(latestLate, '=', true);
    case 'extension':
      return eb.exists(
        eb
          .selectFrom(extensionRequestsRepository.requests(db).as('x'))
          .select('x.id')
          .whereRef('x.user_id', '=', 'u.id')
          .where('x.portfolio_requirement_id', '=', rid)
          .where('x.status', '=', 'approved'),
      );
    case 'ungraded':
      return eb.and([eb.exists(submissions().select('s.id')), eb.not(eb.exists(grade()))]);
    case 'S':
    case 'U':
      return eb.exists(grade().where('g.grade', '=', status));
  }
}

function filtered(db: Db, offeringId: number, f: GradebookFilter) {
  let query = db
    .selectFrom('app_user as u')
    .innerJoin('section as sec', 'sec.id', 'u.section_id')
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', 'student');
  // Dropped students stay in the gradebook (their work is kept), marked dropped with the date.
  if (f.sectionId !== null) query = query.where('u.section_id', '=', f.sectionId);
  const status = f.status;
  if (status !== null && f.requirementIds.length) {
    query = query.where((eb) => eb.or(f.requirementIds.map((rid) => hasStatus(db, eb as unknown as Eb, status, rid))));
  }
  return query;
}

const studentColumns = (q: ReturnType<typeof filtered>) => q.select(['u.id', 'u.name', 'u.email', 'sec.code as section', 'u.deactivated_at as dropped_at']);

export type GradebookStudent = { id: number; name: string; email: string; section: string; dropped_at: Date | null };

async function studentPage(
  db: Db,
  offeringId: number,
  f: GradebookFilter,
  limit: number,
  offset: number,
): Promise<{ rows: GradebookStudent[]; total: number }> {
  const count = filtered(db, offeringId, f).select((eb) => eb.fn.countAll<number>().as('n'));
  const [rows, total] = await Promise.all([
    studentColumns(filtered(db, offeringId, f))
      .orderBy('u.name')
      .orderBy('u.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    // Without a status filter the total depends only on who is in the class: kept between views.
    f.status === null ? classSize(db, `gradebook:${offeringId}:${f.sectionId ?? 'all'}`, count) : count.executeTakeFirstOrThrow().then((r) => Number(r.n)),
  ]);
  return { rows, total };
}

/** The next `limit` students after `after` in (name, id) order: the CSV export's keyset pages. */
async function studentsAfter(
  db: Db,
  offeringId: number,
  f: GradebookFilter,
  after: { name: string; id: number } | null,
  limit: number,
): Promise<GradebookStudent[]> {
  let q = studentColumns(filtered(db, offeringId, f));
  if (after) q = q.where((eb) => eb(eb.refTuple('u.name', 'u.id'), '>', eb.tuple(after.name, after.id)));
  return q.orderBy('u.name').orderBy('u.id').limit(limit).execute();
}

export const gradebookRepository = Object.freeze({ studentPage, studentsAfter });
