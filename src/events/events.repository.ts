import type { Insertable, Updateable } from 'kysely';
import type { CalendarEventTable } from '../course/course.tables';
import type { Db } from '../db/database';
import type { EventChangeAction } from './events.tables';

/** Calendar events the instructor manages, their change log, and who to tell about a change. */
async function list(db: Db, offeringId: number) {
  return db.selectFrom('calendar_event').selectAll().where('offering_id', '=', offeringId).orderBy('starts_at').orderBy('id').execute();
}

async function find(db: Db, offeringId: number, eventId: number, opts: { lock?: boolean } = {}) {
  let q = db.selectFrom('calendar_event').selectAll().where('offering_id', '=', offeringId).where('id', '=', eventId);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

async function insert(db: Db, event: Insertable<CalendarEventTable>) {
  return db.insertInto('calendar_event').values(event).returningAll().executeTakeFirstOrThrow();
}

/** Applies a change and bumps the iCalendar SEQUENCE in the same statement. */
async function update(db: Db, eventId: number, changes: Updateable<CalendarEventTable>, at: Date) {
  return db
    .updateTable('calendar_event')
    .set((eb) => ({ ...changes, sequence: eb('sequence', '+', 1), updated_at: at }))
    .where('id', '=', eventId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function logChange(
  db: Db,
  row: { eventId: number; sequence: number; action: EventChangeAction; changedBy: number; at: Date; previous: unknown; note: string },
): Promise<void> {
  await db
    .insertInto('calendar_event_change')
    .values({
      calendar_event_id: row.eventId,
      sequence: row.sequence,
      action: row.action,
      changed_by: row.changedBy,
      changed_at: row.at,
      previous: row.previous === null ? null : JSON.stringify(row.previous),
      note: row.note,
    })
    .execute();
}

async function changes(db: Db, eventId: number) {
  return db
    .selectFrom('calendar_event_change as c')
    .innerJoin('app_user as u', 'u.id', 'c.changed_by')
    .select(['c.sequence', 'c.action', 'c.changed_at', 'c.previous', 'c.note', 'u.name as changed_by_name'])
    .where('c.calendar_event_id', '=', eventId)
    .orderBy('c.sequence', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
}

/** Every active student, for change notices (the offering's students who are not deactivated). */
async function activeStudents(db: Db, offeringId: number) {
  return db
    .selectFrom('app_user')
    .select(['id', 'email', 'time_zone'])
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'student')
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .execute();
}

export const eventsRepository = Object.freeze({ list, find, insert, update, logChange, changes, activeStudents });
