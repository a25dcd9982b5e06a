import { instructorOf, requirementOf, rnd, step, type StepContext } from './scale-sql';

/**
 * Portfolios in every state, for the campus students (scale_student; community learners have no
 * portfolio deadline, no grade and no peer review). LeadEd502x (due Feb 26) is over: reflections, extension requests
 * (pending, approved, declined), submissions on time, late and incomplete, missing ones, peer
 * review, and S/U grades with their audit events. LeadEd503x (due Apr 22) is under way:
 * reflection drafts, a few early submissions, peer assignments with some drafts.
 */
export async function seedPortfolios(s: StepContext): Promise<void> {
  const o = s.offeringId;
  const req502 = requirementOf(o, 'LeadEd502x');
  const req503 = requirementOf(o, 'LeadEd503x');
  const instructor = instructorOf(o);

  await step(
    s,
    'reflections',
    `insert into portfolio_reflection (user_id, portfolio_requirement_id, created_at)
     select user_id, ${req502}, timestamptz '2020-02-24 20:00Z' from scale_student where ${rnd('user_id', 'refl')} < 900
     union all
     select user_id, ${req503}, timestamptz '2020-04-12 20:00Z' from scale_student where ${rnd('user_id', 'refl3')} < 400`,
  );
  await step(
    s,
    'reflection versions',
    `insert into portfolio_reflection_version (reflection_id, version_no, body_md, created_at)
     select r.id, v, 'Looking back on this course, I learned to frame innovation as collaborative learning. (draft ' || v || ')', r.created_at + interval '1 day' * (v - 1)
     from portfolio_reflection r join scale_student l on l.user_id = r.user_id cross join generate_series(1, 2) v
     where v = 1 or ${rnd('r.id', 'refl-v2')} < 300`,
  );
  // Extension requests from 3% of the students, and always the third, so a small cohort has one too.
  await step(
    s,
    'extension requests',
    `insert into extension_request (user_id, portfolio_requirement_id, reason, proposed_due_on, requested_at, made_before_due, status, decided_by, decided_at, decision_message, granted_due_on, granted_due_at)
     select user_id, ${req502}, 'Family emergency', date '2020-03-04', timestamptz '2020-02-20 15:00Z', true,
       case x when 0 then 'declined' when 1 then 'approved' else 'pending' end,
       case when x = 2 then null else ${instructor} end,
       case when x = 2 then null else timestamptz '2020-02-21 15:00Z' end,
       case when x = 2 then null else 'Thanks for letting me know in advance.' end,
       case when x = 1 then date '2020-03-04' end,
       case when x = 1 then timestamptz '2020-03-05 05:00Z' end
     from (select user_id, ${rnd('user_id', 'ext')} % 3 as x from scale_student where i = 3 or ${rnd('user_id', 'needs-ext')} < 30) e`,
  );
  // On time (90%) or two days late; due_at is the student's own (an approved extension moves it).
  await step(
    s,
    'portfolio submissions',
    `insert into portfolio_submission (user_id, portfolio_requirement_id, submitted_at, due_at, is_late, late_by_seconds, is_complete, missing, snapshot)
     select x.user_id, ${req502}, x.at, x.due, x.at >= x.due, greatest(0, extract(epoch from x.at - x.due))::int, x.behind = 0,
       case when x.behind = 0 then '[]'::jsonb else '[{"label":"Study guide for Lesson 06"}]'::jsonb end,
       jsonb_build_object('requirementId', ${req502}, 'takenAt', x.at, 'items', '[]'::jsonb)
     from (select l.user_id, l.behind, coalesce(e.granted_due_at, timestamptz '2020-02-27 05:00Z') as due,
             case when ${rnd('l.user_id', 'sub')} < 900 then timestamptz '2020-02-26 20:00Z' else timestamptz '2020-02-28 16:00Z' end as at
           from scale_student l left join extension_request e on e.user_id = l.user_id and e.status = 'approved'
           where ${rnd('l.user_id', 'submitted')} < 920) x
     union all
     select user_id, ${req503}, timestamptz '2020-04-14 18:00Z', timestamptz '2020-04-23 04:00Z', false, 0, true, '[]'::jsonb,
       jsonb_build_object('requirementId', ${req503}, 'takenAt', timestamptz '2020-04-14 18:00Z', 'items', '[]'::jsonb)
     from scale_student where behind = 0 and ${rnd('user_id', 'early')} < 50`,
  );
  await step(
    s,
    'grades',
    `insert into grade (user_id, portfolio_requirement_id, portfolio_submission_id, grade, feedback, graded_by, graded_at)
     select ps.user_id, ps.portfolio_requirement_id, ps.id, case when ps.is_complete then 'S' else 'U' end,
       case when ps.is_complete then 'A thoughtful portfolio: every item is here.' else 'Please add the missing study guide and resubmit.' end,
       ${instructor}, ps.submitted_at + interval '5 days'
     from portfolio_submission ps join scale_student l on l.user_id = ps.user_id
     where ps.portfolio_requirement_id = ${req502} and ${rnd('ps.id', 'graded')} < 950`,
  );
  await step(
    s,
    'grade events',
    `insert into grade_event (grade_id, user_id, portfolio_requirement_id, portfolio_submission_id, actor_id, at, old_grade, new_grade, old_feedback, feedback)
     select g.id, g.user_id, g.portfolio_requirement_id, g.portfolio_submission_id, g.graded_by, g.graded_at, null, g.grade, null, g.feedback
     from grade g join scale_student l on l.user_id = g.user_id`,
  );
  // Peer review: a ring (each learner assesses the next one), shifted differently per course.
  await step(
    s,
    'peer assignments',
    `insert into peer_assignment (portfolio_requirement_id, assessor_id, assessee_id, assigned_by, assigned_at, seed)
     select ${req502}, a.user_id, b.user_id, ${instructor}, timestamptz '2020-02-17 15:00Z', 'scale'
     from scale_student a join scale_student b on b.i = (a.i % ${s.students}) + 1
     union all
     select ${req503}, a.user_id, b.user_id, ${instructor}, timestamptz '2020-04-13 15:00Z', 'scale'
     from scale_student a join scale_student b on b.i = ((a.i + ${s.students > 7 ? 6 : 0}) % ${s.students}) + 1`,
  );
  await step(
    s,
    'peer assessments',
    `insert into peer_assessment (peer_assignment_id, portfolio_requirement_id, assessor_id, assessee_id, version_no, collegial_interactions, work_products, strength, suggestion, status, created_at)
     select id, portfolio_requirement_id, assessor_id, assessee_id, 1, 'Generous and prepared in Team Practice.', 'Thorough study guides.', 'Clear writing', 'Cite more enrichment',
       case when portfolio_requirement_id = ${req502} then 'submitted' else 'draft' end,
       case when portfolio_requirement_id = ${req502} then timestamptz '2020-02-22 15:00Z' else timestamptz '2020-04-14 15:00Z' end
     from peer_assignment
     where seed = 'scale' and ${rnd('id', 'pa')} < case when portfolio_requirement_id = ${req502} then 850 else 200 end`,
  );
}
