import fs from 'node:fs';
import type { Db } from '../db/database';
import { endOfLocalDay, localInstant, startOfLocalDay, addDays } from '../time';
import { campusMeetingDescription, campusMeetingTitle } from './campus-meeting';
import { courseDefinitionSchema, type CourseDefinition } from './course.definition';

/**
 * Loads a course file (seeds/courses/*.json) into the database. Adding a course or a semester is
 * adding such a file: no code changes. Idempotent: an offering whose slug exists is left alone.
 */
export function readCourseFile(file: string): CourseDefinition {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const parsed = courseDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`${file} is not a valid course definition:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export async function loadCourse(trx: Db, def: CourseDefinition): Promise<{ offeringId: number; created: boolean }> {
  const o = def.offering;
  const existing = await trx.selectFrom('course_offering').select('id').where('slug', '=', o.slug).executeTakeFirst();
  if (existing) return { offeringId: existing.id, created: false };

  const zone = o.timeZone;
  const { id: offeringId } = await trx
    .insertInto('course_offering')
    .values({
      slug: o.slug,
      code: o.code,
      title: o.title,
      term: o.term,
      time_zone: zone,
      meeting_weekday: o.meeting.weekday,
      meeting_starts: o.meeting.starts,
      meeting_ends: o.meeting.ends,
      registrar_slot_starts: o.meeting.registrarSlot?.starts ?? null,
      registrar_slot_ends: o.meeting.registrarSlot?.ends ?? null,
      location: o.location,
      instructor_name: o.instructor.name,
      instructor_email: o.instructor.email,
      instructor_phone: o.instructor.phone ?? null,
      social_url: o.socialUrl ?? null,
      starts_on: o.startsOn,
      ends_on: o.endsOn,
      certificate_rule: JSON.stringify(def.certificate),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  await trx
    .insertInto('section')
    .values(def.sections.map((s) => ({ offering_id: offeringId, code: s.code, title: s.title })))
    .execute();

  // The seven components are the MicroMasters' standard: shared by every offering.
  for (const [i, c] of def.components.entries()) {
    await trx
      .insertInto('lesson_component')
      .values({ position: i + 1, slug: c.slug, name: c.name, purpose: c.purpose })
      .onConflict((oc) => oc.column('slug').doUpdateSet({ name: c.name, purpose: c.purpose }))
      .execute();
  }

  const courseIds = new Map<string, number>();
  const unitIds = new Map<string, number>();
  const uid = (suffix: string) => `${o.slug}-${suffix}@cohort-companion`;

  for (const [position, c] of def.edxCourses.entries()) {
    const { id } = await trx
      .insertInto('edx_course')
      .values({ offering_id: offeringId, code: c.code, title: c.title, edx_url: c.edxUrl, discussion_url: c.discussionUrl ?? null, position })
      .returning('id')
      .executeTakeFirstOrThrow();
    courseIds.set(c.code, id);
    const units = await trx
      .insertInto('unit')
      .values(
        c.units.map((u, p) => ({
          edx_course_id: id,
          position: p,
          kind: u.kind,
          lesson_number: u.kind === 'lesson' ? (u.lessonNumber ?? null) : null,
          title: u.title,
          summary: u.summary,
        })),
      )
      .returning(['id', 'kind', 'lesson_number'])
      .execute();
    for (const u of units) unitIds.set(`${c.code}:${u.kind === 'lesson' ? u.lesson_number : u.kind}`, u.id);

    if (c.portfolio) {
      const pr = await trx
        .insertInto('portfolio_requirement')
        .values({ edx_course_id: id, title: c.portfolio.title, due_on: c.portfolio.dueOn, due_at: endOfLocalDay(c.portfolio.dueOn, zone) })
        .returning(['id', 'due_at'])
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('calendar_event')
        .values({
          offering_id: offeringId,
          uid: uid(`portfolio-due-${c.code}`),
          kind: 'portfolio_due',
          title: `${c.portfolio.title} due`,
          description: `Submit your ${c.code} portfolio by the end of ${c.portfolio.dueOn} (${zone}).`,
          starts_at: new Date(pr.due_at.getTime() - 60_000),
          ends_at: pr.due_at,
          edx_course_id: id,
          portfolio_requirement_id: pr.id,
        })
        .execute();
    }
  }

  const courseId = (code: string | undefined, where: string) => {
    if (!code) return null;
    const id = courseIds.get(code);
    if (id === undefined) throw new Error(`${where}: unknown edX course ${code}`);
    return id;
  };

  for (const e of def.events) {
    const allDay = !e.starts;
    await trx
      .insertInto('calendar_event')
      .values({
        offering_id: offeringId,
        uid: uid(`${e.kind}-${e.on}`),
        kind: e.kind,
        title: e.title,
        starts_at: allDay ? startOfLocalDay(e.on, zone) : localInstant(e.on, e.starts!, zone),
        ends_at: allDay ? endOfLocalDay(e.on, zone) : e.ends ? localInstant(e.on, e.ends, zone) : null,
        all_day: allDay,
        location: e.location ?? null,
        edx_course_id: courseId(e.edxCourse, `event ${e.on}`),
      })
      .execute();
  }

  for (const w of def.weeks) {
    const edxCourseId = courseId(w.edxCourse, `week ${w.startsOn}`);
    const unitKey = w.lesson !== undefined ? `${w.edxCourse}:${w.lesson}` : w.unit ? `${w.edxCourse}:${w.unit}` : null;
    const unitId = unitKey ? unitIds.get(unitKey) : null;
    if (unitKey && unitId === undefined) throw new Error(`week ${w.startsOn}: unknown unit ${unitKey}`);
    const { id: weekId } = await trx
      .insertInto('course_week')
      .values({ offering_id: offeringId, starts_on: w.startsOn, kind: w.kind, edx_course_id: edxCourseId, unit_id: unitId ?? null, label: w.label })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (w.campusMeeting) {
      const meetingOn = addDays(w.startsOn, (o.meeting.weekday - 1 + 7) % 7);
      const prefix = w.edxCourse ? `${w.edxCourse} · ` : '';
      await trx
        .insertInto('calendar_event')
        .values({
          offering_id: offeringId,
          uid: uid(`campus-meeting-${meetingOn}`),
          kind: 'campus_meeting',
          title: campusMeetingTitle(`${prefix}${w.label}`),
          description: campusMeetingDescription(w.campusMeeting === 'required', o.meeting),
          starts_at: localInstant(meetingOn, o.meeting.starts, zone),
          ends_at: localInstant(meetingOn, o.meeting.ends, zone),
          required: w.campusMeeting === 'required',
          course_week_id: weekId,
          edx_course_id: edxCourseId,
          location: o.location,
        })
        .execute();
    }
  }
  return { offeringId, created: true };
}
