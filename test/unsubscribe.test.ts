import { startTestApp, type TestApp } from './helpers/test-app';
import { aStudent, userIdsByLocalPart } from './helpers/builders';
import { step } from './helpers/story';

/**
 * One-click unsubscribe (issue 16, RFC 8058 / RFC 2369): meeting reminders carry List-Unsubscribe,
 * List-Unsubscribe-Post and the course's List-Id; a POST to the link (no session, no CSRF token)
 * stops the next meeting reminder for that student only; a GET changes nothing; a tampered token
 * is a 404; portfolio reminders carry no List-Unsubscribe but a link to the settings; the
 * settings page shows the change.
 */
let t: TestApp;
let id: Record<string, number>;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-03-25T12:00:00Z' });
  id = await userIdsByLocalPart(t);
  await t.runWorker();
});
afterAll(() => t.close());

const mail = (user: string, subjectPart: string) => t.smtp.messages.filter((m) => m.to.includes(`${user}@cohort.example`) && m.subject.includes(subjectPart));
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)\\r?$`, 'im').exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
const unsubscribeUrl = (raw: string) => /<http:\/\/cohort\.test(\/unsubscribe\/[^>]+)>/.exec(header(raw, 'List-Unsubscribe') ?? '')?.[1];

test('one-click unsubscribe stops the next meeting reminder for that student only', async () => {
  let path = '';
  await step('a meeting reminder carries List-Unsubscribe, List-Unsubscribe-Post and List-Id', async () => {
    t.clock.set('2020-04-06T01:00:00Z');
    await t.runWorker();
    const reminder = mail('student1', 'Required campus meeting').find((m) => m.subject.includes('Apr 6'))!;
    expect(reminder).toBeDefined();
    expect(header(reminder.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(reminder.raw, 'List-Unsubscribe')).toMatch(/^<http:\/\/cohort\.test\/unsubscribe\/\d+\.reminder_meeting\.[A-Za-z0-9_-]{43}>$/); // no mailto: unless configured
    expect(header(reminder.raw, 'List-Id')).toBe('"EDUC 551/639 Engaging Educational Innovation and Improvement" <educ-551-639-winter-2020.cohort.test>');
    path = unsubscribeUrl(reminder.raw)!;
    expect(mail('student3', 'Required campus meeting').find((m) => m.subject.includes('Apr 6'))).toBeDefined();
  });

  await step('a GET shows a confirmation page with a button and changes nothing', async () => {
    const page = await t.anonymous().get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Unsubscribe from campus meeting reminders');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const row = await t.db.selectFrom('app_user').select('meeting_reminders').where('id', '=', id.student1).executeTakeFirstOrThrow();
    expect(row.meeting_reminders).toBe(true);
  });

  await step('a tampered or unknown token is a 404, for GET and POST', async () => {
    const tampered = path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const otherUser = path.replace(`/${id.student1}.`, `/${id.student3}.`);
    for (const p of [tampered, otherUser, '/unsubscribe/nonsense', path.replace('reminder_meeting', 'reminder_portfolio')]) {
      expect((await t.anonymous().get(p)).status).toBe(404);
      expect((await t.anonymous().agent.post(p).type('form').send('List-Unsubscribe=One-Click')).status).toBe(404);
    }
  });

  await step('a one-click POST (no cookie, no CSRF token) turns meeting reminders off at once', async () => {
    const res = await t.anonymous().agent.post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    const row = await t.db.selectFrom('app_user').select(['meeting_reminders', 'announcement_emails']).where('id', '=', id.student1).executeTakeFirstOrThrow();
    expect(row).toEqual({ meeting_reminders: false, announcement_emails: true });
  });

  await step('the next meeting reminder goes to the other student, not to this one', async () => {
    t.clock.set('2020-04-20T01:00:00Z');
    await t.runWorker();
    expect(mail('student3', 'Required campus meeting').filter((m) => m.subject.includes('Apr 20'))).toHaveLength(1);
    expect(mail('student1', 'Required campus meeting').filter((m) => m.subject.includes('Apr 20'))).toHaveLength(0);
  });

  await step('the settings page shows every kind with its state', async () => {
    const s = await t.login('student1@cohort.example');
    const page = await s.get('/settings');
    expect(page.text).toMatch(/<input type="checkbox" id="meetingReminders" name="meetingReminders">/);
    expect(page.text).toMatch(/<input type="checkbox" id="announcementEmails" name="announcementEmails" checked/);
    expect(page.text).toContain('Portfolio deadline reminders always go out');
  });

  await step('a portfolio deadline reminder has no List-Unsubscribe but a link to the settings', async () => {
    const deadline = mail('student1', 'Portfolio').at(-1)!;
    expect(deadline).toBeDefined();
    expect(header(deadline.raw, 'List-Unsubscribe')).toBeUndefined();
    expect(header(deadline.raw, 'List-Unsubscribe-Post')).toBeUndefined();
    expect(header(deadline.raw, 'List-Id')).toContain('educ-551-639-winter-2020.cohort.test');
    expect(deadline.text).toContain(
      'required communication and cannot be turned off; see which emails you can turn off in your settings: http://cohort.test/settings',
    );
  });
});

test('one-click unsubscribe from announcements: no more announcement emails for that student, still readable in the app', async () => {
  const [ann, bo] = [await aStudent(t, { name: 'Ann Optout' }), await aStudent(t, { name: 'Bo Stays' })];
  const instructor = await t.login('instructor@cohort.example');
  const announce = async (subject: string) => {
    const html = (await instructor.get('/instructor/announcements').expect(200)).text;
    const nonce = html.match(/name="nonce" value="([^"]+)"/)![1];
    expect((await instructor.post('/instructor/announcements', { audience: 'all', subject, body: 'See the lesson page.', nonce })).status).toBe(303);
    await t.runWorker();
  };
  const received = (email: string, subject: string) => t.smtp.messages.filter((m) => m.to.includes(email) && m.subject.includes(subject));
  await announce('Unsub first notice');
  const first = received(ann.email, 'Unsub first notice');
  expect(first).toHaveLength(1);
  expect(header(first[0].raw, 'List-Unsubscribe')).toContain(`/unsubscribe/${ann.id}.announcement.`);
  const res = await t.anonymous().agent.post(unsubscribeUrl(first[0].raw)!).type('form').send('List-Unsubscribe=One-Click');
  expect(res.status).toBe(200);
  expect(res.text).toContain('You will no longer receive announcements by email');
  await announce('Unsub second notice');
  expect(received(ann.email, 'Unsub second notice')).toHaveLength(0);
  expect(received(bo.email, 'Unsub second notice')).toHaveLength(1);
  const s = await ann.login();
  expect((await s.get('/announcements')).text).toContain('Unsub second notice');
  expect((await s.get('/settings')).text).toMatch(/<input type="checkbox" id="announcementEmails" name="announcementEmails" aria-describedby/);
});
