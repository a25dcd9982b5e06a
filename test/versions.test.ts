import { userIdsByLocalPart } from './helpers/builders';
import { lessonUnitId } from './helpers/course';
import { samplePng } from './helpers/sample-files';
import { startTestApp, type TestApp } from './helpers/test-app';
import { formBase, openForm } from './helpers/versions';

/**
 * No lost updates (issue 13): every shared or versioned text is saved against the version its form
 * was opened on. A save from a stale page (another person, or the same person in another tab,
 * saved since) gets 409 and the conflict page with both texts; nothing new becomes current; saving
 * again from the conflict page (its forms carry the current version) makes a new version, and
 * every older one is kept.
 */
let t: TestApp;
const ids: Record<string, number> = {};
let req502: number;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-20T15:00:00Z' });
  Object.assign(ids, await userIdsByLocalPart(t));
  const reqs = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.code'])
    .execute();
  req502 = reqs.find((r) => r.code === 'LeadEd502x')!.id;
});
afterAll(() => t.close());

const login = (who: string) => t.login(`${who}@cohort.example`);

/** The conflict page: 409, theirs (with who and when), yours, and two forms whose base is `current`. */
function expectConflictPage(res: { status: number; text: string }, action: string, theirs: string, yours: string, current: string, by?: string) {
  expect(res.status).toBe(409);
  expect(res.text).toContain('is not saved yet');
  expect(res.text).toContain(theirs);
  expect(res.text).toContain(yours);
  if (by) expect(res.text).toContain(`by <strong>${by}</strong>`);
  expect(res.text).toMatch(/<ins>/);
  expect(res.text).toContain('Save merged text');
  expect(res.text).toContain('Save mine as the new version');
  expect(formBase(res.text, action)).toBe(current);
  const second = res.text.slice(res.text.indexOf('id="mine-heading"'));
  expect(formBase(second, action)).toBe(current);
}

test('team artifact, teammate vs teammate: a stale save gets the conflict page; saving again with the new base adds a version', async () => {
  const u = await lessonUnitId(t.db, 'LeadEd503x', 2);
  const [liam, zoe] = [await login('student8'), await login('student9')];
  await liam.post(`/lessons/${u}/teams/leave`);
  await zoe.post(`/lessons/${u}/teams/leave`);
  expect((await liam.post(`/lessons/${u}/teams`, { team_name: 'Versioners' })).status).toBe(303);
  const team = (await t.db.selectFrom('team').select('id').where('unit_id', '=', u).where('name', '=', 'Versioners').executeTakeFirstOrThrow()).id;
  expect((await zoe.post(`/lessons/${u}/teams/join`, { team_id: String(team) })).status).toBe(303);
  const action = `/lessons/${u}/team-artifact`;
  const versions = () =>
    t.db.selectFrom('team_artifact_version').select(['id', 'version_no', 'body_md', 'uploaded_by']).where('team_id', '=', team).orderBy('version_no').execute();

  // Both open the form before any version exists: an empty base.
  const liamBase = await openForm(liam, `/lessons/${u}`, action);
  const zoeBase = await openForm(zoe, `/lessons/${u}`, action);
  expect([liamBase, zoeBase]).toEqual(['', '']);
  expect((await liam.upload(action, { artifact_body: 'Plan by Liam\nStep one', base_version: liamBase })).status).toBe(303);
  const [first] = await versions();

  // Zoe's first save, from her stale page: someone created the first version meanwhile.
  const stale = await zoe.upload(action, { artifact_body: 'Plan by Zoe\nStep one', base_version: zoeBase });
  const liamName = (await t.db.selectFrom('app_user').select('name').where('id', '=', ids.student8).executeTakeFirstOrThrow()).name;
  expectConflictPage(stale, action, 'Plan by Liam', 'Plan by Zoe', String(first.id), liamName);
  expect(await versions()).toEqual([first]);

  // "Save mine as the new version", from the conflict page.
  expect((await zoe.upload(action, { artifact_body: 'Plan by Zoe\nStep one', base_version: formBase(stale.text, action) })).status).toBe(303);
  const after = await versions();
  expect(after.map((v) => [v.version_no, v.body_md, v.uploaded_by])).toEqual([
    [1, 'Plan by Liam\nStep one', ids.student8],
    [2, 'Plan by Zoe\nStep one', ids.student9],
  ]);

  // Liam's page is now stale too; his merged text saves once it carries the current version.
  const again = await liam.upload(action, { artifact_body: 'Merged plan', base_version: liamBase });
  expect(again.status).toBe(409);
  expect((await liam.upload(action, { artifact_body: 'Merged plan', base_version: formBase(again.text, action) })).status).toBe(303);
  expect((await versions()).map((v) => v.body_md)).toEqual(['Plan by Liam\nStep one', 'Plan by Zoe\nStep one', 'Merged plan']);
});

