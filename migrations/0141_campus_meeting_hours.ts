import { sql, type Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';
import { campusMeetingDescription, campusMeetingTitle } from '../src/course/campus-meeting';

/**
 * Campus meetings last as long as students are in the room (Mondays 17:00–19:00, syllabus §4),
 * not the registrar's slot (17:00–20:00, syllabus header). Offerings loaded before this kept the
 * slot as the meeting hours and the room's hours as `open_room_*`: the room's hours become the
 * meeting hours and the slot becomes `registrar_slot_*`, a note. Campus meetings still at the old
 * hours move to the new ones on their own local date (DST-correct: the semester crosses
 * 2020-03-08), with SEQUENCE bumped so subscribed calendars update; a meeting an instructor moved
 * keeps its time. Titles lose the "(campus meeting required)" suffix the badge already says, and
 * generated descriptions are rewritten with the hours and the slot note.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table course_offering add column registrar_slot_starts text check (registrar_slot_starts ~ '^[0-2][0-9]:[0-5][0-9]$');
alter table course_offering add column registrar_slot_ends text check (registrar_slot_ends ~ '^[0-2][0-9]:[0-5][0-9]$');
`,
  );
  const offerings = await db
    .selectFrom('course_offering')
    .select(['id', 'time_zone', 'meeting_starts', 'meeting_ends', 'open_room_starts', 'open_room_ends'])
    .execute();
  for (const o of offerings) {
    const starts: string = o.open_room_starts ?? o.meeting_starts;
    const ends: string = o.open_room_ends ?? o.meeting_ends;
    const moved = starts !== o.meeting_starts || ends !== o.meeting_ends;
    if (moved) {
      await db
        .updateTable('course_offering')
        .set({ registrar_slot_starts: o.meeting_starts, registrar_slot_ends: o.meeting_ends, meeting_starts: starts, meeting_ends: ends })
        .where('id', '=', o.id)
        .execute();
      await sql`
        update calendar_event
           set starts_at = ((starts_at at time zone ${o.time_zone})::date + ${starts}::time) at time zone ${o.time_zone},
               ends_at = ((starts_at at time zone ${o.time_zone})::date + ${ends}::time) at time zone ${o.time_zone},
               sequence = sequence + 1
         where offering_id = ${o.id} and kind = 'campus_meeting' and not all_day
           and to_char(starts_at at time zone ${o.time_zone}, 'HH24:MI') = ${o.meeting_starts}
           and to_char(ends_at at time zone ${o.time_zone}, 'HH24:MI') = ${o.meeting_ends}`.execute(db);
    }
    const hours = { starts, ends, registrarSlot: moved ? { starts: o.meeting_starts, ends: o.meeting_ends } : null };
    const meetings = await db
      .selectFrom('calendar_event')
      .select(['id', 'title', 'description', 'required'])
      .where('offering_id', '=', o.id)
      .where('kind', '=', 'campus_meeting')
      .execute();
    for (const m of meetings) {
      const suffix = / \(campus meeting (required|optional)\)$/;
      const title = suffix.test(m.title) ? campusMeetingTitle(m.title.replace(suffix, '')) : m.title;
      const generated = m.description === 'Campus meeting: attendance required.' || m.description.startsWith('Campus meeting: optional. The room is open ');
      const description = generated ? campusMeetingDescription(m.required === true, hours) : m.description;
      if (title !== m.title || description !== m.description) {
        await db.updateTable('calendar_event').set({ title, description }).where('id', '=', m.id).execute();
      }
    }
  }
  await runStatements(
    db,
    `
alter table course_offering drop column open_room_starts;
alter table course_offering drop column open_room_ends;
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
