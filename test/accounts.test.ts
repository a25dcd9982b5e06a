import { createApp } from '../src/app';
import { buildContext } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { smtpSender } from '../src/mail/transport';
import request from 'supertest';
import { DEMO_PASSWORD } from './helpers/db';
import { ENV_FOR_TESTS, extractCsrf, startTestApp, type TestApp } from './helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { SESSION_SECRET: 'a-test-secret-that-is-long-enough-0123456789' } });
});
afterAll(() => t.close());

test('anonymous visitors are sent to the login page', async () => {
  const res = await t.anonymous().get('/calendar');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/login?next=%2Fcalendar');
});

test('login with the right password opens a session with a new id; logout destroys it', async () => {
  const s = t.anonymous();
  const before = await s.get('/login');
  const cookieBefore = String(before.headers['set-cookie'] ?? '');
  const res = await s.post('/login', { email: 'Student1@Cohort.Example', password: DEMO_PASSWORD });
  expect(res.status).toBe(303);
  const cookieAfter = String(res.headers['set-cookie'] ?? '');
  expect(cookieAfter).toMatch(/cc\.sid=/);
  expect(cookieAfter).toMatch(/HttpOnly/i);
  expect(cookieAfter).toMatch(/SameSite=Lax/i);
  expect(cookieAfter.split(';')[0]).not.toBe(cookieBefore.split(';')[0]);
  s.forgetCsrf();
  const home = await s.get('/').expect(200);
  expect(home.text).toContain('Ava Thompson');

  const sessionsBefore = await t.db.selectFrom('http_session').select('sid').execute();
  const out = await s.post('/logout');
  expect(out.status).toBe(303);
  expect(out.headers.location).toBe('/login');
  const sessionsAfter = await t.db.selectFrom('http_session').select('sid').execute();
  expect(sessionsAfter.length).toBe(sessionsBefore.length - 1);
  expect((await s.get('/')).status).toBe(303);
});

test('a wrong password is refused on the same page with the email kept, 401', async () => {
  const s = t.anonymous();
  const res = await s.post('/login', { email: 'student1@cohort.example', password: 'not-the-password' });
  expect(res.status).toBe(401);
  expect(res.text).toContain('That email and password do not match an account.');
  expect(res.text).toContain('value="student1@cohort.example"');
});

test('missing fields get field messages, 422, never a 500', async () => {
  const s = t.anonymous();
  const res = await s.post('/login', { email: '' });
  expect(res.status).toBe(422);
  expect(res.text).toContain('Enter your email address.');
  expect(res.text).toContain('Enter your password.');
});

test('a form without a CSRF token is refused', async () => {
  const res = await request(t.app).post('/login').type('form').send({ email: 'student1@cohort.example', password: DEMO_PASSWORD });
  expect(res.status).toBe(403);
  expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
});

test('the session survives an app restart (sessions live in Postgres)', async () => {
  const s = await t.login('student3@cohort.example');
  const cookie = (await s.get('/')).request.cookies;
  expect(cookie).toBeTruthy();
  // A second app instance on the same database with the same secret: a restart, or another instance.
  const config = loadConfig({ ...ENV_FOR_TESTS, SESSION_SECRET: 'a-test-secret-that-is-long-enough-0123456789' } as NodeJS.ProcessEnv);
  const ctx2 = buildContext(config, t.handle, { clock: t.clock, mail: smtpSender(t.smtp.url) });
  const app2 = createApp(ctx2);
  const res = await request(app2).get('/').set('Cookie', cookie).expect(200);
  expect(res.text).toContain('Olivia Bennett');
});

test('a student cannot reach instructor pages (403); the instructor can', async () => {
  const student = await t.login('student1@cohort.example');
  const res = await student.get('/instructor/roster');
  expect(res.status).toBe(403);
  const instructor = await t.login('instructor@cohort.example');
  await instructor.get('/instructor/roster').expect(200);
});

test('settings: a valid time zone changes how times are shown; an invalid one is refused with 422', async () => {
  const s = await t.login('student5@cohort.example');
  const bad = await s.post('/settings', { timeZone: 'Mars/Olympus_Mons', meetingReminders: 'on' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('Choose a time zone from the list.');
  const ok = await s.post('/settings', { timeZone: 'Asia/Manila' });
  expect(ok.status).toBe(303);
  const row = await t.db
    .selectFrom('app_user')
    .select(['time_zone', 'meeting_reminders'])
    .where('email', '=', 'student5@cohort.example')
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ time_zone: 'Asia/Manila', meeting_reminders: false });
  const cal = await s.get('/calendar');
  expect(cal.text).toContain('Tue, Jan 14, 2020, 6:00 AM GMT+8');
});

test('password reset: the same answer for unknown addresses; a known one gets a single-use link', async () => {
  const s = t.anonymous();
  t.smtp.clear();
  const unknown = await s.post('/forgot-password', { email: 'nobody@example.com' });
  expect(unknown.status).toBe(200);
  const known = await s.post('/forgot-password', { email: 'student7@cohort.example' });
  expect(known.text).toEqual(unknown.text.replace(/name="_csrf" value="[^"]+"/, extractCsrfAttr(known.text)));
  await t.runWorker();
  // Only the known address gets a reset email (other mail, e.g. reminders, may be due too).
  const resets = t.smtp.messages.filter((m) => /Reset your Cohort Companion password/.test(m.subject));
  expect(resets.map((m) => m.to)).toEqual([['student7@cohort.example']]);
  const mail = resets[0];
  const link = mail.text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];
  const page = await s.get(link).expect(200);
  const done = await s.agent
    .post(link)
    .type('form')
    .send({ _csrf: extractCsrf(page.text), password: 'a-brand-new-password', confirm: 'a-brand-new-password' });
  expect(done.status).toBe(303);
  expect((await s.get(link)).status).toBe(410);
  await t.login('student7@cohort.example', 'a-brand-new-password');
});

function extractCsrfAttr(html: string): string {
  return `name="_csrf" value="${extractCsrf(html)}"`;
}