test('a form without base_version is refused (422), never a silent overwrite', async () => {
  const u = await lessonUnitId(t.db, 'LeadEd503x', 2);
  const liam = await login('student8');
  const before = await t.db.selectFrom('team_artifact_version').select('id').execute();
  const res = await liam.upload(`/lessons/${u}/team-artifact`, { artifact_body: 'Overwrite without a base' });
  expect(res.status).toBe(422);
  expect(res.text).toContain('does not say which version it was opened on');
  expect(await t.db.selectFrom('team_artifact_version').select('id').execute()).toHaveLength(before.length);
  const bad = await liam.upload(`/lessons/${u}/team-artifact`, { artifact_body: 'x', base_version: 'latest' });
  expect(bad.status).toBe(422);
});

test('study guide, same student in two tabs: the older tab is stale after the newer tab saves', async () => {
  const u = await lessonUnitId(t.db, 'LeadEd503x', 3);
  const s = await login('student10');
  const action = `/lessons/${u}/study-guide`;
  expect((await s.upload(action, { guide_body: 'Guide v1', base_version: await openForm(s, `/lessons/${u}`, action) })).status).toBe(303);
  const tab1 = await openForm(s, `/lessons/${u}?edit=study-guide`, action);
  const tab2 = await openForm(s, `/lessons/${u}?edit=study-guide`, action);
  expect(tab1).toBe(tab2);
  expect((await s.upload(action, { guide_body: 'Guide v2 from tab two', base_version: tab2 })).status).toBe(303);
  const guide = await t.db.selectFrom('study_guide').select('id').where('user_id', '=', ids.student10).where('unit_id', '=', u).executeTakeFirstOrThrow();
  const versions = () =>
    t.db.selectFrom('study_guide_version').select(['id', 'version_no', 'body_md']).where('study_guide_id', '=', guide.id).orderBy('version_no').execute();
  const v2 = (await versions())[1];

  const files = async () =>
    Number(
      (
        await t.db
          .selectFrom('attachment')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const filesBefore = await files();
  const stale = await s.upload(action, { guide_body: 'Guide from tab one', base_version: tab1 }, [
    { field: 'guide_file', buffer: samplePng(), filename: 'tab-one.png' },
  ]);
  expectConflictPage(stale, action, 'Guide v2 from tab two', 'Guide from tab one', String(v2.id), 'you');
  expect(stale.text).toContain('enctype="multipart/form-data"');
  expect(stale.text).toContain('The file you attached was not saved');
  expect(await files()).toBe(filesBefore);
  expect((await versions()).map((v) => v.body_md)).toEqual(['Guide v1', 'Guide v2 from tab two']);

  expect((await s.upload(action, { guide_body: 'Guide merged from both tabs', base_version: formBase(stale.text, action) })).status).toBe(303);
  expect((await versions()).map((v) => v.body_md)).toEqual(['Guide v1', 'Guide v2 from tab two', 'Guide merged from both tabs']);
});

test('Learning Check, same student in two tabs', async () => {
  const u = await lessonUnitId(t.db, 'LeadEd503x', 3);
  const s = await login('student10');
  const action = `/lessons/${u}/learning-check`;
  const answers = (what: string) => ({ understanding: `${what} understanding`, strengths: `${what} strengths`, weaknesses: `${what} weaknesses` });
  const rows = () =>
    t.db
      .selectFrom('learning_check_response')
      .select(['id', 'understanding'])
      .where('user_id', '=', ids.student10)
      .where('unit_id', '=', u)
      .orderBy('id')
      .execute();
  expect(await openForm(s, `/lessons/${u}`, action)).toBe('');
  expect((await s.post(action, { ...answers('First'), base_version: '' })).status).toBe(303);
  const tab1 = await openForm(s, `/lessons/${u}`, action);
  const tab2 = await openForm(s, `/lessons/${u}`, action);
  expect((await s.post(action, { ...answers('Tab two'), base_version: tab2 })).status).toBe(303);
  const current = (await rows())[1];

  const stale = await s.post(action, { ...answers('Tab one'), base_version: tab1 });
  expectConflictPage(stale, action, 'Tab two understanding', 'Tab one understanding', String(current.id));
  expect(stale.text).toContain('name="weaknesses"'); // every answer can be edited again
  expect((await rows()).map((r) => r.understanding)).toEqual(['First understanding', 'Tab two understanding']);

  expect((await s.post(action, { ...answers('Merged'), base_version: formBase(stale.text, action) })).status).toBe(303);
  expect((await rows()).map((r) => r.understanding)).toEqual(['First understanding', 'Tab two understanding', 'Merged understanding']);
});

test('portfolio reflection, two tabs; an unchanged text is no conflict', async () => {
  const s = await login('student11');
  const action = `/portfolios/${req502}/reflection`;
  const page = `/portfolios/${req502}`;
  const versions = () =>
    t.db
      .selectFrom('portfolio_reflection_version as v')
      .innerJoin('portfolio_reflection as r', 'r.id', 'v.reflection_id')
      .select(['v.id', 'v.body_md'])
      .where('r.user_id', '=', ids.student11)
      .orderBy('v.version_no')
      .execute();
  expect((await s.post(action, { reflection_body: 'Reflection v1', base_version: await openForm(s, page, action) })).status).toBe(303);
  const tab1 = await openForm(s, page, action);
  const tab2 = await openForm(s, page, action);
  expect((await s.post(action, { reflection_body: 'Reflection v2 from tab two', base_version: tab2 })).status).toBe(303);
  const current = (await versions())[1];

  const stale = await s.post(action, { reflection_body: 'Reflection from tab one', base_version: tab1 });
  expectConflictPage(stale, action, 'Reflection v2 from tab two', 'Reflection from tab one', String(current.id), 'you');
  expect((await versions()).map((v) => v.body_md)).toEqual(['Reflection v1', 'Reflection v2 from tab two']);

  // The same text as the current version loses nothing: saved (as unchanged), not refused.
  expect((await s.post(action, { reflection_body: 'Reflection v2 from tab two', base_version: tab1 })).status).toBe(303);
  expect((await s.post(action, { reflection_body: 'Reflection from tab one', base_version: formBase(stale.text, action) })).status).toBe(303);
  expect((await versions()).map((v) => v.body_md)).toEqual(['Reflection v1', 'Reflection v2 from tab two', 'Reflection from tab one']);
});

test('progressions: an assessment recorded from a form opened before a partner recorded one is refused', async () => {
  const instructor = await login('instructor');
  const [ava, miguel] = [await login('student1'), await login('student2')];
  const created = await instructor.post('/progressions/partnerships', {
    name: 'Stale Check Partnership',
    ihe: 'Uni',
    lea: 'District',
    members: [String(ids.student1), String(ids.student2)],
  });
  expect(created.status).toBe(303);
  const p = Number(created.headers.location.match(/(\d+)$/)![1]);
  const action = `/progressions/partnerships/${p}/assessments`;
  const form = (on: string, evidence: string, base: string) => {
    const f: Record<string, string> = { assessedOn: on, base_version: base };
    for (let n = 1; n <= 24; n++) Object.assign(f, { [`stage_${n}`]: '1', [`evidence_${n}`]: `${evidence} ${n}`, [`nextSteps_${n}`]: '' });
    return f;
  };
  const assessments = () =>
    t.db.selectFrom('progression_assessment').select(['id', 'assessed_on', 'created_by']).where('partnership_id', '=', p).orderBy('id').execute();

  const avaBase = await openForm(ava, `${action}/new`, action);
  const miguelBase = await openForm(miguel, `${action}/new`, action);
  expect((await miguel.post(action, form('2020-02-10', 'Miguel evidence', miguelBase))).status).toBe(303);
  const [theirs] = await assessments();

  const stale = await ava.post(action, form('2020-02-12', 'Ava evidence', avaBase));
  const miguelName = (await t.db.selectFrom('app_user').select('name').where('id', '=', ids.student2).executeTakeFirstOrThrow()).name;
  expectConflictPage(stale, action, 'Evidence: Miguel evidence 1', 'Evidence: Ava evidence 1', String(theirs.id), miguelName);
  expect(stale.text).toContain('name="stage_24" value="1"'); // the stages are carried
  expect(await assessments()).toEqual([theirs]);

  expect((await ava.post(action, form('2020-02-12', 'Ava evidence', formBase(stale.text, action)))).status).toBe(303);
  expect((await assessments()).map((a) => [a.assessed_on, a.created_by])).toEqual([
    ['2020-02-10', ids.student2],
    ['2020-02-12', ids.student1],
  ]);
});

test('grading: feedback from a stale grading page (another tab or grader graded meanwhile) is refused', async () => {
  const student = await login('student12');
  const submitted = await student.post(`/portfolios/${req502}/submit`, { confirm: 'yes' });
  expect(submitted.status).toBe(303);
  const sid = Number(submitted.headers.location.match(/submissions\/(\d+)/)![1]);
  const instructor = await login('instructor');
  const action = `/instructor/submissions/${sid}/grade`;
  const events = () => t.db.selectFrom('grade_event').select(['id', 'new_grade', 'feedback']).where('user_id', '=', ids.student12).orderBy('id').execute();
  const current = () => t.db.selectFrom('grade').select(['grade', 'feedback']).where('user_id', '=', ids.student12).executeTakeFirstOrThrow();

  const tab1 = await openForm(instructor, action, action);
  const tab2 = await openForm(instructor, action, action);
  expect([tab1, tab2]).toEqual(['', '']);
  expect((await instructor.post(action, { grade: 'S', feedback: 'Feedback from tab two', base_version: tab2 })).status).toBe(303);
  const [first] = await events();

  const stale = await instructor.post(action, { grade: 'U', feedback: 'Feedback from tab one', base_version: tab1 });
  expectConflictPage(stale, action, 'Feedback from tab two', 'Feedback from tab one', String(first.id));
  expect(stale.text).toContain('name="grade" value="U"');
  expect(await current()).toEqual({ grade: 'S', feedback: 'Feedback from tab two' });
  expect(await events()).toHaveLength(1);

  expect((await instructor.post(action, { grade: 'U', feedback: 'Feedback from tab one', base_version: formBase(stale.text, action) })).status).toBe(303);
  expect(await current()).toEqual({ grade: 'U', feedback: 'Feedback from tab one' });
  expect((await events()).map((e) => [e.new_grade, e.feedback])).toEqual([
    ['S', 'Feedback from tab two'],
    ['U', 'Feedback from tab one'],
  ]);
});

test('the lesson page shows the study guide rendered with an Edit link; its headings never join the component numbering', async () => {
  const u = await lessonUnitId(t.db, 'LeadEd503x', 4);
  const s = await login('student10');
  const action = `/lessons/${u}/study-guide`;
  const first = (await s.get(`/lessons/${u}`).expect(200)).text;
  expect(first).toContain('name="guide_body"'); // no guide yet: the form is open
  expect((await s.upload(action, { guide_body: '# My notes\n## Key terms\n- **Metaphor**: a network', base_version: formBase(first, action) })).status).toBe(
    303,
  );

  const page = (await s.get(`/lessons/${u}`).expect(200)).text;
  expect(page).not.toContain('name="guide_body"');
  expect(page).toContain(`href="/lessons/${u}?edit=study-guide#study-guide"`);
  expect(page).toContain('<h4>My notes</h4>');
  expect(page).toContain('<h5>Key terms</h5>');
  expect(page).toContain('<strong>Metaphor</strong>');
  // The seven components are numbered in the page itself, one to seven; no student heading is an h2.
  const h2s = page.match(/<h2[^>]*>.*?<\/h2>/g) ?? [];
  const numbered = h2s.map((h) => h.match(/class="component-number">(\d+)\. /)?.[1]).filter(Boolean);
  expect(numbered).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  expect(h2s.join('')).not.toContain('Key terms');

  const editing = (await s.get(`/lessons/${u}?edit=study-guide`).expect(200)).text;
  expect(editing).toContain('name="guide_body"');
  expect(editing).toContain('## Key terms');
  expect(formBase(editing, action)).not.toBe('');
});
