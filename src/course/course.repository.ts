import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { CalendarEventTable } from './course.tables';

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

/** One of the offering's calendar events; `lock` takes it FOR UPDATE (a change bumps its sequence). */
async function event(db: Db, offeringId: number, eventId: number, opts: { lock?: boolean } = {}) {
  let q = db.selectFrom('calendar_event').selectAll().where('offering_id', '=', offeringId).where('id', '=', eventId);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

async function insertEvent(db: Db, event: Insertable<CalendarEventTable>) {
  return db.insertInto('calendar_event').values(event).returningAll().executeTakeFirstOrThrow();
}

/** Applies a change to a calendar event and bumps its iCalendar SEQUENCE in the same statement. */
async function updateEvent(db: Db, eventId: number, changes: Updateable<CalendarEventTable>, at: Date) {
  return db
    .updateTable('calendar_event')
    .set((eb) => ({ ...changes, sequence: eb('sequence', '+', 1), updated_at: at }))
    .where('id', '=', eventId)
    .returningAll()
    .executeTakeFirstOrThrow();
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

/** A unit of one of the offering's edX courses, with what its lesson page links to. */
async function unitInOffering(db: Db, offeringId: number, unitId: number) {
  return db
    .selectFrom('unit')
    .innerJoin('edx_course as c', 'c.id', 'unit.edx_course_id')
    .innerJoin('course_offering as o', 'o.id', 'c.offering_id')
    .selectAll('unit')
    .select(['c.code as edx_code', 'c.title as edx_title', 'c.edx_url', 'c.discussion_url', 'o.social_url', 'o.time_zone as course_zone'])
    .select((eb) =>
      eb.selectFrom('course_week as w').select('w.starts_on').whereRef('w.unit_id', '=', 'unit.id').orderBy('w.starts_on').limit(1).as('week_starts_on'),
    )
    .where('c.offering_id', '=', offeringId)
    .where('unit.id', '=', unitId)
    .executeTakeFirst();
}

export const courseRepository = Object.freeze({
  unitInOffering,
  offering,
  offeringBySlug,
  sections,
  edxCourses,
  units,
  components,
  weeks,
  events,
  event,
  insertEvent,
  updateEvent,
  portfolioRequirements,
});
