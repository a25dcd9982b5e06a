import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { decodeTextUpload, detectDelimiter } from '../src/http/text-upload';
import { runQueuedImports } from '../src/roster/roster-import.service';
import { samplePng } from './helpers/sample-files';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';

/**
 * Roster files as Excel and registrars write them (issue 13): the encoding and delimiter are
 * detected and shown on a preview; nothing is written before the instructor confirms; a
 * confirmation counts once; another offering's instructor and students cannot reach an import;
 * a 2,000-row roster runs as a job (all rows, or none); edX grade reports are read the same way.
 */
let t: TestApp;
let instructor: Session;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-08T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
});
afterAll(() => t.close());

const file = (buffer: Buffer, filename = 'roster.csv') => [{ field: 'file', buffer, filename, contentType: 'text/csv' }];
const upload = (s: Session, buffer: Buffer, filename?: string) => s.upload('/instructor/roster/import', {}, file(buffer, filename));
const userByEmail = (email: string) =>
  t.db.selectFrom('app_user').select(['id', 'name', 'email', 'time_zone', 'section_id']).where('email', '=', email).executeTakeFirst();
const countUsers = async () =>
  Number(
    (
      await t.db
        .selectFrom('app_user')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const importRow = (id: number) => t.db.selectFrom('roster_import').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const idOf = (location: string) => Number(location.split('/').pop());

/** Upload, open the preview, confirm: the preview page's text and the confirmation's answer. */
async function previewAndConfirm(buffer: Buffer) {
  const res = await upload(instructor, buffer);
  expect(res.status).toBe(303);
  const preview = await instructor.get(res.headers.location).expect(200);
  const confirmed = await instructor.post(`${res.headers.location}/confirm`);
  return { location: res.headers.location as string, preview: preview.text, confirmed };
}

test.each([
  [
    'UTF-8 with BOM',
    'comma',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name,email,section\nJosé Müller,jose.bom@umich.edu,EDUC 551\n', 'utf8')]),
    'jose.bom@umich.edu',
  ],
  [
    'UTF-16 LE',
    'tab',
    Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('name\temail\tsection\r\nJosé Müller\tjose.utf16@umich.edu\tEDUC 551\r\n', 'utf16le')]),
    'jose.utf16@umich.edu',
  ],
  [
    'Windows-1252',
    'semicolon',
    iconv.encode('name;email;section;time_zone\r\nJosé Müller;jose.1252@umich.edu;EDUC 639;Europe/Berlin\r\n', 'win1252'),
    'jose.1252@umich.edu',
  ],
  ['UTF-8', 'comma', Buffer.from('name,email,section\nJosé Müller,jose.utf8@umich.edu,EDUC 551\n', 'utf8'), 'jose.utf8@umich.edu'],
])('a %s file, %s-separated, is detected, shown on the preview and imported with the right name', async (encoding, delimiter, bytes, email) => {
  const { preview, confirmed } = await previewAndConfirm(bytes);
  expect(preview).toContain(`Read as <strong>${encoding}</strong>, <strong>${delimiter}</strong>-separated.`);
  expect(preview).toContain('José Müller');
  expect(confirmed.status).toBe(303);
  expect((await userByEmail(email))?.name).toBe('José Müller');
});

