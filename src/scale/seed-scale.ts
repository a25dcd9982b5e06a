import { sql, type Kysely } from 'kysely';
import { hashPassword } from '../accounts/passwords';
import type { Database } from '../db/database';
import { withBulkLoad } from './bulk-load';
import { communitySql, isCommunityIndex, placeSql } from './community-spread';
import { exec, rnd, step, type StepContext } from './scale-sql';
import { seedAttendance } from './seed-attendance';
import { seedLessonWork } from './seed-lesson-work';
import { seedPortfolios } from './seed-portfolios';

export { rnd, SCALE_AS_OF } from './scale-sql';

/**
 * A realistic Winter 2020 semester for N learners, generated set-based inside PostgreSQL
 * (insert … select from generate_series), in one transaction with the filled tables' foreign
 * keys and secondary indexes dropped and rebuilt around the load (bulk-load.ts).
 * Deterministic: every "random" choice is an md5 of the row's key and a salt, so the same N
 * gives the same data on every machine. The semester is shown as of mid-April 2020 (LeadEd503x
 * Lesson 06, SCALE_AS_OF): LeadEd502x portfolios are in every state (graded, submitted, late,
 * extended, missing); LeadEd503x is under way.
 */
export const SCALE_ZONES = [
  'America/Detroit',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Mexico_City',
  'America/Sao_Paulo',
  'America/Bogota',
  'America/Toronto',
  'Europe/London',
  'Europe/Madrid',
  'Europe/Berlin',
  'Europe/Istanbul',
  'Africa/Lagos',
  'Africa/Cairo',
  'Africa/Nairobi',
  'Africa/Johannesburg',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Manila',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Asia/Dubai',
  'Asia/Jakarta',
  'America/Lima',
];

/** Every table the seed fills (their foreign keys and secondary indexes are rebuilt after the load). */
export const SCALE_TABLES = [
  'app_user',
  'component_completion',
  'study_guide',
  'study_guide_version',
  'team',
  'team_membership',
  'team_artifact_version',
  'learning_check_response',
  'lesson_note',
  'enrichment_entry',
  'celebrate_share',
  'portfolio_reflection',
  'portfolio_reflection_version',
  'extension_request',
  'portfolio_submission',
  'grade',
  'grade_event',
  'peer_assignment',
  'peer_assessment',
  'attendance_record',
  'absence_notice',
  'calendar_feed',
];

export interface ScaleOptions {
  learners: number;
  password: string;
  log?: (line: string) => void;
}

/** How many of N learners are campus students (the rest, 40%, are community learners). */
export function campusStudentsOf(learners: number): number {
  let n = 0;
  for (let i = 1; i <= learners; i++) if (!isCommunityIndex(i)) n++;
  return n;
}

/**
 * The learners and the temporary tables the other steps read. Campus students (60%) round-robin
 * over the sections and 30 zones; community learners (40%, community-spread.ts) in no section, in
 * a country of the world with its zone, joined in the first two weeks.
 */
async function seedLearners(s: StepContext, hash: string): Promise<void> {
  const o = s.offeringId;
  const zones = `array[${SCALE_ZONES.map((z) => `'${z}'`).join(',')}]`;
  await step(
    s,
    'learners',
    `insert into app_user (email, name, role, offering_id, section_id, time_zone, country, password_hash, activated_at, created_at, meeting_reminders)
     select 'learner' || i || '@scale.example', 'Learner ' || i, case when community then 'community' else 'student' end, ${o},
       case when community then null else (array(select id from section where offering_id = ${o} order by code))[1 + i % 2] end,
       case when community then split_part(place, '|', 2) else (${zones})[1 + (i % ${SCALE_ZONES.length})] end,
       case when community then split_part(place, '|', 1) end,
       '${hash}', joined + interval '3 days', joined, ${rnd('i', 'mr')} >= 100
     from (select i, ${communitySql('i')} as community, ${placeSql('i')} as place,
             case when ${communitySql('i')} then timestamptz '2020-01-02 12:00Z' + interval '1 hour' * (${rnd('i', 'joined')} % 336)
                  else timestamptz '2020-01-02 12:00Z' end as joined
           from generate_series(1, ${s.learners}) i) x`,
  );
  // Lessons in order across both edX courses: k = 1..12 with the Monday their week starts.
  await exec(
    s,
    `create temporary table scale_lesson on commit drop as
     select u.id as unit_id, u.edx_course_id, w.starts_on, row_number() over (order by w.starts_on)::int as k
     from course_week w join unit u on u.id = w.unit_id
     where w.offering_id = ${o} and w.kind = 'lesson'`,
  );
  // As of mid-April the calendar is at lesson 12 (503x Lesson 06); each learner is 0–4 lessons behind.
  // The bench's learners are fixed: learner1 (student) and learner3 (community) on pace, in a team on this
  // week's lesson; learner2 (student) and learner5 (community) a lesson behind, so no team there yet.
  await exec(
    s,
    `create temporary table scale_learner on commit drop as
     select user_id, i, role,
       case when i in (1, 3) then 0 when i in (2, 5) then 1 when r < 700 then 0 when r < 900 then 1 when r < 970 then 2 else 4 end as behind
     from (select id as user_id, role, substr(email, 8, position('@' in email) - 8)::int as i, ${rnd('id', 'pace')} as r
           from app_user where offering_id = ${o} and email like 'learner%@scale.example') x`,
  );
  await exec(s, 'create index on scale_learner (i)');
  await exec(s, 'analyze scale_lesson');
  await exec(s, 'analyze scale_learner');
  // The campus students alone, numbered 1..S (portfolios, grades, peer review and attendance are theirs only).
  await exec(
    s,
    `create temporary table scale_student on commit drop as
     select user_id, row_number() over (order by i)::int as i, behind from scale_learner where role = 'student'`,
  );
  await exec(s, 'create index on scale_student (i)');
  await exec(s, 'analyze scale_student');
}

export async function seedScale(db: Kysely<Database>, opts: ScaleOptions): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const offering = await db.selectFrom('course_offering').select(['id']).where('slug', '=', 'educ-551-639-winter-2020').executeTakeFirstOrThrow();
  const existing = await db.selectFrom('app_user').select('id').where('email', 'like', 'learner%@scale.example').limit(1).executeTakeFirst();
  if (existing) throw new Error('This database already has scale learners: use a fresh database.');
  const hash = await hashPassword(opts.password);
  await db.transaction().execute(async (trx) => {
    const s: StepContext = { db: trx, offeringId: offering.id, learners: opts.learners, students: campusStudentsOf(opts.learners), log };
    await withBulkLoad(
      trx,
      SCALE_TABLES,
      async () => {
        await seedLearners(s, hash);
        await seedLessonWork(s);
        await seedPortfolios(s);
        await seedAttendance(s);
      },
      log,
    );
  });
  // VACUUM sets the visibility map (index-only scans, e.g. the class's count of students, skip the
  // table) and ANALYZE gives the planner the new sizes. Outside the transaction: VACUUM cannot run in one.
  const started = Date.now();
  await sql`vacuum (analyze)`.execute(db);
  log(`  vacuum and analyze: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
