import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hashPassword } from './accounts/passwords';
import { loadCourse, readCourseFile } from './course/course.loader';
import type { Db } from './db/database';
import { seedsDir } from './paths';
import { seedRubrics } from './progressions/rubric.loader';
import { localInstant } from './time';

/**
 * Seeds every course file in seeds/courses/ and the demo accounts in seeds/demo-accounts.json.
 * Safe to run again: existing offerings and accounts are left alone.
 */
const demoSchema = z.object({
  offering: z.string(),
  instructor: z.object({ email: z.email(), name: z.string(), timeZone: z.string() }),
  students: z.array(z.object({ email: z.email(), name: z.string(), section: z.string(), timeZone: z.string() })),
  teams: z.array(z.object({ edxCourse: z.string(), lesson: z.number(), name: z.string(), members: z.array(z.email()), formedOn: z.string() })),
});

export interface SeedResult {
  offeringsCreated: string[];
  demoAccountsCreated: number;
  /** Set when the demo password was generated (SEED_DEMO_PASSWORD unset): print it once. */
  generatedPassword: string | null;
}

export function courseFiles(): string[] {
  const dir = path.join(seedsDir, 'courses');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

export async function seedAll(db: Db, opts: { demoPassword?: string; files?: string[] } = {}): Promise<SeedResult> {
  const result: SeedResult = { offeringsCreated: [], demoAccountsCreated: 0, generatedPassword: null };
  for (const file of opts.files ?? courseFiles()) {
    const def = readCourseFile(file);
    const { created } = await loadCourse(db, def);
    if (created) result.offeringsCreated.push(def.offering.slug);
  }
  await seedRubrics(db);
  const demo = demoSchema.parse(JSON.parse(fs.readFileSync(path.join(seedsDir, 'demo-accounts.json'), 'utf8')));
  const offering = await db.selectFrom('course_offering').select(['id', 'time_zone']).where('slug', '=', demo.offering).executeTakeFirst();
  if (!offering) return result;
  const existing = await db.selectFrom('app_user').select('id').where('offering_id', '=', offering.id).limit(1).executeTakeFirst();
  if (existing) return result;

  const password = opts.demoPassword ?? crypto.randomBytes(9).toString('base64url');
  if (!opts.demoPassword) result.generatedPassword = password;
  const hash = await hashPassword(password);
  const sections = await db.selectFrom('section').select(['id', 'code']).where('offering_id', '=', offering.id).execute();
  const sectionId = new Map(sections.map((s) => [s.code, s.id]));
  const createdAt = localInstant('2020-01-02', '09:00', offering.time_zone);

  await db
    .insertInto('app_user')
    .values({
      email: demo.instructor.email,
      name: demo.instructor.name,
      role: 'instructor',
      offering_id: offering.id,
      section_id: null,
      time_zone: demo.instructor.timeZone,
      password_hash: hash,
      activated_at: createdAt,
      created_at: createdAt,
      last_login_at: null,
      deactivated_at: null,
    })
    .execute();
  const students = await db
    .insertInto('app_user')
    .values(
      demo.students.map((s) => {
        const section = sectionId.get(s.section);
        if (!section) throw new Error(`demo-accounts.json: unknown section ${s.section}`);
        return {
          email: s.email,
          name: s.name,
          role: 'student' as const,
          offering_id: offering.id,
          section_id: section,
          time_zone: s.timeZone,
          password_hash: hash,
          activated_at: createdAt,
          created_at: createdAt,
          last_login_at: null,
          deactivated_at: null,
        };
      }),
    )
    .returning(['id', 'email'])
    .execute();
  result.demoAccountsCreated = students.length + 1;
  const userId = new Map(students.map((s) => [s.email, s.id]));

  for (const t of demo.teams) {
    const unit = await db
      .selectFrom('unit')
      .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
      .select('unit.id')
      .where('edx_course.offering_id', '=', offering.id)
      .where('edx_course.code', '=', t.edxCourse)
      .where('unit.lesson_number', '=', t.lesson)
      .executeTakeFirstOrThrow();
    const formedAt = localInstant(t.formedOn, '18:00', offering.time_zone);
    const memberIds = t.members.map((m) => {
      const id = userId.get(m);
      if (!id) throw new Error(`demo-accounts.json: team ${t.name} names unknown student ${m}`);
      return id;
    });
    const team = await db
      .insertInto('team')
      .values({ unit_id: unit.id, name: t.name, created_by: memberIds[0], created_at: formedAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('team_membership')
      .values(memberIds.map((id) => ({ team_id: team.id, user_id: id, unit_id: unit.id, joined_at: formedAt, left_at: null })))
      .execute();
  }
  return result;
}
