import { exec, slice, SCALE_AS_OF, step, type StepContext } from './scale-sql';

/**
 * Lesson work for every learner up to where they are (scale_progress: one row per learner and
 * lesson reached, with one md5 `h` that four independent choices are sliced from and a second
 * one `g` for four more): component completions, study guides with versions, teams of 3–5
 * with small team artifacts, Learning Check answers, private notes,
 * Enrichment entries and Celebrate Success shares. The current lesson (k = 12, the week of
 * SCALE_AS_OF) is only partly done, and nothing is dated after SCALE_AS_OF.
 */
export async function seedLessonWork(s: StepContext): Promise<void> {
  await exec(
    s,
    `create temporary table scale_progress on commit drop as
     select l.user_id, l.i, sl.unit_id, sl.k, sl.starts_on, md5(l.user_id || ':' || sl.k) as h, md5(l.user_id || ':' || sl.k || ':more') as g
     from scale_learner l join scale_lesson sl on sl.k <= 12 - l.behind`,
  );
  const asOf = `timestamptz '${SCALE_AS_OF}'`;
  const at = (expr: string) => `least(${expr}, ${asOf} - interval '1 hour')`;

  await step(
    s,
    'component completions',
    `insert into component_completion (user_id, unit_id, component_id, completed_at)
     select p.user_id, p.unit_id, c.id,
       ${at(`p.starts_on::timestamptz + interval '1 day' * (${slice('p.h', 0)} % (case when p.k = 12 then 2 else 6 end)) + interval '14 hours' + interval '7 minutes' * c.position`)}
     from scale_progress p cross join lesson_component c
     where p.k < 12 or c.position <= ${slice('p.h', 1)} % 8`,
  );

  await step(
    s,
    'study guides',
    `insert into study_guide (user_id, unit_id, created_at)
     select user_id, unit_id, ${at(`starts_on::timestamptz + interval '15 hours'`)} from scale_progress where ${slice('h', 2)} < 960`,
  );
  await step(
    s,
    'study guide versions',
    `insert into study_guide_version (study_guide_id, version_no, body_md, created_at)
     select g.id, v, '## Key terms' || chr(10) || '- learning systems' || chr(10) || '- improvement networks' || chr(10) || chr(10) || 'Questions for my team: version ' || v,
       ${at(`g.created_at + interval '1 hour' * v`)}
     from study_guide g join scale_learner l on l.user_id = g.user_id cross join generate_series(1, 2) v
     where v = 1 or ('x' || substr(md5(g.id::text), 1, 7))::bit(28)::int % 1000 < 400`,
  );

  // Teams per lesson, drawn in a different order each lesson: round(n / 4) teams dealt round-robin,
  // so every team has 3–5 members (4 on average) whatever the number of learners.
  await exec(
    s,
    `create temporary table scale_team_seat on commit drop as
     select unit_id, k, user_id, ((rn - 1) % greatest(1, round(n / 4.0)))::int as team_no
     from (select unit_id, k, user_id, row_number() over (partition by unit_id order by h) as rn, count(*) over (partition by unit_id) as n
           from scale_progress) seats`,
  );
  await step(
    s,
    'teams',
    `insert into team (unit_id, name, created_by, created_at)
     select ts.unit_id, 'Team ' || ts.k || '-' || (ts.team_no + 1), min(ts.user_id), ${at(`min(sl.starts_on)::timestamptz + interval '18 hours'`)}
     from scale_team_seat ts join scale_lesson sl on sl.unit_id = ts.unit_id
     group by ts.unit_id, ts.k, ts.team_no`,
  );
  await step(
    s,
    'team memberships',
    `insert into team_membership (team_id, user_id, unit_id, joined_at)
     select t.id, ts.user_id, ts.unit_id, t.created_at
     from scale_team_seat ts join team t on t.unit_id = ts.unit_id and t.name = 'Team ' || ts.k || '-' || (ts.team_no + 1)`,
  );
  await step(
    s,
    'team artifacts',
    `insert into team_artifact_version (team_id, version_no, body_md, uploaded_by, created_at)
     select t.id, 1, 'Our team''s response to the leadership scenario for this lesson.', t.created_by, ${at(`t.created_at + interval '3 days'`)}
     from team t join scale_lesson sl on sl.unit_id = t.unit_id
     where t.name like 'Team %-%' and ('x' || substr(md5(t.id::text), 1, 7))::bit(28)::int % 1000 < 950`,
  );

  await step(
    s,
    'learning check responses',
    `insert into learning_check_response (user_id, unit_id, understanding, strengths, weaknesses, submitted_at)
     select user_id, unit_id, 'I understand how networks learn together.', 'The case study was vivid.', 'The videos were long.',
       ${at(`starts_on::timestamptz + interval '5 days'`)}
     from scale_progress where ${slice('h', 3)} < 650`,
  );
  await step(
    s,
    'lesson notes',
    `insert into lesson_note (user_id, unit_id, body, created_at)
     select user_id, unit_id, 'To ask on campus: how does this apply to a district network?', ${at(`starts_on::timestamptz + interval '2 days'`)}
     from scale_progress where ${slice('g', 0)} < 250`,
  );
  await step(
    s,
    'enrichment entries',
    `insert into enrichment_entry (user_id, unit_id, kind, title, url, created_at)
     select user_id, unit_id, 'web_exploration', 'Carnegie Foundation: improvement science', 'https://www.carnegiefoundation.org/our-ideas/',
       ${at(`starts_on::timestamptz + interval '3 days'`)}
     from scale_progress where ${slice('g', 1)} < 200`,
  );
  await step(
    s,
    'celebrate shares',
    `insert into celebrate_share (user_id, unit_id, body, created_at)
     select user_id, unit_id, 'Our network''s first PDSA cycle worked: attendance is up!', ${at(`starts_on::timestamptz + interval '4 days' + interval '1 minute' * ${slice('g', 3)}`)}
     from scale_progress where ${slice('g', 2)} < 80`,
  );
}
