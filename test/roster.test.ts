import { restoreClockAfterEach } from './helpers/builders';
import { extractCsrf, startTestApp, type TestApp, type Session } from './helpers/test-app';

let t: TestApp;
let instructor: Session;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-08T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
});
afterAll(() => t.close());
restoreClockAfterEach(() => t);

/** Uploads or pastes a roster, checks the preview, confirms it; returns the confirm response. */
async function importAndConfirm(res: { status: number; headers: Record<string, string> }) {
  expect(res.status).toBe(303);
  const preview = res.headers.location;
  expect(preview).toMatch(/^\/instructor\/roster\/imports\/\d+$/);
  return instructor.post(`${preview}/confirm`);
}

const countStudents = async () =>
  Number(
    (
      await t.db
        .selectFrom('app_user')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('role', '=', 'student')
        .executeTakeFirstOrThrow()
    ).n,
  );

test('a good roster creates the students and emails each an invitation link', async () => {
  t.smtp.clear();
  const csv =
    'name,email,section,time_zone\nMaya Patel,maya@umich.edu,EDUC 551,Asia/Kolkata\n"Brown, Sam",SAM@umich.edu,639,\nstudent1@cohort.example,student1@cohort.example,EDUC 551,\n';
  const res = await importAndConfirm(
    await instructor.upload('/instructor/roster/import', {}, [{ field: 'file', buffer: Buffer.from(csv), filename: 'roster.csv', contentType: 'text/csv' }]),
  );
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/instructor/roster');
  const page = await instructor.get('/instructor/roster');
  expect(page.text).toContain('Imported 2 new students and sent their invitations. 1 already on the roster were left unchanged.');
  const maya = await t.db
    .selectFrom('app_user')
    .innerJoin('section', 'section.id', 'app_user.section_id')
    .select(['app_user.name', 'app_user.time_zone', 'section.code', 'app_user.password_hash'])
    .where('app_user.email', '=', 'maya@umich.edu')
    .executeTakeFirstOrThrow();
  expect(maya).toEqual({ name: 'Maya Patel', time_zone: 'Asia/Kolkata', code: 'EDUC 551', password_hash: null });
  const sam = await t.db.selectFrom('app_user').select(['name', 'email', 'time_zone']).where('email', '=', 'sam@umich.edu').executeTakeFirstOrThrow();
  expect(sam).toEqual({ name: 'Brown, Sam', email: 'sam@umich.edu', time_zone: 'America/Detroit' });

  expect(t.smtp.messages).toHaveLength(0); // nothing is sent inside the transaction
  await t.runWorker();
  const invitations = t.smtp.messages.filter((m) => /You're invited/.test(m.subject));
  expect(invitations.map((m) => m.to[0]).sort()).toEqual(['maya@umich.edu', 'sam@umich.edu']);
  const invite = invitations.find((m) => m.to[0] === 'maya@umich.edu')!;
  expect(invite.subject).toBe("[EDUC 551/639] You're invited to Cohort Companion for Engaging Educational Innovation and Improvement");
  expect(invite.html).toContain('Set your password');
  expect(invite.from).toBe('cohort@cohort.example');
});

test('an invitation’s plain-text part is real text: a name with an apostrophe and an ampersand reads as typed (the HTML part escapes it)', async () => {
  t.smtp.clear();
  const csv = 'name,email,section,time_zone\n"Siobhán O\'Brien & Ana",siobhan.obrien@umich.edu,EDUC 551,\n';
  const res = await importAndConfirm(
    await instructor.upload('/instructor/roster/import', {}, [{ field: 'file', buffer: Buffer.from(csv), filename: 'roster.csv', contentType: 'text/csv' }]),
  );
  expect(res.status).toBe(303);
  await t.runWorker();
  const invite = t.smtp.messages.find((m) => m.to[0] === 'siobhan.obrien@umich.edu')!;
  expect(invite.text).toContain("Hello Siobhán O'Brien & Ana,");
  expect(invite.text).not.toMatch(/&#39;|&amp;|&quot;|&lt;|&gt;/);
  expect(invite.html).toContain('Siobhán O&#39;Brien &amp; Ana');
});

test('bad rows are reported by line and nothing is imported', async () => {
  const before = await countStudents();
  const csv = [
    'Name,Email,Section,Time Zone',
    'Good Person,good@umich.edu,EDUC 551,America/Detroit',
    ',noname@umich.edu,EDUC 551,',
    'Bad Email,not-an-email,EDUC 639,',
    'Wrong Section,ws@umich.edu,EDUC 999,',
    'Bad Zone,bz@umich.edu,EDUC 551,Mars/Base',
    'Twice,good@umich.edu,EDUC 639,',
  ].join('\n');
  const res = await instructor.post('/instructor/roster/import', { csv });
  expect(res.status).toBe(422);
  expect(res.text).toContain('Nothing was imported');
  expect(res.text).toContain('Line 3: name is missing');
  expect(res.text).toContain('Line 4: email is not a valid address');
  expect(res.text).toContain('Line 5: section &#34;EDUC 999&#34; is not one of EDUC 551, EDUC 639');
  expect(res.text).toContain('Line 6: time zone &#34;Mars/Base&#34; is not an IANA zone');
  expect(res.text).toContain('Line 7: good@umich.edu appears twice (first on line 2)');
  expect(res.text).toContain('Good Person,good@umich.edu'); // the pasted text is kept
  expect(await countStudents()).toBe(before);
});

test('a file without the required header is refused with line 1', async () => {
  const res = await instructor.post('/instructor/roster/import', { csv: 'who,where\nA,B\n' });
  expect(res.status).toBe(422);
  expect(res.text).toContain('Line 1: The header row must name the columns name, email, section');
});

test('an invitation link works once, and not after it expires', async () => {
  t.smtp.clear();
  await importAndConfirm(
    await instructor.post('/instructor/roster/import', { csv: 'name,email,section\nLena Fischer,lena@umich.edu,EDUC 639\nOmar Ali,omar@umich.edu,EDUC 551\n' }),
  );
  await t.runWorker();
  const linkFor = (email: string) =>
    t.smtp.messages.find((m) => m.to[0] === email && /You're invited/.test(m.subject))!.text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];

  const lena = t.anonymous();
  const link = linkFor('lena@umich.edu');
  const form = await lena.get(link).expect(200);
  expect(form.text).toContain('Welcome, Lena Fischer.');
  const short = await lena.agent
    .post(link)
    .type('form')
    .send({ _csrf: extractCsrf(form.text), password: 'short', confirm: 'short' });
  expect(short.status).toBe(422);
  expect(short.text).toContain('Use at least 10 characters.');
  const ok = await lena.agent
    .post(link)
    .type('form')
    .send({ _csrf: extractCsrf(short.text), password: 'lena-password-123', confirm: 'lena-password-123' });
  expect(ok.status).toBe(303);
  const again = await t.anonymous().get(link);
  expect(again.status).toBe(410);
  expect(again.text).toContain('expired or has already been used');
  await t.login('lena@umich.edu', 'lena-password-123');

  // Invitations last 14 days: on day 15 Omar's link is dead.
  t.clock.set('2020-01-23T15:00:01Z');
  const omar = await t.anonymous().get(linkFor('omar@umich.edu'));
  expect(omar.status).toBe(410);
  const row = await t.db.selectFrom('app_user').select('password_hash').where('email', '=', 'omar@umich.edu').executeTakeFirstOrThrow();
  expect(row.password_hash).toBeNull();
});

test('students cannot import a roster', async () => {
  const student = await t.login('student2@cohort.example');
  const res = await student.post('/instructor/roster/import', { csv: 'name,email,section\nX,x@umich.edu,EDUC 551\n' });
  expect(res.status).toBe(403);
  expect(await t.db.selectFrom('app_user').select('id').where('email', '=', 'x@umich.edu').executeTakeFirst()).toBeUndefined();
});
