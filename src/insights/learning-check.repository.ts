import { sql } from 'kysely';
import type { Db } from '../db/database';
import { lessonsRepository } from '../lessons/lessons.repository';
import type { LearnerRole } from '../roles';

/**
 * Learning Check responses for the design team. A learner's current response to a unit is their
 * latest row (the table is append-only); only active learners of the offering count, of one kind
 * (`role`: the campus students, or the community learners, who have no section). The
 * responses are lessons' (lessonsRepository.learningCheckResponses, joined as a subquery).
 */
async function unit(db: Db, offeringId: number, unitId: number) {
  return db
    .selectFrom('unit')
    .innerJoin('edx_course as c', 'c.id', 'unit.edx_course_id')
    .select(['unit.id', 'unit.kind', 'unit.lesson_number', 'unit.title', 'c.code as edx_code'])
    .where('unit.id', '=', unitId)
    .where('c.offering_id', '=', offeringId)
    .executeTakeFirst();
}

/** Active students per section: [{ section_id, n }]. */
async function enrolledBySection(db: Db, offeringId: number, role: LearnerRole) {
  return db
    .selectFrom('app_user')
    .select(['section_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('offering_id', '=', offeringId)
    .where('role', '=', role)
    .where('deactivated_at', 'is', null)
    .groupBy('section_id')
    .execute();
}

/** Students who answered, per unit and section: one aggregate query for the whole offering. */
async function answeredBySection(db: Db, offeringId: number, role: LearnerRole) {
  return db
    .selectFrom(lessonsRepository.learningCheckResponses(db).as('r'))
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .select(['r.unit_id', 'u.section_id', sql<number>`count(distinct r.user_id)`.as('n')])
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', role)
    .where('u.deactivated_at', 'is', null)
    .groupBy(['r.unit_id', 'u.section_id'])
    .execute();
}

/** Each answering student's current response to the unit, with how many times they saved it. */
async function currentResponses(db: Db, offeringId: number, role: LearnerRole, unitId: number, sectionId: number | null) {
  let q = db
    .selectFrom(lessonsRepository.learningCheckResponses(db).as('r'))
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .leftJoin('section as s', 's.id', 'u.section_id')
    .distinctOn('r.user_id')
    .select([
      'r.id',
      'r.user_id',
      'r.understanding',
      'r.strengths',
      'r.weaknesses',
      'r.submitted_at',
      'u.name',
      'u.email',
      's.code as section',
      sql<number>`count(*) over (partition by r.user_id)`.as('saves'),
    ])
    .where('r.unit_id', '=', unitId)
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', role)
    .where('u.deactivated_at', 'is', null);
  if (sectionId !== null) q = q.where('u.section_id', '=', sectionId);
  return q.orderBy('r.user_id').orderBy('r.submitted_at', 'desc').orderBy('r.id', 'desc').execute();
}

/** Active students (in the section, if given) without any response to the unit. */
async function notAnswered(db: Db, offeringId: number, role: LearnerRole, unitId: number, sectionId: number | null) {
  let q = db
    .selectFrom('app_user as u')
    .select(['u.id', 'u.name'])
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', role)
    .where('u.deactivated_at', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom(lessonsRepository.learningCheckResponses(db).as('r'))
            .select(sql`1`.as('one'))
            .whereRef('r.user_id', '=', 'u.id')
            .where('r.unit_id', '=', unitId),
        ),
      ),
    );
  if (sectionId !== null) q = q.where('u.section_id', '=', sectionId);
  return q.orderBy('u.name').orderBy('u.id').execute();
}

export const learningCheckRepository = Object.freeze({ unit, enrolledBySection, answeredBySection, currentResponses, notAnswered });
