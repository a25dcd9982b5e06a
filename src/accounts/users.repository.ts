import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db/database';
import { normalizeEmail } from './identity';
import type { OptOutKind } from '../mail/unsubscribe';
import type { AppUserTable } from './accounts.tables';
import type { LearnerRole } from '../roles';

export type User = Selectable<AppUserTable>;

async function findById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The user's row, locked for the rest of the transaction. */
async function findByIdForUpdate(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
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
    .select(['time_zone', 'date_language', 'meeting_reminders', 'announcement_emails', 'digest_emails', 'weekly_nudge'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** The settings form's values; a kind left undefined (not on this user's form) is left as it is. */
async function updateSettings(
  db: Db,
  userId: number,
  s: { timeZone: string; dateLanguage?: string; meetingReminders?: boolean; announcementEmails?: boolean; digestEmails?: boolean; weeklyNudge?: boolean },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      time_zone: s.timeZone,
      date_language: s.dateLanguage,
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
    .select(['id', 'name', 'email', 'time_zone', 'date_language', 'offering_id', 'digest_emails'])
    .where('role', '=', 'instructor')
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** An offering's active students (not deactivated), by id: who to tell about a change to the calendar. */
async function activeStudents(db: Db, offeringId: number) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'time_zone', 'date_language'])
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

/** An offering's community learners, newest first (the instructor's community list; removed ones included, marked). */
async function communityPage(db: Db, offeringId: number, page: { limit: number; offset: number }) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'country', 'time_zone', 'created_at', 'last_login_at', 'deactivated_at'])
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'community')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** How many community learners an offering has: active, and removed. */
async function communityCounts(db: Db, offeringId: number) {
  const row = await db
    .selectFrom('app_user')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('deactivated_at', 'is', null).as('active'),
      eb.fn.countAll<number>().filterWhere('deactivated_at', 'is not', null).as('removed'),
    ])
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'community')
    .executeTakeFirstOrThrow();
  return { active: Number(row.active), removed: Number(row.removed) };
}

export const usersRepository = Object.freeze({
  activeStudentIdsOf,
  communityPage,
  communityCounts,
  activeStudents,
  activeInstructors,
  deactivate,
  reactivate,
  updateMember,
  findById,
  findByIdForUpdate,
  unsubscribe,
  findByEmail,
  findByEmails,
  insert,
  insertMany,
  setPassword,
  recordLogin,
  settingsOf,
  updateSettings,
  activeLearnerIdsOf,
  activeCommunityPage,
  activeCommunityByPlace,
});

/* Read fragments for the class overview's community group and the insights' groups (issue 17). */

/** The ids of the offering's active learners of one kind, as a subquery (insights: the campus or the community group). */
function activeLearnerIdsOf(db: Db, offeringId: number, role: LearnerRole): ActiveStudentIds {
  return db.selectFrom('app_user').select('id').where('offering_id', '=', offeringId).where('role', '=', role).where('deactivated_at', 'is', null);
}

export interface ActiveCommunityQuery {
  search: string;
  country: string | null;
  sort: 'joined' | 'name';
  dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const communityMembers = (db: Db, offeringId: number, q: Pick<ActiveCommunityQuery, 'search' | 'country'>) => {
  let query = db.selectFrom('app_user as u').where('u.offering_id', '=', offeringId).where('u.role', '=', 'community').where('u.deactivated_at', 'is', null);
  if (q.country) query = query.where('u.country', '=', q.country);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('u.name', 'ilike', like), eb('u.email', 'ilike', like)]));
  }
  return query;
};

/**
 * A page of the offering's active community learners (the class overview's community group),
 * newest first or by name, with the filtered total: two statements whatever the page.
 */
async function activeCommunityPage(db: Db, offeringId: number, q: ActiveCommunityQuery) {
  const dir = q.dir === 'asc' ? 'asc' : 'desc';
  const [rows, total] = await Promise.all([
    communityMembers(db, offeringId, q)
      .select(['u.id', 'u.name', 'u.email', 'u.country', 'u.time_zone', 'u.created_at', 'u.last_login_at'])
      .$if(q.sort === 'joined', (qb) => qb.orderBy('u.created_at', dir).orderBy('u.id', dir))
      .$if(q.sort === 'name', (qb) => qb.orderBy('u.name', dir).orderBy('u.id', dir))
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    communityMembers(db, offeringId, q)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/**
 * The offering's active community learners counted by country and by time zone, and in all, in
 * one statement (grouping sets; an index-only scan of app_user_community_places, migration 0240).
 * Each account is one person (emails are unique), so a row is counted once.
 */
async function activeCommunityByPlace(db: Db, offeringId: number) {
  const rows = await db
    .selectFrom('app_user')
    .select([
      'country',
      'time_zone',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`grouping(country)`.as('no_country'),
      sql<number>`grouping(time_zone)`.as('no_zone'),
    ])
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'community')
    .where('deactivated_at', 'is', null)
    .groupBy(sql`grouping sets ((country), (time_zone), ())`)
    .execute();
  const byCountry: { country: string | null; n: number }[] = [];
  const byZone: { zone: string; n: number }[] = [];
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (Number(r.no_country) === 0) byCountry.push({ country: r.country, n });
    else if (Number(r.no_zone) === 0) byZone.push({ zone: r.time_zone, n });
    else total = n;
  }
  return { total, byCountry, byZone };
}
