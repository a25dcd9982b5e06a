import { portfolioChecklist } from '../src/portfolio/checklist';
import { restoreClockAfterEach, userIdOf } from './helpers/builders';
import { samplePdf, samplePng, sampleExe } from './helpers/sample-files';
import { lessonUnitId } from './helpers/course';
import { startTestApp, type TestApp } from './helpers/test-app';
import { guideFields } from './helpers/versions';

/** Study guides: every save a version, all readable; files checked by content and size; soft delete; privacy. */
let t: TestApp;
const MAX = 4096;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z', env: { UPLOAD_MAX_BYTES: String(MAX) } });
});
afterAll(() => t.close());
restoreClockAfterEach(() => t);

async function lesson(n: number): Promise<number> {
  return lessonUnitId(t.db, 'LeadEd502x', n);
}

async function userId(email: string): Promise<number> {
  return userIdOf(t, email);
}

async function guideOf(email: string, unitId: number) {
  return t.db
    .selectFrom('study_guide')
    .selectAll()
    .where('user_id', '=', await userId(email))
    .where('unit_id', '=', unitId)
    .executeTakeFirst();
}

async function rowCounts() {
  const [versions, attachments] = await Promise.all([
    t.db
      .selectFrom('study_guide_version')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    t.db
      .selectFrom('attachment')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { versions: Number(versions.n), attachments: Number(attachments.n) };
}

test('three saves make three versions, each readable with its own text; the lesson page shows the latest', async () => {
  const u = await lesson(1);
  const s = await t.login('student1@cohort.example');
  const texts = [
    '## Key terms\n- learning system',
    '## Key terms\n- learning system\n- hub',
    '## Key terms\n- learning system\n- hub\n\n## Questions for team discussion\n1. Who designs?',
  ];
  for (const [i, body] of texts.entries()) {
    t.clock.set(`2020-01-27T1${5 + i}:00:00Z`);
    const res = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: body }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/lessons/${u}#study-guide`);
  }
  const guide = (await guideOf('student1@cohort.example', u))!;
  const versions = await t.db
    .selectFrom('study_guide_version')
    .select(['version_no', 'body_md'])
    .where('study_guide_id', '=', guide.id)
    .orderBy('version_no')
    .execute();
  expect(versions).toEqual(texts.map((body_md, i) => ({ version_no: i + 1, body_md })));

  const list = (await s.get(`/study-guides/${guide.id}/versions`).expect(200)).text;
  for (const n of [1, 2, 3]) expect(list).toContain(`/study-guides/${guide.id}/versions/${n}`);
  expect(list).toContain('Mon, Jan 27, 2020, 10:00 AM EST'); // version 1 at 15:00Z, in Detroit
  for (const [i, body] of texts.entries()) {
    const page = (await s.get(`/study-guides/${guide.id}/versions/${i + 1}`).expect(200)).text;
    expect(page).toContain('<h2>Key terms</h2>');
    expect(page.includes('Who designs?')).toBe(body.includes('Who designs?'));
  }
  expect((await s.get(`/study-guides/${guide.id}/versions/4`)).status).toBe(404);
  const lessonPage = (await s.get(`/lessons/${u}`)).text;
  expect(lessonPage).toContain('Version 3, saved');
  expect(lessonPage).toContain('<li>Who designs?</li>'); // the latest text, rendered
  expect((await s.get(`/lessons/${u}?edit=study-guide`)).text).toContain('1. Who designs?'); // and in the form to edit
});

test('Markdown is rendered safely: no script, no javascript: links', async () => {
  const u = await lesson(2);
  const s = await t.login('student3@cohort.example');
  await s.upload(
    `/lessons/${u}/study-guide`,
    await guideFields(s, u, { guide_body: 'Hello <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>' }),
  );
  const guide = (await guideOf('student3@cohort.example', u))!;
  const page = (await s.get(`/study-guides/${guide.id}/versions/1`).expect(200)).text;
  expect(page).not.toMatch(/<script>alert/);
  expect(page).not.toContain('href="javascript:');
  expect(page).not.toMatch(/<img[^>]*onerror/);
});

test('one text shown at two heading levels, again and again, keeps each its own headings (rendered Markdown is kept by text and level)', async () => {
  const u = await lesson(4);
  const s = await t.login('student3@cohort.example');
  const body = '# Big idea\nHello <script>alert(1)</script>';
  await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: body }));
  const guide = (await guideOf('student3@cohort.example', u))!;
  for (let round = 0; round < 2; round++) {
    const lessonPage = (await s.get(`/lessons/${u}`).expect(200)).text;
    expect(lessonPage).toContain('<h4>Big idea</h4>'); // under the lesson's own headings
    expect(lessonPage).not.toContain('<h1>Big idea</h1>');
    const version = (await s.get(`/study-guides/${guide.id}/versions/1`).expect(200)).text;
    expect(version).toContain('<h1>Big idea</h1>'); // the text alone, its own levels
    for (const page of [lessonPage, version]) expect(page).not.toMatch(/<script>alert/);
  }
  // a new version shows the new text at once (the text is the key: nothing to invalidate)
  await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: '# Bigger idea' }));
  expect((await s.get(`/lessons/${u}`).expect(200)).text).toContain('<h4>Bigger idea</h4>');
});

