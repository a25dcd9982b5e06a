import { safeFileName } from '../src/attachments/attachments.service';
import { userIdOf } from './helpers/builders';
import { sampleDocx, samplePdf, samplePng, zip } from './helpers/sample-files';
import { lessonUnitId } from './helpers/course';
import { startTestApp, type TestApp } from './helpers/test-app';
import { artifactFields, guideFields } from './helpers/versions';

/** Downloads: always an attachment, the sniffed type, nosniff, a safe name; and who may read what. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
});
afterAll(() => t.close());

async function lesson(n: number): Promise<number> {
  return lessonUnitId(t.db, 'LeadEd502x', n);
}

async function userId(email: string): Promise<number> {
  return userIdOf(t, email);
}

async function latestAttachment() {
  return t.db.selectFrom('attachment').select(['id', 'original_name', 'content_type', 'byte_size']).orderBy('id', 'desc').executeTakeFirstOrThrow();
}

test('a download is an attachment with the sniffed type, nosniff and the same bytes', async () => {
  const s = await t.login('student1@cohort.example');
  const png = samplePng();
  // The browser claims text/html and the name says .pdf: the bytes say PNG.
  await s.upload(`/lessons/${await lesson(1)}/study-guide`, await guideFields(s, await lesson(1), { guide_body: 'see diagram' }), [
    { field: 'guide_file', buffer: png, filename: 'diagram.pdf', contentType: 'text/html' },
  ]);
  const file = await latestAttachment();
  expect(file).toMatchObject({ original_name: 'diagram.png', content_type: 'image/png', byte_size: png.length });
  const res = await s
    .get(`/attachments/${file.id}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('image/png');
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?diagram\.png"?$/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['cache-control']).toBe('private, no-store');
  expect(Buffer.compare(res.body as Buffer, png)).toBe(0);
});

test('DOCX and PDF are accepted by content; a plain zip named .docx is refused', async () => {
  const s = await t.login('student3@cohort.example');
  const u = await lesson(2);
  expect(
    (
      await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'a' }), [
        { field: 'guide_file', buffer: sampleDocx(), filename: 'guide.docx' },
      ])
    ).status,
  ).toBe(303);
  expect((await latestAttachment()).content_type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  expect(
    (
      await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'b' }), [
        { field: 'guide_file', buffer: samplePdf(), filename: 'guide' },
      ])
    ).status,
  ).toBe(303);
  expect(await latestAttachment()).toMatchObject({ original_name: 'guide.pdf', content_type: 'application/pdf' });
  const refused = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'c' }), [
    { field: 'guide_file', buffer: zip({ 'evil.sh': 'rm -rf /' }), filename: 'guide.docx' },
  ]);
  expect(refused.status).toBe(422);
});

test('path traversal and odd characters in uploaded names are neutralized', async () => {
  expect(safeFileName('../../etc/passwd', 'png')).toBe('passwd.png');
  expect(safeFileName('..\\..\\Windows\\system32\\evil.exe', 'pdf')).toBe('evil.pdf');
  expect(safeFileName('a"; filename="x.html\r\nSet-Cookie: y', 'gif')).toBe('a_ filename_x.gif');
  expect(safeFileName('Résumé final.docx', 'docx')).toBe('Resume final.docx');
  expect(safeFileName('...', 'jpg')).toBe('attachment.jpg');
  expect(safeFileName('', 'pdf')).toBe('attachment.pdf');
  expect(safeFileName(`${'x'.repeat(500)}.pdf`, 'pdf')).toHaveLength(104);

  const s = await t.login('student5@cohort.example');
  await s.upload(`/lessons/${await lesson(3)}/study-guide`, await guideFields(s, await lesson(3), { guide_body: 'x' }), [
    { field: 'guide_file', buffer: samplePng(), filename: '../../../etc/<script>.png' },
  ]);
  const file = await latestAttachment();
  expect(file.original_name).toBe('script.png');
  const res = await s.get(`/attachments/${file.id}`);
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?script\.png"?$/);
});

test('who may download: owner, teammates for a team artifact file, the instructor, an active peer assessor of the owner or a team member; no one else', async () => {
  const u = await lesson(2); // seeded team "Reason and Rationality": students 1, 4, 8
  const uploader = await t.login('student4@cohort.example');
  await uploader.upload(`/lessons/${u}/team-artifact`, await artifactFields(uploader, u, { artifact_body: 'plan' }), [
    { field: 'artifact_file', buffer: samplePdf(), filename: 'plan.pdf' },
  ]);
  const teamFile = (await latestAttachment()).id;
  await uploader.upload(`/lessons/${u}/study-guide`, await guideFields(uploader, u, { guide_body: 'mine' }), [
    { field: 'guide_file', buffer: samplePng(), filename: 'mine.png' },
  ]);
  const ownFile = (await latestAttachment()).id;

  const status = async (email: string, id: number) => (await (await t.login(email)).get(`/attachments/${id}`)).status;
  expect(await status('student4@cohort.example', ownFile)).toBe(200);
  expect(await status('student8@cohort.example', teamFile)).toBe(200); // teammate
  expect(await status('student8@cohort.example', ownFile)).toBe(404); // a teammate's own study guide file is private
  expect(await status('instructor@cohort.example', ownFile)).toBe(200);
  expect(await status('student6@cohort.example', teamFile)).toBe(404);
  expect(await status('student6@cohort.example', ownFile)).toBe(404);

  // student6 becomes the active peer assessor of student1 (a member of the team).
  const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('due_on').executeTakeFirstOrThrow();
  const assignment = await t.db
    .insertInto('peer_assignment')
    .values({
      portfolio_requirement_id: requirement.id,
      assessor_id: await userId('student6@cohort.example'),
      assessee_id: await userId('student1@cohort.example'),
      assigned_by: await userId('instructor@cohort.example'),
      assigned_at: new Date('2020-02-20T12:00:00Z'),
      seed: null,
      replaced_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  expect(await status('student6@cohort.example', teamFile)).toBe(200); // part of student1's portfolio
  expect(await status('student6@cohort.example', ownFile)).toBe(404); // student4's own file is not
  await t.db
    .updateTable('peer_assignment')
    .set({ replaced_at: new Date('2020-02-21T12:00:00Z') })
    .where('id', '=', assignment.id)
    .execute();
  expect(await status('student6@cohort.example', teamFile)).toBe(404);

  // Leaving the team ends access to its files (the uploader keeps their own).
  const s8 = await t.login('student8@cohort.example');
  await s8.post(`/lessons/${u}/teams/leave`);
  expect((await s8.get(`/attachments/${teamFile}`)).status).toBe(404);
  await uploader.post(`/lessons/${u}/teams/leave`);
  expect((await uploader.get(`/attachments/${teamFile}`)).status).toBe(200);
});

test('odd ids are 404 and anonymous visitors are sent to log in', async () => {
  const s = await t.login('student1@cohort.example');
  expect((await s.get('/attachments/abc')).status).toBe(404);
  expect((await s.get('/attachments/-1')).status).toBe(404);
  expect((await s.get('/attachments/99999999999')).status).toBe(404);
  const anon = await t.anonymous().get('/attachments/1');
  expect(anon.status).toBe(303);
  expect(anon.headers.location).toMatch(/^\/login/);
});
