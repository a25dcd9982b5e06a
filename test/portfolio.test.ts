import { readOne } from '../src/db/reads';
import { submissionsRepository } from '../src/portfolio/submissions.repository';
import { formatDeadline } from '../src/time';
import { restoreClockAfterEach } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { artifactFields, guideFields, withBase } from './helpers/versions';
import { step } from './helpers/story';

/**
 * Portfolios: the checklist, the personal reflection, submission snapshots that later edits
 * never change, the confirmation for an incomplete portfolio, late marking at the exclusive
 * end-of-day boundary (winter and after DST), and who may see what.
 */
let t: TestApp;
let req502: number;
let req503: number;
let lessons502: number[];
const userIds = new Map<string, number>();

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-20T15:00:00Z' });
  const reqs = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.code'])
    .execute();
  req502 = reqs.find((r) => r.code === 'LeadEd502x')!.id;
  req503 = reqs.find((r) => r.code === 'LeadEd503x')!.id;
  const units = await t.db
    .selectFrom('unit as u')
    .innerJoin('edx_course as c', 'c.id', 'u.edx_course_id')
    .select('u.id')
    .where('c.code', '=', 'LeadEd502x')
    .where('u.kind', '=', 'lesson')
    .orderBy('u.position')
    .execute();
  lessons502 = units.map((u) => u.id);
  for (const u of await t.db.selectFrom('app_user').select(['id', 'email']).execute()) userIds.set(u.email, u.id);
});
afterAll(() => t.close());
restoreClockAfterEach(() => t);

const uid = (n: number | 'instructor') => userIds.get(n === 'instructor' ? 'instructor@cohort.example' : `student${n}@cohort.example`)!;

async function saveGuide(s: Session, unitId: number, body: string) {
  const res = await s.upload(`/lessons/${unitId}/study-guide`, await guideFields(s, unitId, { guide_body: body }));
  expect(res.status).toBe(303);
}

async function saveReflection(s: Session, requirementId: number, body: string) {
  const res = await s.post(
    `/portfolios/${requirementId}/reflection`,
    await withBase(s, `/portfolios/${requirementId}`, `/portfolios/${requirementId}/reflection`, { reflection_body: body }),
  );
  expect(res.status).toBe(303);
}

async function submissionsOf(userId: number, requirementId: number) {
  return t.db
    .selectFrom('portfolio_submission')
    .selectAll()
    .where('user_id', '=', userId)
    .where('portfolio_requirement_id', '=', requirementId)
    .orderBy('id')
    .execute();
}

type StoredItem = {
  key: string;
  present: boolean;
  versionId: number | null;
  versionNo?: number;
  bodyMd: string | null;
  teamName?: string;
  uploadedBy?: string;
};
const itemsOf = (snapshot: unknown) => (snapshot as { items: StoredItem[] }).items;

/** Late marking is against the exclusive end of the due day in Detroit. */
async function submitAt(s: Session, requirementId: number, at: string) {
  t.clock.set(at);
  const res = await s.post(`/portfolios/${requirementId}/submit`, { confirm: 'yes' });
  expect(res.status).toBe(303);
  const rows = await t.db.selectFrom('portfolio_submission').selectAll().orderBy('id', 'desc').limit(1).execute();
  return rows[0];
}