test('a file is refused by its content, not its name: an EXE or text named .pdf gets 422 with the text kept and nothing written', async () => {
  const u = await lesson(3);
  const s = await t.login('student5@cohort.example');
  const before = await rowCounts();
  for (const buffer of [sampleExe(), Buffer.from('just some text, honestly a PDF')]) {
    const res = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'My careful notes on metaphor' }), [
      { field: 'guide_file', buffer, filename: 'notes.pdf', contentType: 'application/pdf' },
    ]);
    expect(res.status).toBe(422);
    expect(res.text).toContain('That file is not a PDF, Word (.docx), PNG, JPEG or GIF file');
    expect(res.text).toContain('My careful notes on metaphor');
  }
  expect(await rowCounts()).toEqual(before);
  expect(await guideOf('student5@cohort.example', u)).toBeUndefined();
});

test('a file over UPLOAD_MAX_BYTES is refused (413) with the text kept and nothing written', async () => {
  const u = await lesson(3);
  const s = await t.login('student7@cohort.example');
  const before = await rowCounts();
  const res = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'Analogies: networks as learning systems' }), [
    { field: 'guide_file', buffer: samplePng(MAX + 100), filename: 'big.png' },
  ]);
  expect(res.status).toBe(413);
  expect(res.text).toContain('That file is too large');
  expect(res.text).toContain('Analogies: networks as learning systems');
  expect(await rowCounts()).toEqual(before);
});

test('an attached file is kept by later saves until removed; an empty save is refused with 422', async () => {
  const u = await lesson(4);
  const s = await t.login('student9@cohort.example');
  const empty = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: '   ' }));
  expect(empty.status).toBe(422);
  expect(empty.text).toContain('Write your study guide, or attach a file.');

  expect(
    (
      await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: '' }), [
        { field: 'guide_file', buffer: samplePdf(), filename: 'SFA notes.pdf' },
      ])
    ).status,
  ).toBe(303);
  expect((await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'Now with text' }))).status).toBe(303);
  expect((await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'Text only now', remove_attachment: 'on' }))).status).toBe(303);
  const guide = (await guideOf('student9@cohort.example', u))!;
  const versions = await t.db
    .selectFrom('study_guide_version')
    .select(['version_no', 'attachment_id'])
    .where('study_guide_id', '=', guide.id)
    .orderBy('version_no')
    .execute();
  expect(versions[0].attachment_id).not.toBeNull();
  expect(versions[1].attachment_id).toBe(versions[0].attachment_id);
  expect(versions[2].attachment_id).toBeNull();
  const att = await t.db
    .selectFrom('attachment')
    .select(['original_name', 'content_type'])
    .where('id', '=', versions[0].attachment_id!)
    .executeTakeFirstOrThrow();
  expect(att).toEqual({ original_name: 'SFA notes.pdf', content_type: 'application/pdf' });
  expect((await s.get(`/study-guides/${guide.id}/versions/2`)).text).toContain('SFA notes.pdf');
});

