import { sql, type Kysely } from 'kysely';
import { hashPassword } from '../accounts/passwords';
import type { Database } from '../db/database';

/**
 * A realistic Winter 2020 semester for N learners, generated set-based inside PostgreSQL
 * (insert … select from generate_series), so 50,000 learners load in a minute or two.
 * Deterministic: every "random" choice is an md5 of the row's key and a salt, so the same N
 * gives the same data on every machine. The semester is shown as of mid-April 2020 (LeadEd503x
 * Lesson 06): LeadEd502x portfolios are in every state (graded, submitted, late, extended,
 * missing); LeadEd503x is under way.
 */
export const SCALE_ZONES = [
  'America/Detroit', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Mexico_City',
  'America/Sao_Paulo', 'America/Bogota', 'America/Toronto', 'Europe/London', 'Europe/Madrid', 'Europe/Berlin', 'Europe/Istanbul',
  'Africa/Lagos', 'Africa/Cairo', 'Africa/Nairobi', 'Africa/Johannesburg', 'Asia/Karachi', 'Asia/Kolkata', 'Asia/Dhaka',
  'Asia/Bangkok', 'Asia/Manila', 'Asia/Shanghai', 'Asia/Tokyo', 'Asia/Seoul', 'Australia/Sydney', 'Pacific/Auckland',
  'Asia/Dubai', 'Asia/Jakarta', 'America/Lima',
];

/** 0..999, deterministic from a SQL expression and a salt. */
export const rnd = (expr: string, salt: string) => `(('x' || substr(md5((${expr})::text || '${salt}'), 1, 7))::bit(28)::int % 1000)`;

export interface ScaleOptions {
  learners: number;
  password: string;
  log?: (line: string) => void;
}

type Db = Kysely<Database>;

