import { restoreClockAfterEach } from './helpers/builders';
import { step } from './helpers/story';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';

/**
 * Times as people read them: a campus meeting is 5:00–7:00 PM (syllabus §4) on both sides of the
 * 2020-03-08 DST change, in pages and reminder emails, with the registrar's 5:00–8:00 pm slot as a
 * note; a deadline is one instant with its zone's abbreviation, never a range.
 */
let t: TestApp;
let instructor: Session;
let ava: Session; // student1, America/Detroit

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-19T14:00:00Z' }); // Wed 09:00 EST
  instructor = await t.login('instructor@cohort.example');
  ava = await t.login('student1@cohort.example');
}, 60_000);
afterAll(() => t.close());
restoreClockAfterEach(() => t);

const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

test('pages: meetings 5:00–7:00 PM before and after DST; the registrar’s slot a note; titles without the badge’s word', async () => {
  const calendar = words((await ava.get('/calendar').expect(200)).text);
  expect(calendar).toContain('Mon, Feb 24, 2020, 5:00 PM EST – 7:00 PM');
  expect(calendar).toContain('Mon, Mar 9, 2020, 5:00 PM EDT – 7:00 PM');
  expect(calendar).not.toMatch(/5:00 PM E[SD]T – 8:00 PM/);
  expect(calendar).toContain('Campus meeting: LeadEd503x · Course Kickoff and Lesson 01');
  expect(calendar).not.toMatch(/\(campus meeting (required|optional)\)/);

  const home = words((await instructor.get('/').expect(200)).text);
  expect(home).toContain("Mondays 5:00–7:00 pm (America/Detroit) (The registrar's slot is 5:00–8:00 pm; the class meets 5:00–7:00 pm.)");
});

test('pages: a deadline is one instant with its zone, never a range (calendar, events, portfolio, this week)', async () => {
  const instant = 'Wed, Feb 26, 2020, 11:59 PM EST';
  const range = /11:59 PM EST – 12:00 AM/;
  const events = words((await instructor.get('/instructor/events').expect(200)).text);
  expect(events).toContain(`Due ${instant}`);
  expect(events).not.toMatch(range);
  for (const path of ['/calendar', '/', '/portfolios']) {
    const page = words((await ava.get(path).expect(200)).text);
    expect([path, page.includes(instant)]).toEqual([path, true]);
    expect(page).not.toMatch(range);
  }
});

// The reminder worker's state is one timeline (a reminder sent or skipped stays so), so its two
// checks are steps of one test, in the clock's order, whatever order jest picks for the tests.
test('the reminder timeline: emails show times as people read them; the log shows a retry on the app clock', async () => {
  await step('emails: the deadline reminder shows one instant; meeting reminders 5:00–7:00 PM before and after DST', async () => {
    t.smtp.clear();
    await t.runWorker(); // 02/19 09:00 EST: the 7-day reminder for 02/26
    await t.runWorker();
    const deadline = t.smtp.messages.find((m) => m.to.includes('student1@cohort.example') && m.subject.includes('LeadEd502x Portfolio'))!;
    expect(deadline.subject).toBe('[EDUC 551/639] Reminder: LeadEd502x Portfolio due Wed, Feb 26, 11:59 PM EST');
    expect(deadline.text).toContain('Wed, Feb 26, 2020, 11:59 PM EST');
    expect(deadline.text).not.toMatch(/11:59 PM EST –/);

    const meetingReminder = async (at: string, day: string) => {
      t.smtp.clear();
      t.clock.set(at);
      await t.runWorker();
      await t.runWorker();
      return t.smtp.messages.find((m) => m.to.includes('student1@cohort.example') && m.subject.includes(`Required campus meeting ${day}`))!;
    };
    const february = await meetingReminder('2020-02-23T14:00:00Z', 'Mon, Feb 24'); // 09:00 EST the day before
    expect(february.text).toContain('When: Mon, Feb 24, 2020, 5:00 PM EST – 7:00 PM (your time zone, America/Detroit)');
    const march = await meetingReminder('2020-03-08T13:00:00Z', 'Mon, Mar 9'); // 09:00 EDT, the DST day
    expect(march.text).toContain('When: Mon, Mar 9, 2020, 5:00 PM EDT – 7:00 PM (your time zone, America/Detroit)');
    expect(march.text).toContain('Campus meeting: LeadEd503x · Course Kickoff and Lesson 01');
  });

  await step('the reminder log shows a retry on the app clock (APP_NOW), not the database’s', async () => {
    t.clock.set('2020-03-22T13:00:00Z'); // 09:00 EDT, the day before the 03/23 meeting
    t.smtp.failNext(1000, 421);
    await t.runWorker();
    const log = words((await instructor.get('/instructor/reminders?status=queued').expect(200)).text);
    // The first retry is 30 seconds after the failed attempt: 9:00 AM EDT on the app clock.
    expect(log).toMatch(/Delivery attempt 1 failed \([^)]*\); retrying Sun, Mar 22, 2020, 9:0\d AM EDT\./);
    t.smtp.failNext(0, 0);
  });
}, 180_000);