test('the preview shows the rows and writes nothing; confirming creates the students and queues their invitations, once', async () => {
  const before = await countUsers();
  const outboxBefore = Number(
    (
      await t.db
        .selectFrom('outbound_email')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const csv = 'Name;Email;Section;Time Zone\r\nNora Lind;  NORA.Lind@UMich.edu ;EDUC 551;Europe/Stockholm\r\nAva Again;student1@cohort.example;EDUC 551;\r\n';
  const res = await upload(instructor, Buffer.from(csv));
  expect(res.status).toBe(303);
  const page = await instructor.get(res.headers.location).expect(200);
  expect(page.text).toContain('Read as <strong>UTF-8</strong>, <strong>semicolon</strong>-separated.');
  expect(page.text).toContain(
    '1 new student will be added and sent an invitation; 1 already on the roster will be left unchanged. Nothing has been imported yet.',
  );
  expect(page.text).toMatch(/<td>Nora Lind<\/td><td>nora\.lind@umich\.edu<\/td><td>EDUC 551<\/td><td>Europe\/Stockholm<\/td><td>New<\/td>/);
  expect(page.text).toContain('<td>student1@cohort.example</td><td>EDUC 551</td><td>America/Detroit</td><td>Already on the roster</td>');
  expect(await countUsers()).toBe(before);

  const first = await instructor.post(`${res.headers.location}/confirm`);
  expect([first.status, first.headers.location]).toEqual([303, '/instructor/roster']);
  const nora = (await userByEmail('nora.lind@umich.edu'))!;
  expect(nora).toMatchObject({ name: 'Nora Lind', time_zone: 'Europe/Stockholm' });
  const invitations = await t.db.selectFrom('outbound_email').select(['to_address', 'kind']).where('user_id', '=', nora.id).execute();
  expect(invitations).toEqual([{ to_address: 'nora.lind@umich.edu', kind: 'invitation' }]);

  const second = await instructor.post(`${res.headers.location}/confirm`);
  expect([second.status, second.headers.location]).toEqual([303, res.headers.location]);
  const shown = await instructor.get(res.headers.location).expect(200);
  expect(shown.text).toContain('This import was already confirmed; nothing more was imported.');
  expect(shown.text).toContain('Done: imported 1 new student and sent their invitations; 1 already on the roster were left unchanged.');
  expect(shown.text).not.toContain('/confirm');
  expect(await countUsers()).toBe(before + 1);
  const outboxAfter = Number(
    (
      await t.db
        .selectFrom('outbound_email')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  expect(outboxAfter).toBe(outboxBefore + 1);
});

test('emails are compared as identities (case and spaces make no second person); names are put in NFC', async () => {
  const twice = await instructor.post('/instructor/roster/import', {
    csv: 'name,email,section\nRené A,rene@umich.edu,EDUC 551\nRené B, RENE@UMich.EDU ,EDUC 639\n',
  });
  expect(twice.status).toBe(422);
  expect(twice.text).toContain('Line 3: rene@umich.edu appears twice (first on line 2)');

  // "e" + combining acute, as some exports write it, becomes the precomposed "é".
  const res = await instructor.post('/instructor/roster/import', { csv: 'name,email,section\nRene\u0301   Dubois,rene.dubois@umich.edu,EDUC 551\n' });
  await instructor.post(`${res.headers.location}/confirm`);
  expect((await userByEmail('rene.dubois@umich.edu'))?.name).toBe('Ren\u00e9 Dubois');
});

test('a file of people all already on the roster previews with nothing to confirm', async () => {
  const res = await instructor.post('/instructor/roster/import', { csv: 'email\tname\tsection\nstudent3@cohort.example\tSomeone\tEDUC 551\n' });
  const page = await instructor.get(res.headers.location).expect(200);
  expect(page.text).toContain('Everyone in this file is already on the roster: there is nothing to import.');
  expect(page.text).not.toContain('/confirm');
});

test('a binary file is refused with a clear message and nothing is staged', async () => {
  const png = samplePng();
  const staged = Number(
    (
      await t.db
        .selectFrom('roster_import')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const res = await upload(instructor, png, 'roster.xlsx');
  expect(res.status).toBe(422);
  expect(res.text).toContain('This file is not a text (CSV) file we can read.');
  expect(
    Number(
      (
        await t.db
          .selectFrom('roster_import')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  ).toBe(staged);
});

test('another offering’s instructor and students can neither see nor confirm an import', async () => {
  const res = await upload(instructor, Buffer.from('name,email,section\nPia Nowak,pia@umich.edu,EDUC 551\n'));
  const location = res.headers.location as string;

  // A second offering with its own instructor, sharing the database.
  const offering = await t.db.selectFrom('course_offering').selectAll().orderBy('id').executeTakeFirstOrThrow();
  const { id: _id, created_at: _c, ...copy } = offering;
  const other = await t.db
    .insertInto('course_offering')
    .values({ ...copy, slug: 'other-offering-2021' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const seeded = await t.db.selectFrom('app_user').select(['password_hash']).where('email', '=', 'instructor@cohort.example').executeTakeFirstOrThrow();
  await t.db
    .insertInto('app_user')
    .values({
      email: 'other.instructor@umich.edu',
      name: 'Other Instructor',
      role: 'instructor',
      offering_id: other.id,
      section_id: null,
      password_hash: seeded.password_hash,
      activated_at: new Date(),
      last_login_at: null,
      deactivated_at: null,
    })
    .execute();
  const stranger = await t.login('other.instructor@umich.edu');
  expect((await stranger.get(location)).status).toBe(404);
  expect((await stranger.post(`${location}/confirm`)).status).toBe(404);

  const student = await t.login('student2@cohort.example');
  expect((await student.get(location)).status).toBe(403);
  expect((await student.post(`${location}/confirm`)).status).toBe(403);

  expect(await userByEmail('pia@umich.edu')).toBeUndefined();
  expect((await importRow(idOf(location))).status).toBe('preview');
});

function largeRoster(rows: number, tag: string, badLine?: number): Buffer {
  const lines = ['name\temail\tsection\ttime_zone'];
  for (let i = 1; i <= rows; i += 1) {
    const line = i + 1;
    lines.push(`Learner ${tag} ${i}\t${tag}${i}@mooc.example\t${i % 2 ? 'EDUC 551' : 'EDUC 639'}\t${line === badLine ? 'Mars/Base' : 'Asia/Manila'}`);
  }
  return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(lines.join('\r\n') + '\r\n', 'utf16le')]);
}

const countTagged = async (tag: string) =>
  Number(
    (
      await t.db
        .selectFrom('app_user')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('email', 'like', `${tag}%@mooc.example`)
        .executeTakeFirstOrThrow()
    ).n,
  );

test('a 2,001-row roster is queued on confirm, shows its progress, and the job imports every row once', async () => {
  const { location, preview, confirmed } = await previewAndConfirm(largeRoster(2001, 'big'));
  expect(preview).toContain('Read as <strong>UTF-16 LE</strong>, <strong>tab</strong>-separated.');
  expect(preview).toContain('2001 new students will be added');
  expect(preview).toContain('… and 1901 more rows.');
  expect([confirmed.status, confirmed.headers.location]).toEqual([303, location]);
  const queued = await instructor.get(location).expect(200);
  expect(queued.text).toContain('The import of 2001 rows is queued; this page shows its progress.');
  expect(queued.text).toContain('<meta http-equiv="refresh" content="2">');
  expect(queued.text).toContain('aria-valuenow="0"');
  expect(await countTagged('big')).toBe(0);

  // Two workers (as two app instances would run): the import is claimed and run exactly once.
  const [a, b] = await Promise.all([runQueuedImports(t.ctx), runQueuedImports(t.ctx)]);
  expect(a + b).toBe(1);
  expect(await runQueuedImports(t.ctx)).toBe(0);
  const row = await importRow(idOf(location));
  expect([row.status, row.processed, row.created_count, row.error]).toEqual(['done', 2001, 2001, null]);
  expect(await countTagged('big')).toBe(2001);
  const invitations = await t.db
    .selectFrom('outbound_email')
    .innerJoin('app_user', 'app_user.id', 'outbound_email.user_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('outbound_email.kind', '=', 'invitation')
    .where('app_user.email', 'like', 'big%@mooc.example')
    .executeTakeFirstOrThrow();
  expect(Number(invitations.n)).toBe(2001);

  const done = await instructor.get(location).expect(200);
  expect(done.text).toContain('Done: imported 2001 new students and sent their invitations.');
  expect(done.text).not.toContain('http-equiv="refresh"');
}, 120_000);

test('a bad row in a large roster is shown on the preview and nothing can be imported', async () => {
  const res = await upload(instructor, largeRoster(2100, 'bad', 1500));
  expect(res.status).toBe(422);
  expect(res.text).toContain('Line 1500: time zone &#34;Mars/Base&#34; is not an IANA zone');
  expect(res.text).not.toContain('/confirm');
  expect(await countTagged('bad')).toBe(0);
}, 60_000);

test('a large import that fails in the job imports nothing and says why', async () => {
  const { location } = await previewAndConfirm(largeRoster(250, 'late'));
  // The course changes after the preview: a row now fails when the job checks it again.
  const row = await importRow(idOf(location));
  await t.db
    .updateTable('roster_import')
    .set({ csv_text: row.csv_text.replace('late200@mooc.example', 'not-an-address') })
    .where('id', '=', row.id)
    .execute();
  expect(await runQueuedImports(t.ctx)).toBe(1);
  const failed = await importRow(row.id);
  expect([failed.status, failed.created_count]).toEqual(['failed', 0]);
  expect(failed.error).toContain('Line 201: email is not a valid address');
  expect(await countTagged('late')).toBe(0);
  const page = await instructor.get(location).expect(200);
  expect(page.text).toContain('The import failed');
  expect(page.text).toContain('Nothing was imported: Line 201: email is not a valid address');
}, 60_000);

test('an edX grade report saved as Windows-1252 or UTF-16 is decoded before it is read', async () => {
  const report = fs
    .readFileSync(path.join(__dirname, 'fixtures', 'edx', 'MichiganX_LeadEd502x_1T2020_grade_report_2020-02-03-1532.csv'), 'utf8')
    .replace('athompson_um', 'ávathompson_ü');
  const course = await t.db.selectFrom('edx_course').select('id').where('code', '=', 'LeadEd502x').executeTakeFirstOrThrow();
  const ava = await userByEmail('student1@cohort.example');
  const uploadReport = (buffer: Buffer) =>
    instructor.upload('/instructor/edx-import', { edxCourseId: String(course.id) }, [
      { field: 'report', buffer, filename: 'grade_report.csv', contentType: 'text/csv' },
    ]);

  expect((await uploadReport(iconv.encode(report, 'win1252'))).status).toBe(303);
  const account = await t.db.selectFrom('edx_account').select('username').where('user_id', '=', ava!.id).executeTakeFirstOrThrow();
  expect(account.username).toBe('ávathompson_ü');

  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(report.replace(/,/g, '\t'), 'utf16le')]);
  expect((await uploadReport(utf16)).status).toBe(303);
  const logs = await t.db.selectFrom('edx_import').select(['learner_rows', 'matched']).orderBy('id').execute();
  expect(logs.map((l) => l.learner_rows)).toEqual([9, 9]);
  expect(logs[1].matched).toBe(logs[0].matched);
});

test('the delimiter is the one the rows agree on, not the first separator seen', () => {
  expect(detectDelimiter('name,email,section\n"Lee; Ann",ann@umich.edu,EDUC 551\nBo; Li,bo@umich.edu,EDUC 639\n')).toBe(',');
  expect(detectDelimiter('name;email;section\n"Brown, Sam";sam@umich.edu;EDUC 551\nLee, Ann;ann@umich.edu;EDUC 639\n')).toBe(';');
  expect(detectDelimiter('name\temail\tsection\nAnn, Lee\tann@umich.edu\tEDUC 551\n')).toBe('\t');
  const euro = decodeTextUpload(Buffer.from([0x80, 0x20, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])); // "€ Müller" in Windows-1252
  expect(euro).toEqual({ ok: true, value: { text: '€ Müller', encoding: 'Windows-1252' } });
});
