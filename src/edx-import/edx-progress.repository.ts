import { sql } from 'kysely';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';
import { answered, read, type Read } from '../db/reads';
import { isUnenrolled } from './enrollment';

/** edX progress per student per unit: recomputed from the stored subsection scores through the
 * mapping, and read for any number of students. */
/**
 * edX progress per student per unit of one edX course, recomputed from the stored subsection
 * scores through the current mapping (set-based: two statements whatever the class size). A row
 * changes (and its updated_at moves) only when its numbers change. Returns the course's row count.
 */
async function recomputeProgress(db: Db, edxCourseId: number, at: Date): Promise<number> {
  const fromScores = db
    .selectFrom('edx_subsection_score as s')
    .innerJoin('edx_subsection_map as m', 'm.id', 's.subsection_map_id')
    .select([
      's.user_id',
      sql<number>`m.unit_id`.as('unit_id'),
      sql<number>`round(avg(s.score), 4)`.as('score'),
      sql<boolean>`bool_or(s.attempted)`.as('attempted'),
      sql<number>`count(*)::int`.as('subsections'),
      sql<number>`(count(*) filter (where s.attempted))::int`.as('subsections_attempted'),
      sql<number>`max(s.import_id)`.as('import_id'),
      sql<Date>`${at.toISOString()}::timestamptz`.as('updated_at'),
    ])
    .where('m.edx_course_id', '=', edxCourseId)
    .where('m.unit_id', 'is not', null)
    .groupBy(['s.user_id', 'm.unit_id']);
  await db
    .insertInto('edx_progress')
    .columns(['user_id', 'unit_id', 'score', 'attempted', 'subsections', 'subsections_attempted', 'import_id', 'updated_at'])
    .expression(fromScores)
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'unit_id'])
        .doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'),
          attempted: eb.ref('excluded.attempted'),
          subsections: eb.ref('excluded.subsections'),
          subsections_attempted: eb.ref('excluded.subsections_attempted'),
          import_id: eb.ref('excluded.import_id'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where(
          sql<boolean>`(edx_progress.score, edx_progress.attempted, edx_progress.subsections, edx_progress.subsections_attempted, edx_progress.import_id) is distinct from (excluded.score, excluded.attempted, excluded.subsections, excluded.subsections_attempted, excluded.import_id)`,
        ),
    )
    .execute();
  await db
    .deleteFrom('edx_progress as p')
    .where('p.unit_id', 'in', (eb) => eb.selectFrom('unit').select('id').where('edx_course_id', '=', edxCourseId))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('edx_subsection_score as s')
            .innerJoin('edx_subsection_map as m', 'm.id', 's.subsection_map_id')
            .select(sql`1`.as('one'))
            .whereRef('s.user_id', '=', 'p.user_id')
            .whereRef('m.unit_id', '=', 'p.unit_id'),
        ),
      ),
    )
    .execute();
  const row = await db
    .selectFrom('edx_progress')
    .innerJoin('unit', 'unit.id', 'edx_progress.unit_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('unit.edx_course_id', '=', edxCourseId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** edX progress rows for any number of students (optionally one edX course): one query. */
async function progressOf(db: Db, userIds: number[], edxCourseId?: number) {
  if (userIds.length === 0) return [];
  let q = db
    .selectFrom('edx_progress as p')
    .innerJoin('unit', 'unit.id', 'p.unit_id')
    .innerJoin('edx_course as c', 'c.id', 'unit.edx_course_id')
    .leftJoin('edx_course_grade as g', (j) => j.onRef('g.user_id', '=', 'p.user_id').onRef('g.edx_course_id', '=', 'c.id'))
    .select([
      'p.user_id',
      'p.unit_id',
      'p.score',
      'p.attempted',
      'p.subsections',
      'p.subsections_attempted',
      'p.updated_at',
      'unit.kind',
      'unit.lesson_number',
      'unit.title',
      'c.id as edx_course_id',
      'c.code as edx_code',
      'g.enrollment_status',
    ])
    .where('p.user_id', '=', anyOf(userIds));
  if (edxCourseId !== undefined) q = q.where('c.id', '=', edxCourseId);
  return q.orderBy('p.user_id').orderBy('c.position').orderBy('unit.position').execute();
}

export interface EdxCourseStanding {
  userId: number;
  edxCourseId: number;
  grade: number;
  enrollmentStatus: string;
  unenrolled: boolean;
}

/**
 * What the latest imported grade reports say per student per edX course (course grade,
 * enrollment), and which of the offering's edX courses have had a report imported at all
 * ("not in the report" means something only there). One read each, to run with a page's others.
 */
function standingsRead(db: Db, userIds: number[]): Read<EdxCourseStanding[]> {
  if (userIds.length === 0) return answered([]);
  const query = db.selectFrom('edx_course_grade').select(['user_id', 'edx_course_id', 'grade', 'enrollment_status']).where('user_id', '=', anyOf(userIds));
  return read(query, (rows) =>
    rows.map((r) => ({
      userId: r.user_id,
      edxCourseId: r.edx_course_id,
      grade: Number(r.grade),
      enrollmentStatus: r.enrollment_status,
      unenrolled: isUnenrolled(r.enrollment_status),
    })),
  );
}

function importedCoursesRead(db: Db, offeringId: number): Read<Set<number>> {
  const query = db
    .selectFrom('edx_import as i')
    .innerJoin('edx_course as c', 'c.id', 'i.edx_course_id')
    .select('i.edx_course_id')
    .distinct()
    .where('c.offering_id', '=', offeringId);
  return read(query, (rows) => new Set(rows.map((r) => r.edx_course_id)));
}

async function gradesOf(db: Db, userIds: number[], edxCourseId?: number) {
  if (userIds.length === 0) return [];
  let q = db.selectFrom('edx_course_grade').selectAll().where('user_id', '=', anyOf(userIds));
  if (edxCourseId !== undefined) q = q.where('edx_course_id', '=', edxCourseId);
  return q.execute();
}

export const edxProgressRepository = Object.freeze({ recomputeProgress, progressOf, gradesOf, standingsRead, importedCoursesRead });
