import type { Db } from '../../src/db/database';

/**
 * Test data builder: adds students to the seeded offering, invited (no password yet), so a test
 * makes the class it needs instead of reusing the twelve seeded students. Section by code
 * (default: the first by code, EDUC 551); time zone default America/Detroit.
 */
export interface NewStudent {
  email: string;
  name: string;
}

export async function addStudents(db: Db, students: NewStudent[], opts: { sectionCode?: string; timeZone?: string } = {}): Promise<void> {
  const offering = await db.selectFrom('course_offering').select('id').executeTakeFirstOrThrow();
  let sections = db.selectFrom('section').select('id').where('offering_id', '=', offering.id);
  if (opts.sectionCode) sections = sections.where('code', '=', opts.sectionCode);
  const section = await sections.orderBy('code').executeTakeFirstOrThrow();
  await db
    .insertInto('app_user')
    .values(
      students.map((s) => ({
        email: s.email,
        name: s.name,
        role: 'student' as const,
        offering_id: offering.id,
        section_id: section.id,
        time_zone: opts.timeZone ?? 'America/Detroit',
        password_hash: null,
        activated_at: null,
        last_login_at: null,
        deactivated_at: null,
      })),
    )
    .execute();
}

/** `count` students named by their number: numbered(3, 'load', 'Load Student') → load0@cohort.example "Load Student 0", … */
export function numbered(count: number, emailPrefix: string, namePrefix: string, pad = 0): NewStudent[] {
  return Array.from({ length: count }, (_, i) => ({ email: `${emailPrefix}${i}@cohort.example`, name: `${namePrefix} ${String(i).padStart(pad, '0')}` }));
}

/**
 * Portfolio reminders for the Detroit students only: meeting reminders off for everyone, and the
 * seeded students in other zones dropped before the semester's February reminders.
 */
export async function onlyDetroitPortfolioReminders(db: Db): Promise<void> {
  await db.updateTable('app_user').set({ meeting_reminders: false }).execute();
  await db
    .updateTable('app_user')
    .set({ deactivated_at: new Date('2020-02-01T00:00:00Z') })
    .where('email', 'like', 'student%')
    .where('time_zone', '<>', 'America/Detroit')
    .execute();
}