test('the portfolio story: checklist, reflections, submissions with snapshots, late marking, the gradebook helper and who may see what', async () => {
  await step('the portfolio page is a checklist with links to fix what is missing, and the due date in the student’s zone', async () => {
    const miguel = await t.login('student2@cohort.example'); // Asia/Manila
    const res = await miguel.get(`/portfolios/${req502}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Lesson 01 study guide');
    expect(res.text).toContain(`href="/lessons/${lessons502[0]}#study-guide"`);
    expect(res.text).toContain(`href="/lessons/${lessons502[5]}#team-practice"`);
    expect(res.text).toContain(`/portfolios/${req502}/feedback`);
    expect(res.text).toContain('href="/peer-assessments"');
    expect(res.text).toContain('has not arrived yet');
    // 23:59 on Wed 02/26 in Detroit is 12:59 PM on Thu 02/27 in Manila.
    expect(res.text).toContain(formatDeadline(new Date('2020-02-27T05:00:00Z'), 'Asia/Manila'));
    expect(formatDeadline(new Date('2020-02-27T05:00:00Z'), 'Asia/Manila')).toContain('Feb 27, 2020, 12:59 PM');
    expect(res.text).toContain('6 days, 14 hours left');
    const list = await miguel.get('/portfolios');
    expect(list.status).toBe(200);
    expect(list.text).toContain('LeadEd502x Portfolio');
    expect(list.text).toContain('LeadEd503x Portfolio');
  });

  await step('the reflection is Markdown; every save is a new version and earlier versions stay readable', async () => {
    const ava = await t.login('student1@cohort.example');
    await saveReflection(ava, req502, 'Version *one*');
    await saveReflection(ava, req502, 'Version **two**');
    const page = await ava.get(`/portfolios/${req502}`);
    expect(page.text).toContain('Version 2, saved');
    const versions = await ava.get(`/portfolios/${req502}/reflection/versions`);
    expect(versions.text).toContain('<em>one</em>');
    expect(versions.text).toContain('<strong>two</strong>');
    const rows = await t.db
      .selectFrom('portfolio_reflection_version as v')
      .innerJoin('portfolio_reflection as r', 'r.id', 'v.reflection_id')
      .select(['v.version_no', 'v.body_md'])
      .where('r.user_id', '=', uid(1))
      .orderBy('v.version_no')
      .execute();
    expect(rows).toEqual([
      { version_no: 1, body_md: 'Version *one*' },
      { version_no: 2, body_md: 'Version **two**' },
    ]);
  });

  await step('an empty reflection is refused with 422 and nothing is written', async () => {
    const olivia = await t.login('student3@cohort.example');
    const res = await olivia.post(`/portfolios/${req502}/reflection`, { reflection_body: '   ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Write your reflection before saving it.');
    const n = await t.db.selectFrom('portfolio_reflection').select('id').where('user_id', '=', uid(3)).execute();
    expect(n).toHaveLength(0);
  });

  await step('submitting an incomplete portfolio first lists what is missing; only "Submit anyway" submits', async () => {
    const grace = await t.login('student5@cohort.example');
    await saveGuide(grace, lessons502[0], 'Key terms for lesson 1');
    const first = await grace.post(`/portfolios/${req502}/submit`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Submit an incomplete portfolio?');
    expect(first.text).toContain('Lesson 02 study guide');
    expect(first.text).toContain('Personal reflection');
    expect(first.text).not.toMatch(/<li>Lesson 01 study guide/);
    expect(first.text).toContain('name="confirm" value="yes"');
    expect(first.text).toContain('Submit anyway');
    expect(await submissionsOf(uid(5), req502)).toHaveLength(0);

    const confirmed = await grace.post(`/portfolios/${req502}/submit`, { confirm: 'yes' });
    expect(confirmed.status).toBe(303);
    const [s] = await submissionsOf(uid(5), req502);
    expect(confirmed.headers.location).toBe(`/portfolios/${req502}/submissions/${s.id}`);
    expect(s.is_complete).toBe(false);
    expect((s.missing as unknown[]).length).toBe(14 - 1); // 6 guides + 6 artifacts + peer assessment + reflection, less guide 1
  });

  await step('the snapshot keeps the exact versions: later edits of the study guide, team artifact and reflection never change it', async () => {
    const ava = await t.login('student1@cohort.example');
    await saveGuide(ava, lessons502[0], 'Guide, first text');
    const artifact = await ava.upload(
      `/lessons/${lessons502[0]}/team-artifact`,
      await artifactFields(ava, lessons502[0], { artifact_body: 'Team plan, first text' }),
    );
    expect(artifact.status).toBe(303);
    await saveReflection(ava, req502, 'Reflection, first text');

    const submitted = await ava.post(`/portfolios/${req502}/submit`, { confirm: 'yes' });
    expect(submitted.status).toBe(303);
    const [first] = await submissionsOf(uid(1), req502);
    const frozen = JSON.stringify(first.snapshot);
    const items = itemsOf(first.snapshot);
    const guide = items.find((i) => i.key === `study_guide:${lessons502[0]}`)!;
    const team = items.find((i) => i.key === `team_artifact:${lessons502[0]}`)!;
    const reflection = items.find((i) => i.key === 'reflection')!;
    expect(guide).toMatchObject({ present: true, bodyMd: 'Guide, first text' });
    expect(team).toMatchObject({ present: true, bodyMd: 'Team plan, first text', teamName: 'Learning Systems Crew', uploadedBy: 'Ava Thompson' });
    expect(reflection).toMatchObject({ present: true, bodyMd: 'Reflection, first text' });
    expect(items.find((i) => i.key === `study_guide:${lessons502[1]}`)).toMatchObject({ present: false, versionId: null, bodyMd: null });
    const guideVersion = await t.db.selectFrom('study_guide_version').select('body_md').where('id', '=', guide.versionId!).executeTakeFirstOrThrow();
    expect(guideVersion.body_md).toBe('Guide, first text');

    // Edit everything afterwards (a teammate edits the team artifact too).
    t.clock.set('2020-02-21T15:00:00Z');
    await saveGuide(ava, lessons502[0], 'Guide, second text');
    await saveReflection(ava, req502, 'Reflection, second text');
    const miguel = await t.login('student2@cohort.example');
    expect(
      (await miguel.upload(`/lessons/${lessons502[0]}/team-artifact`, await artifactFields(miguel, lessons502[0], { artifact_body: 'Team plan, second text' })))
        .status,
    ).toBe(303);

    const [again] = await submissionsOf(uid(1), req502);
    expect(JSON.stringify(again.snapshot)).toBe(frozen);
    const page = await ava.get(`/portfolios/${req502}/submissions/${first.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Guide, first text');
    expect(page.text).toContain('Team plan, first text');
    expect(page.text).toContain('Reflection, first text');
    expect(page.text).not.toContain('second text');
    expect(guide.versionNo).toBe(1);
    expect(page.text).toContain('Version 1, saved Thu, Feb 20, 2020');

    // A resubmission is a new submission with the new versions; the first is kept as it was.
    expect((await ava.post(`/portfolios/${req502}/submit`, { confirm: 'yes' })).status).toBe(303);
    const both = await submissionsOf(uid(1), req502);
    expect(both).toHaveLength(2);
    expect(JSON.stringify(both[0].snapshot)).toBe(frozen);
    const newer = itemsOf(both[1].snapshot);
    expect(newer.find((i) => i.key === guide.key)!.bodyMd).toBe('Guide, second text');
    expect(newer.find((i) => i.key === guide.key)!.versionId).not.toBe(guide.versionId);
    expect(newer.find((i) => i.key === team.key)).toMatchObject({ bodyMd: 'Team plan, second text', uploadedBy: 'Miguel Santos' });
    expect(newer.find((i) => i.key === 'reflection')!.bodyMd).toBe('Reflection, second text');
    const history = await ava.get(`/portfolios/${req502}`);
    expect(history.text).toContain(`/portfolios/${req502}/submissions/${both[0].id}`);
    expect(history.text).toContain(`/portfolios/${req502}/submissions/${both[1].id}`);
    t.clock.set('2020-02-20T15:00:00Z');
  });

  await step('a complete portfolio (peer assessment included) submits without a confirmation step', async () => {
    const noah = await t.login('student10@cohort.example');
    for (const [i, unitId] of lessons502.entries()) {
      await saveGuide(noah, unitId, `Lesson ${i + 1} guide`);
      expect((await noah.post(`/lessons/${unitId}/teams`, { team_name: `Noah team ${i + 1}` })).status).toBe(303);
      expect(
        (await noah.upload(`/lessons/${unitId}/team-artifact`, await artifactFields(noah, unitId, { artifact_body: `Lesson ${i + 1} artifact` }))).status,
      ).toBe(303);
    }
    await saveReflection(noah, req502, 'What I learned');
    // The peer assessment (another feature's pages) arrives: an assignment and a submitted assessment.
    const at = new Date('2020-02-19T15:00:00Z');
    const a = await t.db
      .insertInto('peer_assignment')
      .values({
        portfolio_requirement_id: req502,
        assessor_id: uid(12),
        assessee_id: uid(10),
        assigned_by: uid('instructor'),
        assigned_at: at,
        seed: null,
        replaced_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('peer_assessment')
      .values({
        peer_assignment_id: a.id,
        portfolio_requirement_id: req502,
        assessor_id: uid(12),
        assessee_id: uid(10),
        version_no: 1,
        collegial_interactions: 'Generous in Team Practice',
        work_products: 'Thorough guides',
        strength: 'Clear writing',
        suggestion: 'Cite more enrichment',
        status: 'submitted',
        created_at: at,
      })
      .execute();
    const page = await noah.get(`/portfolios/${req502}`);
    expect(page.text).toContain('has arrived');
    const res = await noah.post(`/portfolios/${req502}/submit`);
    expect(res.status).toBe(303);
    const [s] = await submissionsOf(uid(10), req502);
    expect(s.is_complete).toBe(true);
    expect(s.missing).toEqual([]);
    expect(itemsOf(s.snapshot).find((i) => i.key === 'peer_assessment')!.bodyMd).toContain('Generous in Team Practice');
    expect(itemsOf(s.snapshot).every((i) => i.present)).toBe(true);
  });

  await step('late marking: LeadEd502x (EST): 23:59:59 on 02/26 is on time, 00:00:00 on 02/27 is late', async () => {
    const ayesha = await t.login('student7@cohort.example');
    const onTime = await submitAt(ayesha, req502, '2020-02-26T23:59:59-05:00');
    expect([onTime.is_late, onTime.late_by_seconds, onTime.due_at.toISOString()]).toEqual([false, 0, '2020-02-27T05:00:00.000Z']);
    const late = await submitAt(ayesha, req502, '2020-02-27T00:00:00-05:00');
    expect([late.is_late, late.late_by_seconds]).toEqual([true, 0]);
    const later = await submitAt(ayesha, req502, '2020-02-28T02:30:00-05:00');
    expect([later.is_late, later.late_by_seconds]).toEqual([true, 26 * 3600 + 30 * 60]);
    const page = await ayesha.get(`/portfolios/${req502}`);
    expect(page.text).toContain('On time');
    expect(page.text).toContain('by 1 day, 2 hours');
  });

  await step('late marking: LeadEd503x (EDT, after DST): 23:59:59 on 04/22 is on time, 00:00:00 on 04/23 is late', async () => {
    const sofia = await t.login('student9@cohort.example');
    const onTime = await submitAt(sofia, req503, '2020-04-22T23:59:59-04:00');
    expect([onTime.is_late, onTime.due_at.toISOString()]).toEqual([false, '2020-04-23T04:00:00.000Z']);
    const late = await submitAt(sofia, req503, '2020-04-23T00:00:00-04:00');
    expect([late.is_late, late.late_by_seconds]).toEqual([true, 0]);
  });

  await step('gradebook helper: latestForEach returns each student’s latest submission in one batch', async () => {
    const latest = await readOne(t.db, submissionsRepository.latestForEachRead(t.db, [uid(1), uid(7), uid(11)], [req502]));
    const all1 = await submissionsOf(uid(1), req502);
    const all7 = await submissionsOf(uid(7), req502);
    expect(latest.get(`${uid(1)}:${req502}`)!.id).toBe(all1[all1.length - 1].id);
    expect(latest.get(`${uid(7)}:${req502}`)!.id).toBe(all7[all7.length - 1].id);
    expect(latest.has(`${uid(11)}:${req502}`)).toBe(false);
  });

  await step('authorization: student B cannot see student A’s submission or portfolio; the instructor can', async () => {
    const [aSubmission] = await submissionsOf(uid(1), req502);
    const miguel = await t.login('student2@cohort.example');
    expect((await miguel.get(`/portfolios/${req502}/submissions/${aSubmission.id}`)).status).toBe(404);
    expect((await miguel.get(`/instructor/students/${uid(1)}/portfolios/${req502}`)).status).toBe(403);
    expect((await miguel.get('/portfolios/999999')).status).toBe(404);
    // B's own portfolio page never shows A's work.
    expect((await miguel.get(`/portfolios/${req502}`)).text).not.toContain('Reflection, second text');

    const instructor = await t.login('instructor@cohort.example');
    const view = await instructor.get(`/instructor/students/${uid(1)}/portfolios/${req502}`);
    expect(view.status).toBe(200);
    expect(view.text).toContain('Ava Thompson');
    expect(view.text).toContain('Reflection, second text');
    expect(view.text).not.toContain('name="reflection_body"');
    // Its links lead where the instructor may go: the grading page, not the student-only feedback page.
    expect(view.text).not.toContain(`href="/portfolios/${req502}/feedback"`);
    const aLatest = (await submissionsOf(uid(1), req502)).at(-1)!;
    expect(view.text).toContain(`href="/instructor/submissions/${aLatest.id}/grade"`);
    expect(view.text).toContain(`href="/instructor/students/${uid(1)}/lessons/`);
    const frozen = await instructor.get(`/portfolios/${req502}/submissions/${aSubmission.id}`);
    expect(frozen.status).toBe(200);
    expect(frozen.text).toContain('Guide, first text');
    expect((await instructor.get(`/portfolios/${req502}`)).status).toBe(403);
    expect((await instructor.get(`/instructor/students/${uid('instructor')}/portfolios/${req502}`)).status).toBe(404);
    // Posting to another student's portfolio is impossible: every write acts on the signed-in student.
    expect((await instructor.post(`/portfolios/${req502}/submit`, { confirm: 'yes' })).status).toBe(403);
  });
});