test('delete is soft: versions are kept and readable, the guide leaves the portfolio, restore brings it back', async () => {
  const u = await lesson(5);
  const s = await t.login('student11@cohort.example');
  await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'MIST notes' }));
  expect((await s.post(`/lessons/${u}/study-guide/delete`)).status).toBe(303);
  const guide = (await guideOf('student11@cohort.example', u))!;
  expect(guide.deleted_at).not.toBeNull();
  expect(await t.db.selectFrom('study_guide_version').select('body_md').where('study_guide_id', '=', guide.id).execute()).toEqual([{ body_md: 'MIST notes' }]);
  const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('due_on').executeTakeFirstOrThrow();
  const inPortfolio = async () => (await portfolioChecklist(t.db, requirement.id, guide.user_id)).items.find((i) => i.key === `study_guide:${u}`)!.present;
  expect(await inPortfolio()).toBe(false);
  const page = (await s.get(`/lessons/${u}`)).text;
  expect(page).toContain('You deleted this study guide');
  expect((await s.get(`/study-guides/${guide.id}/versions/1`).expect(200)).text).toContain('MIST notes');
  expect((await s.post(`/lessons/${u}/study-guide/restore`)).status).toBe(303);
  expect((await guideOf('student11@cohort.example', u))!.deleted_at).toBeNull();
  expect(await inPortfolio()).toBe(true);
});

test('another student cannot read a study guide, its versions or its file (404); the instructor and an active peer assessor can', async () => {
  const u = await lesson(6);
  const owner = await t.login('student2@cohort.example');
  await owner.upload(`/lessons/${u}/study-guide`, await guideFields(owner, u, { guide_body: 'Private thoughts on NCSU' }), [
    { field: 'guide_file', buffer: samplePng(), filename: 'diagram.png' },
  ]);
  const guide = (await guideOf('student2@cohort.example', u))!;
  const version = await t.db.selectFrom('study_guide_version').select('attachment_id').where('study_guide_id', '=', guide.id).executeTakeFirstOrThrow();
  const urls = [`/study-guides/${guide.id}/versions`, `/study-guides/${guide.id}/versions/1`, `/attachments/${version.attachment_id}`];

  const other = await t.login('student4@cohort.example');
  for (const url of urls) {
    const res = await other.get(url);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Private thoughts');
  }
  expect((await other.get(`/lessons/${u}`)).text).not.toContain('Private thoughts');

  const instructor = await t.login('instructor@cohort.example');
  for (const url of urls) expect((await instructor.get(url)).status).toBe(200);

  // A peer assessor reads the assessee's work while the assignment is active.
  const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('due_on').executeTakeFirstOrThrow();
  const assignment = await t.db
    .insertInto('peer_assignment')
    .values({
      portfolio_requirement_id: requirement.id,
      assessor_id: await userId('student4@cohort.example'),
      assessee_id: await userId('student2@cohort.example'),
      assigned_by: await userId('instructor@cohort.example'),
      assigned_at: new Date('2020-02-20T12:00:00Z'),
      seed: null,
      replaced_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const url of urls) expect((await other.get(url)).status).toBe(200);
  await t.db
    .updateTable('peer_assignment')
    .set({ replaced_at: new Date('2020-02-21T12:00:00Z') })
    .where('id', '=', assignment.id)
    .execute();
  for (const url of urls) expect((await other.get(url)).status).toBe(404);
});

test('a save without the CSRF token is refused and writes nothing', async () => {
  const u = await lesson(1);
  const s = await t.login('student12@cohort.example');
  const before = await rowCounts();
  const res = await s.agent.post(`/lessons/${u}/study-guide`).field('_csrf', 'forged').field('guide_body', 'x');
  expect(res.status).toBe(403);
  expect(await rowCounts()).toEqual(before);
});
