import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database';
import { normalizeEmail } from './identity';
import type { OptOutKind } from '../mail/unsubscribe';
import type { AppUserTable } from './accounts.tables';

export type User = Selectable<AppUserTable>;

async function findById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}

async function findByEmail(db: Db, email: string): Promise<User | undefined> {
  return db
    .selectFrom('app_user')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', normalizeEmail(email)))
    .executeTakeFirst();
}

async function findByEmails(db: Db, emails: string[]): Promise<User[]> {
  if (emails.length === 0) return [];
  return db
    .selectFrom('app_user')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', emails.map(normalizeEmail)))
    .execute();
}

async function insert(db: Db, user: Insertable<AppUserTable>): Promise<User> {
  return db.insertInto('app_user').values(user).returningAll().executeTakeFirstOrThrow();
}

/** Many users in one INSERT (a roster import's batch). */
async function insertMany(db: Db, users: Insertable<AppUserTable>[]): Promise<User[]> {
  if (users.length === 0) return [];
  return db.insertInto('app_user').values(users).returningAll().execute();
}

async function setPassword(db: Db, userId: number, passwordHash: string, at: Date): Promise<void> {
  await db
    .updateTable('app_user')
    .set((eb) => ({ password_hash: passwordHash, activated_at: eb.fn.coalesce('activated_at', eb.val(at)) }))
    .where('id', '=', userId)
    .execute();
}

async function recordLogin(db: Db, userId: number, at: Date): Promise<void> {
  await db.updateTable('app_user').set({ last_login_at: at }).where('id', '=', userId).execute();
}

async function settingsOf(db: Db, userId: number) {
  return db
    .selectFrom('app_user')
    .select(['time_zone', 'meeting_reminders', 'announcement_emails', 'digest_emails', 'weekly_nudge'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** The settings form's values; a kind left undefined (not on this user's form) is left as it is. */
async function updateSettings(
  db: Db,
  userId: number,
  s: { timeZone: string; meetingReminders?: boolean; announcementEmails?: boolean; digestEmails?: boolean; weeklyNudge?: boolean },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      time_zone: s.timeZone,
      meeting_reminders: s.meetingReminders,
      announcement_emails: s.announcementEmails,
      digest_emails: s.digestEmails,
      weekly_nudge: s.weeklyNudge,
    })
    .where('id', '=', userId)
    .execute();
}

/** Each opt-out kind's column. A community learner's office-hours reminders share meeting_reminders (their settings label it "Virtual office hours reminders"). */
const optOutColumn = {
  reminder_meeting: 'meeting_reminders',
  reminder_office_hours: 'meeting_reminders',
  announcement: 'announcement_emails',
  digest: 'digest_emails',
  weekly_nudge: 'weekly_nudge',
} as const;

/** One-click unsubscribe: that kind of email off for that user. False when no such user. */
async function unsubscribe(db: Db, userId: number, kind: OptOutKind): Promise<boolean> {
  const r = await db
    .updateTable('app_user')
    .set({ [optOutColumn[kind]]: false })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Every active instructor (any offering), with what their daily digest needs: zone, address, opt-out. */
async function activeInstructors(db: Db) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'time_zone', 'offering_id', 'digest_emails'])
    .where('role', '=', 'instructor')
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** An offering's active students (not deactivated), by id: who to tell about a change to the calendar. */
async function activeStudents(db: Db, offeringId: number) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'time_zone'])
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'student')
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** The roster drops a student: their account stays, deactivated. */
async function deactivate(db: Db, userId: number, at: Date): Promise<void> {
  await db.updateTable('app_user').set({ deactivated_at: at }).where('id', '=', userId).execute();
}

/** The roster re-enrolls a dropped student from `at`. */
async function reactivate(db: Db, userId: number, at: Date): Promise<void> {
  await db.updateTable('app_user').set({ enrolled_at: at, deactivated_at: null }).where('id', '=', userId).execute();
}

/** The roster's edits to a student's account (nothing to set: no statement). */
async function updateMember(db: Db, userId: number, set: { name?: string; email?: string; section_id?: number; time_zone?: string }): Promise<void> {
  if (Object.keys(set).length === 0) return;
  await db.updateTable('app_user').set(set).where('id', '=', userId).execute();
}

/** The ids of the offering's active students, as a subquery other features filter by (run charts, peer assignment). */
function activeStudentIdsOf(db: Db, offeringId: number) {
  return db.selectFrom('app_user').select('id').where('offering_id', '=', offeringId).where('role', '=', 'student').where('deactivated_at', 'is', null);
}

export type ActiveStudentIds = ReturnType<typeof activeStudentIdsOf>;

export const usersRepository = Object.freeze({
  activeStudentIdsOf,
  activeStudents,
  activeInstructors,
  deactivate,
  reactivate,
  updateMember,
  findById,
  unsubscribe,
  findByEmail,
  findByEmails,
  insert,
  insertMany,
  setPassword,
  recordLogin,
  settingsOf,
  updateSettings,
});
