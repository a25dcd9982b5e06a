import type { Db } from '../db/database';

/** The course as data: offering, sections, edX courses, units, components, weeks, events. */
async function offering(db: Db, offeringId: number) {
  return db.selectFrom('course_offering').selectAll().where('id', '=', offeringId).executeTakeFirstOrThrow();
}

async function offeringBySlug(db: Db, slug: string) {
  return db.selectFrom('course_offering').selectAll().where('slug', '=', slug).executeTakeFirst();
}

async function sections(db: Db, offeringId: number) {
  return db.selectFrom('section').selectAll().where('offering_id', '=', offeringId).orderBy('code').execute();
}

async function edxCourses(db: Db, offeringId: number) {
  return db.selectFrom('edx_course').selectAll().where('offering_id', '=', offeringId).orderBy('position').execute();
}

async function units(db: Db, offeringId: number) {
  return db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .selectAll('unit')
    .select(['edx_course.code as edx_code', 'edx_course.title as edx_title', 'edx_course.position as edx_position'])
    .where('edx_course.offering_id', '=', offeringId)
    .orderBy('edx_course.position')
    .orderBy('unit.position')
    .execute();
}

async function components(db: Db) {
  return db.selectFrom('lesson_component').selectAll().orderBy('position').execute();
}

async function weeks(db: Db, offeringId: number) {
  return db
    .selectFrom('course_week')
    .leftJoin('unit', 'unit.id', 'course_week.unit_id')
    .leftJoin('edx_course', 'edx_course.id', 'course_week.edx_course_id')
    .selectAll('course_week')
    .select(['unit.title as unit_title', 'unit.lesson_number', 'unit.kind as unit_kind', 'edx_course.code as edx_code', 'edx_course.edx_url'])
    .where('course_week.offering_id', '=', offeringId)
    .orderBy('course_week.starts_on')
    .execute();
}

async function events(db: Db, offeringId: number) {
  return db.selectFrom('calendar_event').selectAll().where('offering_id', '=', offeringId).orderBy('starts_at').orderBy('id').execute();
}

async function portfolioRequirements(db: Db, offeringId: number) {
  return db
    .selectFrom('portfolio_requirement')
    .innerJoin('edx_course', 'edx_course.id', 'portfolio_requirement.edx_course_id')
    .selectAll('portfolio_requirement')
    .select(['edx_course.code as edx_code', 'edx_course.title as edx_title'])
    .where('edx_course.offering_id', '=', offeringId)
    .orderBy('edx_course.position')
    .execute();
}

export const courseRepository = Object.freeze({
  offering,
  offeringBySlug,
  sections,
  edxCourses,
  units,
  components,
  weeks,
  events,
  portfolioRequirements,
});
