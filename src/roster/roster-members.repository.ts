import { usersRepository } from '../accounts/users.repository';
import type { Db } from '../db/database';

/**
 * One student on the roster: reading them for the instructor's page, and the roster's own writes
 * to their account (drop, re-enroll, corrections) and to their closed enrollments.
 */
async function student(db: Db, offeringId: number, userId: number, opts: { lock?: boolean } = {}) {
  let q = db
    .selectFrom('app_user as u')
    .leftJoin('section as s', 's.id', 'u.section_id')
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.offering_id',
      'u.section_id',
      's.code as section',
      'u.time_zone',
      'u.activated_at',
      'u.password_hash',
      'u.created_at',
      'u.enrolled_at',
      'u.deactivated_at',
    ])
    .where('u.id', '=', userId)
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', 'student');
  if (opts.lock) q = q.forUpdate('u');
  return q.executeTakeFirst();
}

/** Someone else (any role, any offering) already using this address, compared case-folded. */
async function emailTakenBy(db: Db, email: string, exceptUserId: number) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name'])
    .where((eb) => eb(eb.fn('lower', [eb.fn('btrim', ['email'])]), '=', email))
    .where('id', '<>', exceptUserId)
    .executeTakeFirst();
}

async function closedPeriods(db: Db, userId: number) {
  return db.selectFrom('enrollment_period').select(['enrolled_at', 'dropped_at']).where('user_id', '=', userId).orderBy('enrolled_at').execute();
}

async function markDropped(db: Db, userId: number, at: Date): Promise<void> {
  await usersRepository.deactivate(db, userId, at);
}

/** Closes the enrollment that ended with the drop and opens a new one now. */
async function reEnroll(db: Db, u: { id: number; enrolled_at: Date; deactivated_at: Date }, at: Date): Promise<void> {
  await db.insertInto('enrollment_period').values({ user_id: u.id, enrolled_at: u.enrolled_at, dropped_at: u.deactivated_at }).execute();
  await usersRepository.reactivate(db, u.id, at);
}

async function sectionOf(db: Db, offeringId: number, sectionId: number) {
  return db.selectFrom('section').select(['id', 'code']).where('id', '=', sectionId).where('offering_id', '=', offeringId).executeTakeFirst();
}

export const rosterMembersRepository = Object.freeze({
  student,
  emailTakenBy,
  closedPeriods,
  markDropped,
  reEnroll,
  update: usersRepository.updateMember,
  sectionOf,
});
