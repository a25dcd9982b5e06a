import type { Db } from '../db/database';

async function listStudents(db: Db, offeringId: number) {
  return (
    db
      .selectFrom('app_user')
      .innerJoin('section', 'section.id', 'app_user.section_id')
      .select([
        'app_user.id',
        'app_user.name',
        'app_user.email',
        'app_user.time_zone',
        'app_user.date_language',
        'app_user.activated_at',
        'app_user.deactivated_at',
        'section.code as section',
      ])
      .where('app_user.offering_id', '=', offeringId)
      .where('app_user.role', '=', 'student')
      // dropped students stay listed (marked), so the instructor can open and re-enroll them
      .orderBy('section.code')
      .orderBy('app_user.name')
      .execute()
  );
}

export const rosterRepository = Object.freeze({ listStudents });
