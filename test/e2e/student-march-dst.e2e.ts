/// <reference lib="dom" />
import { startJourney, type Journey } from './browser';
import { clickAndWait, signIn, textOf } from './page-helpers';

/**
 * After the switch to daylight time (Ann Arbor moved to EDT on 2020-03-08): the Monday 17:00
 * campus meeting is 21:00 UTC, no longer 22:00. Ava (student1, America/Detroit) sees 5:00 PM EDT;
 * Miguel (student2, Asia/Manila, no DST) sees Tuesday 5:00 AM, where in January it was 6:00 AM.
 * Pages and the personal calendar feed agree.
 */
let j: Journey;
beforeAll(async () => {
  j = await startJourney('student-march-dst', { now: '2020-03-10T15:00:00Z' });
});
afterAll(() => j?.close());

/** The VEVENT of a feed whose SUMMARY contains `summary`, unfolded. */
function vevent(ics: string, summary: string): string {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  const event = unfolded.split('BEGIN:VEVENT').find((e) => e.includes(`SUMMARY:`) && e.split('SUMMARY:')[1].split('\r\n')[0].includes(summary));
  if (!event) throw new Error(`No event "${summary}" in the feed`);
  return event;
}

test('Ava in Ann Arbor: the week after DST shows the meeting at 5:00 PM EDT on / and /calendar', async () => {
  const { page, base } = j;
  await signIn(page, base, 'student1@cohort.example');
  await expect(textOf(page, '.this-week-place')).resolves.toContain('LeadEd503x · Course Kickoff and Lesson 01');
  const meeting = await textOf(page, 'section[aria-labelledby="meeting-heading"]');
  expect(meeting).toContain('Attendance required this week');
  expect(meeting).toContain('Mon, Mar 9, 2020, 5:00 PM EDT – 7:00 PM');
  expect(meeting).toContain('Mon, Mar 16, 2020, 5:00 PM EDT – 7:00 PM'); // the next one
  await j.step('this-week-detroit');

  await clickAndWait(page, 'nav a[href="/calendar"]');
  const calendar = await textOf(page, 'main');
  expect(calendar).toContain('Times in your zone, America/Detroit');
  expect(calendar).toContain('Mon, Feb 24, 2020, 5:00 PM EST – 7:00 PM'); // before the switch
  expect(calendar).toContain('Mon, Mar 9, 2020, 5:00 PM EDT – 7:00 PM'); // after it
  await j.step('calendar-detroit');

  // The personal feed carries UTC instants: 22:00Z in February, 21:00Z after the switch.
  await clickAndWait(page, 'button:has-text("Create my calendar link")');
  const feedUrl = new URL(await page.inputValue('#feed-url'));
  await j.step('calendar-feed-link');
  const res = await page.request.get(`${base}${feedUrl.pathname}`);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('text/calendar');
  const ics = await res.text();
  expect(vevent(ics, 'LeadEd503x · Course Kickoff and Lesson 01')).toMatch(/DTSTART:20200309T210000Z/);
  expect(vevent(ics, 'LeadEd502x · Complete outstanding work')).toMatch(/DTSTART:20200224T220000Z/);
});

test('Miguel in Manila (no DST): the Monday meeting is Tuesday 5:00 AM after the switch, 6:00 AM before', async () => {
  const miguel = await j.newPage();
  await signIn(miguel, j.base, 'student2@cohort.example');
  const meeting = await textOf(miguel, 'section[aria-labelledby="meeting-heading"]');
  expect(meeting).toContain('Tue, Mar 10, 2020, 5:00 AM GMT+8 – 7:00 AM');
  expect(meeting).toContain('Tue, Mar 17, 2020, 5:00 AM GMT+8 – 7:00 AM');
  await expect(textOf(miguel, 'footer')).resolves.toContain('Asia/Manila');
  await j.step('this-week-manila');

  await miguel.goto(`${j.base}/calendar`);
  const calendar = await textOf(miguel, 'main');
  expect(calendar).toContain('Times in your zone, Asia/Manila');
  expect(calendar).toContain('Tue, Feb 25, 2020, 6:00 AM GMT+8 – 8:00 AM');
  expect(calendar).toContain('Tue, Mar 10, 2020, 5:00 AM GMT+8 – 7:00 AM');
  // The LeadEd503x portfolio is due at the end of Apr 22 in Ann Arbor: noon on the 23rd in Manila.
  expect(calendar).toContain('Due Thu, Apr 23, 2020, 11:59 AM GMT+8');
  await j.step('calendar-manila');
});
