import { usersRepository } from '../accounts/users.repository';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import type { EventChangeAction } from './events.tables';

/** The change log of calendar events. The events themselves belong to the course (courseRepository
 * .event/insertEvent/updateEvent) and the students to accounts (usersRepository.activeStudents). */
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

export const eventsRepository = Object.freeze({
  list: courseRepository.events,
  find: courseRepository.event,
  insert: courseRepository.insertEvent,
  update: courseRepository.updateEvent,
  logChange,
  changes,
  activeStudents: usersRepository.activeStudents,
});
