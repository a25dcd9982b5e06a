import { sql } from 'kysely';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * The activity the run charts count, aggregated in the database (per day or per student and
 * item), for the active students of an offering: a fixed number of queries whatever its size.
 */
const localDay = (column: string, zone: string) => sql<string>`to_char(${sql.ref(column)} at time zone ${zone}, 'YYYY-MM-DD')`;

/** The ids of the offering's active students, as a subquery every chart filters by. */
function activeStudents(db: Db, offeringId: number) {
  return db.selectFrom('app_user').select('id').where('offering_id', '=', offeringId).where('role', '=', 'student').where('deactivated_at', 'is', null);
}

async function activeStudentIds(db: Db, offeringId: number): Promise<number[]> {
  const rows = await activeStudents(db, offeringId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** When each student completed each lesson: the moment of its last component, if all are done. */
async function lessonCompleteAt(db: Db, studentIds: number[], lessonUnitIds: number[], componentCount: number) {
  if (!studentIds.length || !lessonUnitIds.length || componentCount === 0) return [];
  const rows = await db
    .selectFrom('component_completion')
    .select(['user_id', 'unit_id', (eb) => eb.fn.max('completed_at').as('at')])
    .where('user_id', '=', anyOf(studentIds))
    .where('unit_id', '=', anyOf(lessonUnitIds))
    .groupBy(['user_id', 'unit_id'])
    .having((eb) => eb.fn.countAll(), '>=', componentCount)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, unitId: r.unit_id, at: new Date(r.at as unknown as string | Date) }));
}

async function completionsPerDay(db: Db, offeringId: number, zone: string) {
  const rows = await db
    .selectFrom('component_completion as cc')
    .select([localDay('cc.completed_at', zone).as('on'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('cc.user_id', 'in', activeStudents(db, offeringId))
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ on: r.on, n: Number(r.n) }));
}

/** Study guides by the day their first version was saved. */
async function studyGuidesPerDay(db: Db, offeringId: number, zone: string) {
  const rows = await db
    .selectFrom('study_guide_version as v')
    .innerJoin('study_guide as g', 'g.id', 'v.study_guide_id')
    .select([localDay('v.created_at', zone).as('on'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('v.version_no', '=', 1)
    .where('g.user_id', 'in', activeStudents(db, offeringId))
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ on: r.on, n: Number(r.n) }));
}

/** Each required (not cancelled) campus meeting: students recorded, and how many present. */
async function requiredMeetingAttendance(db: Db, offeringId: number, zone: string) {
  const rows = await db
    .selectFrom('calendar_event as e')
    .innerJoin('attendance_record as a', 'a.calendar_event_id', 'e.id')
    .select([
      'e.id',
      localDay('e.starts_at', zone).as('on'),
      (eb) => eb.fn.countAll<number>().as('recorded'),
      sql<number>`count(*) filter (where a.status = 'present')`.as('present'),
    ])
    .where('e.offering_id', '=', offeringId)
    .where('e.kind', '=', 'campus_meeting')
    .where('e.required', '=', true)
    .where('e.status', '=', 'scheduled')
    .where('a.superseded_at', 'is', null)
    .where('a.user_id', 'in', activeStudents(db, offeringId))
    .groupBy(['e.id', 'e.starts_at'])
    .execute();
  return rows.map((r) => ({ on: r.on, present: Number(r.present), recorded: Number(r.recorded) }));
}

/**
 * One row per active student and portfolio item they have, with the moment it first existed:
 * each lesson's study guide (first version, guide not deleted) and Team Practice artifact (first
 * version of their current team's artifact), the submitted peer assessment of them, and their
 * non-empty reflection.
 */
async function portfolioItems(db: Db, offeringId: number, requirementId: number, lessonUnitIds: number[]) {
  const active = activeStudents(db, offeringId);
  const units = lessonUnitIds.length ? lessonUnitIds : [-1];
  const [guides, artifacts, assessments, reflections] = await Promise.all([
    db
      .selectFrom('study_guide as g')
      .innerJoin('study_guide_version as v', 'v.study_guide_id', 'g.id')
      .select(['g.user_id', (eb) => eb.fn.min('v.created_at').as('at')])
      .where('g.deleted_at', 'is', null)
      .where('g.unit_id', '=', anyOf(units))
      .where('g.user_id', 'in', active)
      .groupBy(['g.user_id', 'g.unit_id'])
      .execute(),
    db
      .selectFrom('team_membership as m')
      .innerJoin('team_artifact_version as a', 'a.team_id', 'm.team_id')
      .select(['m.user_id', (eb) => eb.fn.min('a.created_at').as('at')])
      .where('m.left_at', 'is', null)
      .where('m.unit_id', '=', anyOf(units))
      .where('m.user_id', 'in', active)
      .groupBy(['m.user_id', 'm.unit_id'])
      .execute(),
    db
      .selectFrom('peer_assessment')
      .select(['assessee_id as user_id', (eb) => eb.fn.min('created_at').as('at')])
      .where('portfolio_requirement_id', '=', requirementId)
      .where('status', '=', 'submitted')
      .where('assessee_id', 'in', active)
      .groupBy('assessee_id')
      .execute(),
    db
      .selectFrom('portfolio_reflection as r')
      .innerJoin('portfolio_reflection_version as v', 'v.reflection_id', 'r.id')
      .select(['r.user_id', (eb) => eb.fn.min('v.created_at').as('at')])
      .where('r.portfolio_requirement_id', '=', requirementId)
      .where('v.body_md', '<>', '')
      .where('r.user_id', 'in', active)
      .groupBy('r.user_id')
      .execute(),
  ]);
  return [...guides, ...artifacts, ...assessments, ...reflections].map((r) => ({ userId: r.user_id, at: new Date(r.at as unknown as string | Date) }));
}

export const runChartsRepository = Object.freeze({
  activeStudentIds,
  lessonCompleteAt,
  completionsPerDay,
  studyGuidesPerDay,
  requiredMeetingAttendance,
  portfolioItems,
});