async function run(db: Db, label: string, statement: string, log: (l: string) => void): Promise<void> {
  const started = Date.now();
  const res = await sql.raw(statement).execute(db);
  log(`  ${label}: ${res.numAffectedRows ?? 0n} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function seedScale(db: Db, opts: ScaleOptions): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const offering = await db.selectFrom('course_offering').select(['id']).where('slug', '=', 'educ-551-639-winter-2020').executeTakeFirstOrThrow();
  const existing = await db.selectFrom('app_user').select('id').where('email', 'like', 'learner%@scale.example').limit(1).executeTakeFirst();
  if (existing) throw new Error('This database already has scale learners: use a fresh database.');
  const hash = await hashPassword(opts.password);
  const o = offering.id;
  const n = opts.learners;
  const zones = `array[${SCALE_ZONES.map((z) => `'${z}'`).join(',')}]`;

  // Lessons in order across both edX courses: k = 1..12 with the Monday their week starts.
  await sql.raw(`
    create temporary table scale_lesson as
    select u.id as unit_id, u.edx_course_id, w.starts_on, row_number() over (order by w.starts_on)::int as k
    from course_week w join unit u on u.id = w.unit_id
    where w.offering_id = ${o} and w.kind = 'lesson'`).execute(db);

  await run(db, 'learners', `
    insert into app_user (email, name, role, offering_id, section_id, time_zone, password_hash, activated_at, created_at, meeting_reminders)
    select 'learner' || i || '@scale.example', 'Learner ' || i, 'student', ${o},
      (select id from section where offering_id = ${o} order by code offset (i % 2) limit 1),
      (${zones})[1 + (i % ${SCALE_ZONES.length})], '${hash}', timestamptz '2020-01-05 12:00Z', timestamptz '2020-01-02 12:00Z', ${rnd('i', 'mr')} >= 100
    from generate_series(1, ${n}) i`, log);

  await sql.raw(`
    create temporary table scale_learner as
    select id as user_id, row_number() over (order by id)::int as i,
      case when ${rnd('id', 'pace')} < 700 then 0 when ${rnd('id', 'pace')} < 900 then 1 when ${rnd('id', 'pace')} < 970 then 2 else 4 end as behind
    from app_user where offering_id = ${o} and email like 'learner%@scale.example'`).execute(db);

  // As of mid-April the calendar is at lesson 12 (503x Lesson 06); each learner is 0–4 lessons behind.
  await run(db, 'component completions', `
    insert into component_completion (user_id, unit_id, component_id, completed_at)
    select l.user_id, s.unit_id, c.id, s.starts_on::timestamptz + interval '1 day' * (${rnd("l.user_id || ':' || s.k", 'day')} % 6) + interval '14 hours' + interval '7 minutes' * c.position
    from scale_learner l join scale_lesson s on s.k <= 12 - l.behind cross join lesson_component c`, log);

  await run(db, 'study guides', `
    insert into study_guide (user_id, unit_id, created_at)
    select l.user_id, s.unit_id, s.starts_on::timestamptz + interval '15 hours'
    from scale_learner l join scale_lesson s on s.k <= 12 - l.behind where ${rnd("l.user_id || ':' || s.k", 'sg')} < 960`, log);
  await run(db, 'study guide versions', `
    insert into study_guide_version (study_guide_id, version_no, body_md, created_at)
    select g.id, v, '## Key terms' || chr(10) || '- learning systems' || chr(10) || '- improvement networks' || chr(10) || chr(10) || 'Questions for my team: version ' || v, g.created_at + interval '1 hour' * v
    from study_guide g join scale_learner l on l.user_id = g.user_id cross join generate_series(1, 2) v
    where v = 1 or ${rnd('g.id', 'v2')} < 400`, log);

  // Teams of four (3–5 at the edges) per lesson, drawn in a different order each lesson.
  await sql.raw(`
    create temporary table scale_team_seat as
    select s.unit_id, s.k, l.user_id, ((row_number() over (partition by s.unit_id order by md5(l.user_id || ':' || s.k)) - 1) / 4)::int as team_no
    from scale_learner l join scale_lesson s on s.k <= 12 - l.behind`).execute(db);
  await run(db, 'teams', `
    insert into team (unit_id, name, created_by, created_at)
    select unit_id, 'Team ' || k || '-' || (team_no + 1), min(user_id), (select starts_on from scale_lesson sl where sl.unit_id = ts.unit_id)::timestamptz + interval '18 hours'
    from scale_team_seat ts group by unit_id, k, team_no`, log);
  await run(db, 'team memberships', `
    insert into team_membership (team_id, user_id, unit_id, joined_at)
    select t.id, ts.user_id, ts.unit_id, t.created_at
    from scale_team_seat ts join team t on t.unit_id = ts.unit_id and t.name = 'Team ' || ts.k || '-' || (ts.team_no + 1)`, log);
  await run(db, 'team artifacts', `
    insert into team_artifact_version (team_id, version_no, body_md, uploaded_by, created_at)
    select t.id, 1, 'Our team''s response to the leadership scenario for this lesson.', t.created_by, t.created_at + interval '3 days'
    from team t join scale_lesson s on s.unit_id = t.unit_id where t.name like 'Team %-%' and ${rnd('t.id', 'art')} < 950`, log);

  await run(db, 'learning check responses', `
    insert into learning_check_response (user_id, unit_id, understanding, strengths, weaknesses, submitted_at)
    select l.user_id, s.unit_id, 'I understand how networks learn together.', 'The case study was vivid.', 'The videos were long.', s.starts_on::timestamptz + interval '5 days'
    from scale_learner l join scale_lesson s on s.k <= 12 - l.behind where ${rnd("l.user_id || ':' || s.k", 'lc')} < 650`, log);

  // LeadEd502x portfolio: reflections, extensions, submissions in every state, peer review.
  const req502 = `(select pr.id from portfolio_requirement pr join edx_course c on c.id = pr.edx_course_id where c.offering_id = ${o} and c.code = 'LeadEd502x')`;
  await run(db, 'reflections', `
    insert into portfolio_reflection (user_id, portfolio_requirement_id, created_at)
    select user_id, ${req502}, timestamptz '2020-02-24 20:00Z' from scale_learner where ${rnd('user_id', 'refl')} < 900`, log);
  await run(db, 'reflection versions', `
    insert into portfolio_reflection_version (reflection_id, version_no, body_md, created_at)
    select id, 1, 'Looking back on LeadEd502x, I learned to frame innovation as collaborative learning.', created_at from portfolio_reflection r
    where r.user_id in (select user_id from scale_learner)`, log);
  await run(db, 'extension requests', `
    insert into extension_request (user_id, portfolio_requirement_id, reason, proposed_due_on, requested_at, made_before_due, status, decided_at, decision_message, granted_due_on, granted_due_at)
    select user_id, ${req502}, 'Family emergency', date '2020-03-04', timestamptz '2020-02-20 15:00Z', true,
      case when ${rnd('user_id', 'ext')} % 3 = 0 then 'declined' when ${rnd('user_id', 'ext')} % 3 = 1 then 'approved' else 'pending' end,
      case when ${rnd('user_id', 'ext')} % 3 = 2 then null else timestamptz '2020-02-21 15:00Z' end,
      case when ${rnd('user_id', 'ext')} % 3 = 2 then null else 'Thanks for letting me know in advance.' end,
      case when ${rnd('user_id', 'ext')} % 3 = 1 then date '2020-03-04' end,
      case when ${rnd('user_id', 'ext')} % 3 = 1 then timestamptz '2020-03-05 05:00Z' end
    from scale_learner where ${rnd('user_id', 'needs-ext')} < 30`, log);
  await run(db, 'portfolio submissions', `
    insert into portfolio_submission (user_id, portfolio_requirement_id, submitted_at, due_at, is_late, late_by_seconds, is_complete, missing, snapshot)
    select user_id, ${req502}, at, timestamptz '2020-02-27 05:00Z', at >= timestamptz '2020-02-27 05:00Z',
      greatest(0, extract(epoch from at - timestamptz '2020-02-27 05:00Z'))::int, behind = 0, '[]'::jsonb,
      jsonb_build_object('requirementId', ${req502}, 'takenAt', at, 'items', '[]'::jsonb)
    from (select user_id, behind, case when ${rnd('user_id', 'sub')} < 900 then timestamptz '2020-02-26 20:00Z' else timestamptz '2020-02-28 16:00Z' end as at
          from scale_learner where ${rnd('user_id', 'submitted')} < 920) x`, log);
  await run(db, 'peer assignments', `
    insert into peer_assignment (portfolio_requirement_id, assessor_id, assessee_id, assigned_by, assigned_at, seed)
    select ${req502}, a.user_id, b.user_id, (select id from app_user where offering_id = ${o} and role = 'instructor' limit 1), timestamptz '2020-02-17 15:00Z', 'scale'
    from scale_learner a join scale_learner b on b.i = (a.i % ${n}) + 1`, log);
  await run(db, 'peer assessments', `
    insert into peer_assessment (peer_assignment_id, portfolio_requirement_id, assessor_id, assessee_id, version_no, collegial_interactions, work_products, strength, suggestion, status, created_at)
    select id, portfolio_requirement_id, assessor_id, assessee_id, 1, 'Generous and prepared in Team Practice.', 'Thorough study guides.', 'Clear writing', 'Cite more enrichment', 'submitted', timestamptz '2020-02-22 15:00Z'
    from peer_assignment where seed = 'scale' and ${rnd('id', 'pa')} < 850`, log);

  await sql.raw('drop table scale_lesson; drop table scale_team_seat; drop table scale_learner').execute(db).catch(async () => {
    for (const t of ['scale_lesson', 'scale_team_seat', 'scale_learner']) await sql.raw(`drop table if exists ${t}`).execute(db);
  });
  await sql.raw('analyze').execute(db);
}
