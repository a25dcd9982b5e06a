import { startTestApp, type Session, type TestApp } from './helpers/test-app';

/**
 * Announcements read in the app (/announcements): the offering's students see those sent to
 * everyone and to their own section, newest first, sent times in their zone, Markdown sanitized;
 * another offering's announcement is not found; anonymous visitors go to the login page. Emails
 * carry the app clock's time as their Date header.
 */
let t: TestApp;
let instructor: Session;
let ava: Session; // student1, EDUC 551, America/Detroit
let miguel: Session; // student2, EDUC 639, Asia/Manila
const ids: Record<string, number> = {};

async function announce(fields: { audience: string; subject: string; body: string }) {
  const html = (await instructor.get('/instructor/announcements').expect(200)).text;
  const nonce = html.match(/name="nonce" value="([^"]+)"/)![1];
  expect((await instructor.post('/instructor/announcements', { ...fields, nonce })).status).toBe(303);
  return (await t.db.selectFrom('announcement').select('id').where('subject', '=', fields.subject).executeTakeFirstOrThrow()).id;
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-19T15:00:00Z' }); // Wed 10:00 EST
  instructor = await t.login('instructor@cohort.example');
  ava = await t.login('student1@cohort.example');
  miguel = await t.login('student2@cohort.example');
  const section551 = await t.db.selectFrom('section').select('id').where('code', '=', 'EDUC 551').executeTakeFirstOrThrow();
  ids.everyone = await announce({
    audience: 'all',
    subject: 'Welcome back',
    body: 'See you **Monday**.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>[click](javascript:alert(3))',
  });
  t.clock.set('2020-02-20T15:30:00Z');
  ids.section551 = await announce({ audience: String(section551.id), subject: 'EDUC 551 readings', body: 'Chapter 3.' });

  // Another offering, with an announcement of its own.
  const { id: otherOffering } = await t.db
    .insertInto('course_offering')
    .values({
      slug: 'other-offering',
      code: 'EDUC 999',
      title: 'Another course',
      term: 'Winter 2020',
      time_zone: 'America/Detroit',
      meeting_weekday: 2,
      meeting_starts: '09:00',
      meeting_ends: '10:00',
      registrar_slot_starts: null,
      registrar_slot_ends: null,
      location: 'Elsewhere',
      instructor_name: 'Someone Else',
      instructor_email: 'else@cohort.example',
      starts_on: '2020-01-06',
      ends_on: '2020-04-22',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const sender = await t.db.selectFrom('app_user').select('id').where('email', '=', 'instructor@cohort.example').executeTakeFirstOrThrow();
  ids.other = (
    await t.db
      .insertInto('announcement')
      .values({
        offering_id: otherOffering,
        section_id: null,
        subject: 'Not for EDUC 551/639',
        body_md: 'Secret.',
        sent_by: sender.id,
        created_at: new Date('2020-02-20T16:00:00Z'),
        recipient_count: 0,
        form_nonce: '00000000-0000-4000-8000-0000000000aa',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}, 60_000);
afterAll(() => t.close());

test('the list: newest first, sent times in the reader’s zone, only the reader’s announcements', async () => {
  const avaPage = (await ava.get('/announcements').expect(200)).text;
  expect(avaPage).toMatch(/<a href="\/inbox">Inbox( <span class="nav-count">\d+<span class="visually-hidden"> unread<\/span><\/span>)?<\/a>/); // the menu leads to the inbox, which lists them too
  const newest = avaPage.indexOf('EDUC 551 readings');
  const older = avaPage.indexOf('Welcome back');
  expect(newest).toBeGreaterThan(0);
  expect(older).toBeGreaterThan(newest);
  expect(avaPage).toContain('Sent Wed, Feb 19, 2020, 10:00 AM EST');
  expect(avaPage).not.toContain('Not for EDUC 551/639');

  // Miguel is in EDUC 639: the course-wide one only, in Manila time.
  const miguelPage = (await miguel.get('/announcements').expect(200)).text;
  expect(miguelPage).toContain('Welcome back');
  expect(miguelPage).toContain('Sent Wed, Feb 19, 2020, 11:00 PM GMT+8');
  expect(miguelPage).not.toContain('EDUC 551 readings');

  const instructorPage = (await instructor.get('/announcements').expect(200)).text;
  expect(instructorPage).toContain('EDUC 551 readings');
  expect(instructorPage).toContain('Welcome back');
  expect(instructorPage).not.toContain('Not for EDUC 551/639');
});

test('one announcement: Markdown rendered and sanitized', async () => {
  const page = (await ava.get(`/announcements/${ids.everyone}`).expect(200)).text;
  expect(page).toContain('<h1>Welcome back</h1>');
  expect(page).toContain('See you <strong>Monday</strong>.');
  expect(page).not.toMatch(/<script|<img|href="javascript:/i); // raw HTML is shown as text, never run
  expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(page).toContain('Sent Wed, Feb 19, 2020, 10:00 AM EST by Donald J. Peurach');
});

test('access: another section’s or another offering’s announcement is not found; anonymous visitors log in first', async () => {
  expect((await miguel.get(`/announcements/${ids.section551}`)).status).toBe(404);
  expect((await ava.get(`/announcements/${ids.other}`)).status).toBe(404);
  expect((await instructor.get(`/announcements/${ids.other}`)).status).toBe(404);
  expect((await ava.get('/announcements/not-a-number')).status).toBe(404);
  const anonymous = await t.anonymous().get('/announcements');
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.location).toMatch(/^\/login/);
  expect((await t.anonymous().get(`/announcements/${ids.everyone}`)).headers.location).toMatch(/^\/login/);
});

test('an email’s Date header is the app clock’s time when it was sent, as is the sent time the app records', async () => {
  t.smtp.clear();
  t.clock.set('2020-02-20T16:45:00Z');
  await t.runWorker();
  const welcome = t.smtp.messages.filter((m) => m.subject === '[EDUC 551/639] Welcome back');
  expect(welcome.length).toBeGreaterThan(0);
  for (const m of welcome) {
    expect((m.headers.get('date') as Date).toISOString()).toBe('2020-02-20T16:45:00.000Z');
    expect(m.raw).toMatch(/^Date: Thu, 20 Feb 2020 16:45:00 \+0000\r?$/m);
    expect(m.messageId).toMatch(/^<announcement-[0-9a-f-]{36}@cohort\.test>$/); // random, stored with the row (test/message-ids.test.ts)
  }
  const sentAt = await t.db.selectFrom('outbound_email').select('sent_at').where('kind', '=', 'announcement').where('status', '=', 'sent').execute();
  expect(new Set(sentAt.map((r) => r.sent_at!.toISOString()))).toEqual(new Set(['2020-02-20T16:45:00.000Z']));
});
