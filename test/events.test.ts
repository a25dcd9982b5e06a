import ICAL from 'ical.js';
import { calendarEntries } from '../src/calendar/calendar.service';
import { restoreClockAfterEach } from './helpers/builders';
import { step } from './helpers/story';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';

/** Office hours and events: add, move, cancel; calendar and sequence; emails about a moved or
 * cancelled required meeting in each student's zone. Now: Mon 2020-01-27, 10:00 Detroit. */
let t: TestApp;
let instructor: Session;
let offeringId: number;
const meetings: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  offeringId = (await t.db.selectFrom('course_offering').select('id').executeTakeFirstOrThrow()).id;
  const rows = await t.db.selectFrom('calendar_event').select(['id', 'starts_at']).where('kind', '=', 'campus_meeting').execute();
  for (const m of rows) meetings[m.starts_at.toISOString().slice(0, 10)] = m.id;
});
afterAll(() => t.close());
restoreClockAfterEach(() => t);

/** Meeting-change notices (the worker also sends other engines' reminders; leave those out). */
const notices = () => t.smtp.messages.filter((m) => /^\[EDUC 551\/639\] (Moved|Cancelled): /.test(m.subject));
/** One event as a subscribed calendar app sees it: student1's iCalendar feed, parsed. */
let feedPath = '';
async function inFeed(uid: string) {
  if (!feedPath) {
    const s1 = await t.login('student1@cohort.example');
    expect((await s1.post('/calendar/feed/regenerate')).status).toBe(303);
    feedPath = new URL((await s1.get('/calendar')).text.match(/id="feed-url" readonly value="([^"]+)"/)![1]).pathname;
  }
  const res = await t
    .anonymous()
    .get(feedPath)
    .buffer(true)
    .parse((r, cb) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => cb(null, body));
    });
  expect(res.status).toBe(200);
  const vevent = new ICAL.Component(ICAL.parse(res.body as string)).getAllSubcomponents('vevent').find((v) => v.getFirstPropertyValue('uid') === uid);
  if (!vevent) return null;
  const e = new ICAL.Event(vevent);
  return { start: e.startDate.toJSDate().toISOString(), sequence: e.sequence, status: String(vevent.getFirstPropertyValue('status')) };
}

const eventRow = (id: number) => t.db.selectFrom('calendar_event').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const officeHours = {
  kind: 'office_hours',
  title: 'Virtual office hours',
  on: '2020-01-29',
  starts: '19:00',
  ends: '20:00',
  location: '',
  videoUrl: 'https://umich.zoom.us/j/5551234567',
  description: 'Bring questions about Lesson 03.',
};

test('office hours: added, moved, then cancelled', async () => {
  let id: number;

  await step('added office hours appear on every calendar, in each reader’s zone, with the video link', async () => {
    const res = await instructor.post('/instructor/events', officeHours);
    expect(res.status).toBe(303);
    // the one just added (other tests may have added office hours before this one runs)
    const row = await t.db.selectFrom('calendar_event').selectAll().where('kind', '=', 'office_hours').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    id = row.id;
    expect([row.starts_at.toISOString(), row.ends_at!.toISOString(), row.sequence, row.status, row.required]).toEqual([
      '2020-01-30T00:00:00.000Z', // 19:00 EST
      '2020-01-30T01:00:00.000Z',
      0,
      'scheduled',
      null,
    ]);
    expect(row.uid).toMatch(/^educ-551-639-winter-2020-office-hours-[0-9a-f-]{36}@cohort-companion$/);
    expect(await inFeed(row.uid)).toEqual({ start: '2020-01-30T00:00:00.000Z', sequence: 0, status: 'CONFIRMED' });
    const detroit = (await (await t.login('student1@cohort.example')).get('/calendar').expect(200)).text;
    expect(detroit).toContain('Virtual office hours');
    expect(detroit).toContain('Wed, Jan 29, 2020, 7:00 PM EST');
    expect(detroit).toContain('href="https://umich.zoom.us/j/5551234567"');
    const manila = (await (await t.login('student2@cohort.example')).get('/calendar').expect(200)).text;
    expect(manila).toContain('Thu, Jan 30, 2020, 8:00 AM GMT+8');
  });

  await step('moving them gives a new time and the next sequence, keeps the old time in the history, and emails no one', async () => {
    const edit = (await instructor.get(`/instructor/events/${id}/edit`).expect(200)).text;
    expect(edit).toContain('value="2020-01-29"');
    expect(edit).toContain('value="19:00"');
    // Meeting-change emails queued before this move (the required-meeting test may have run first).
    const meetingChangeEmails = async () => (await t.db.selectFrom('outbound_email').select('id').where('kind', '=', 'meeting_changed').execute()).length;
    const queuedBefore = await meetingChangeEmails();
    const res = await instructor.post(`/instructor/events/${id}/edit`, { ...officeHours, on: '2020-01-30', starts: '18:30', ends: '19:30' });
    expect(res.status).toBe(303);
    const row = await eventRow(id);
    expect([row.starts_at.toISOString(), row.ends_at!.toISOString(), row.sequence]).toEqual(['2020-01-30T23:30:00.000Z', '2020-01-31T00:30:00.000Z', 1]);
    expect(row.updated_at.toISOString()).toBe('2020-01-27T15:00:00.000Z');
    const entry = (await calendarEntries(t.db, offeringId, null, 'America/Detroit')).find((e) => e.id === id)!;
    expect([entry.sequence, entry.cancelled, entry.when]).toEqual([1, false, 'Thu, Jan 30, 2020, 6:30 PM EST – 7:30 PM']);
    expect(await inFeed(row.uid)).toEqual({ start: '2020-01-30T23:30:00.000Z', sequence: 1, status: 'CONFIRMED' }); // same UID
    expect((await instructor.get(`/instructor/events/${id}/edit`)).text).toContain('was Wed, Jan 29, 2020, 7:00 PM EST');
    expect(await meetingChangeEmails()).toBe(queuedBefore); // moving office hours emails no one
  });

  await step('cancelling keeps the event, marked cancelled, with the next sequence', async () => {
    t.clock.set('2020-01-28T12:00:00Z');
    const res = await instructor.post(`/instructor/events/${id}/cancel`, { note: 'Sorry, a conflict came up.' });
    expect(res.status).toBe(303);
    const row = await eventRow(id);
    expect([row.status, row.sequence, row.updated_at.toISOString()]).toEqual(['cancelled', 2, '2020-01-28T12:00:00.000Z']);
    const entry = (await calendarEntries(t.db, offeringId, null, 'America/Detroit')).find((e) => e.id === id)!;
    expect([entry.cancelled, entry.sequence]).toEqual([true, 2]);
    expect(await inFeed(row.uid)).toEqual({ start: '2020-01-30T23:30:00.000Z', sequence: 2, status: 'CANCELLED' });
    const page = (await (await t.login('student1@cohort.example')).get('/calendar')).text;
    expect(page).toMatch(/event-office_hours event-cancelled[\s\S]*?badge-neutral/);
    const log = await t.db.selectFrom('calendar_event_change').select(['sequence', 'action']).where('calendar_event_id', '=', id).orderBy('sequence').execute();
    expect(log).toEqual([
      { sequence: 0, action: 'created' },
      { sequence: 1, action: 'changed' },
      { sequence: 2, action: 'cancelled' },
    ]);
    // A cancelled event is not edited again.
    expect((await instructor.post(`/instructor/events/${id}/edit`, officeHours)).status).toBe(409);
  });
});

test('moving a required meeting emails every student the new time in their own zone', async () => {
  const feb10 = meetings['2020-02-10'];
  t.smtp.clear();
  const before = await eventRow(feb10);
  const res = await instructor.post(`/instructor/events/${feb10}/edit`, {
    title: before.title,
    on: '2020-02-11',
    starts: '18:00',
    ends: '20:00',
    location: '4212 School of Education Building',
    videoUrl: '',
    description: before.description,
    required: 'on',
    note: 'The room is booked on Monday.',
  });
  expect(res.status).toBe(303);
  const row = await eventRow(feb10);
  expect([row.starts_at.toISOString(), row.sequence, row.required]).toEqual(['2020-02-11T23:00:00.000Z', 1, true]);
  await t.runWorker();
  const students = await t.db.selectFrom('app_user').select(['email', 'time_zone']).where('role', '=', 'student').execute();
  expect(notices()).toHaveLength(12);
  expect(
    notices()
      .map((m) => m.to[0])
      .sort(),
  ).toEqual(students.map((s) => s.email).sort());
  const to = (email: string) => notices().find((m) => m.to[0] === email)!;
  expect(to('student1@cohort.example').subject).toBe(`[EDUC 551/639] Moved: ${before.title}`);
  expect(to('student1@cohort.example').text).toContain('now: Tue, Feb 11, 2020, 6:00 PM EST – 8:00 PM');
  expect(to('student1@cohort.example').text).toContain('was: Mon, Feb 10, 2020, 5:00 PM EST');
  expect(to('student2@cohort.example').text).toContain('now: Wed, Feb 12, 2020, 7:00 AM GMT+8 – 9:00 AM'); // Manila
  expect(to('student10@cohort.example').text).toContain('now: Wed, Feb 12, 2020, 10:00 AM GMT+11'); // Sydney
  expect(to('student4@cohort.example').html).toContain('The room is booked on Monday.');

  // Cancelling it is emailed too; moving an optional meeting is not.
  t.smtp.clear();
  await instructor.post(`/instructor/events/${feb10}/cancel`, { note: '' });
  const feb03 = meetings['2020-02-03'];
  const optional = await eventRow(feb03);
  await instructor.post(`/instructor/events/${feb03}/edit`, {
    title: optional.title,
    on: '2020-02-04',
    starts: '17:00',
    ends: '19:00',
    location: optional.location ?? '',
    videoUrl: '',
  });
  await t.runWorker();
  expect(notices()).toHaveLength(12);
  expect(notices().every((m) => m.subject.startsWith('[EDUC 551/639] Cancelled:'))).toBe(true);
  expect(notices().find((m) => m.to[0] === 'student3@cohort.example')!.text).toContain('was: Tue, Feb 11, 2020, 11:00 PM GMT');
  expect((await eventRow(feb03)).sequence).toBe(1);
});

test('invalid input is refused with the input kept and nothing saved', async () => {
  const count = async () => (await t.db.selectFrom('calendar_event').select('id').execute()).length;
  const n = await count();
  const endBeforeStart = await instructor.post('/instructor/events', { ...officeHours, title: 'Kept title', starts: '19:00', ends: '18:00' });
  expect(endBeforeStart.status).toBe(422);
  expect(endBeforeStart.text).toContain('The end time must be after the start time.');
  expect(endBeforeStart.text).toContain('value="Kept title"');
  expect(endBeforeStart.text).toContain('value="18:00"');
  const badDate = await instructor.post('/instructor/events', { ...officeHours, on: '2020-02-30' });
  expect(badDate.status).toBe(422);
  expect(badDate.text).toContain('That date does not exist.');
  expect(badDate.text).toContain('value="2020-02-30"');
  const notADate = await instructor.post('/instructor/events', { ...officeHours, on: 'next Tuesday' });
  expect(notADate.status).toBe(422);
  expect(notADate.text).toContain('Enter the date as YYYY-MM-DD');
  const badUrl = await instructor.post('/instructor/events', { ...officeHours, videoUrl: 'javascript:alert(1)' });
  expect(badUrl.status).toBe(422);
  expect(badUrl.text).toContain('Enter the full video link, starting with https://');
  expect(badUrl.text).toContain('value="javascript:alert(1)"');
  const noLink = await instructor.post('/instructor/events', { ...officeHours, videoUrl: '' });
  expect(noLink.status).toBe(422);
  expect(noLink.text).toContain('Virtual office hours need a video link.');
  const meeting = meetings['2020-03-09'];
  const badEdit = await instructor.post(`/instructor/events/${meeting}/edit`, { title: 'Kickoff', on: '2020-03-09', starts: '25:00', ends: '20:00' });
  expect(badEdit.status).toBe(422);
  expect(badEdit.text).toContain('Enter the start time as HH:MM');
  expect(badEdit.text).toContain('value="25:00"');
  expect((await eventRow(meeting)).sequence).toBe(0);
  expect(await count()).toBe(n);
});

test('a time the clocks skip when daylight saving time starts (2020-03-08 02:00–03:00 in Detroit) is refused, not shifted', async () => {
  const count = async () => (await t.db.selectFrom('calendar_event').select('id').execute()).length;
  const n = await count();
  const skipped = await instructor.post('/instructor/events', { ...officeHours, title: 'Night owls', on: '2020-03-08', starts: '02:30', ends: '03:30' });
  expect(skipped.status).toBe(422);
  expect(skipped.text).toContain('02:30 does not exist on Sun, Mar 8, 2020 in America/Detroit');
  expect(skipped.text).toContain('value="Night owls"');
  expect(skipped.text).toContain('value="02:30"');
  expect(await count()).toBe(n);
  const meeting = meetings['2020-03-09'];
  const badEdit = await instructor.post(`/instructor/events/${meeting}/edit`, { title: 'Kickoff', on: '2020-03-08', starts: '01:00', ends: '02:15' });
  expect(badEdit.status).toBe(422);
  expect(badEdit.text).toContain('02:15 does not exist on Sun, Mar 8, 2020 in America/Detroit');
  expect((await eventRow(meeting)).sequence).toBe(0);
  // The hour on either side of the gap is fine: 01:00 EST is 06:00 UTC, 03:00 EDT is 07:00 UTC.
  const around = await instructor.post('/instructor/events', { ...officeHours, on: '2020-03-08', starts: '01:00', ends: '03:00' });
  expect(around.status).toBe(303);
  const added = await t.db.selectFrom('calendar_event').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  expect([added.starts_at.toISOString(), added.ends_at!.toISOString()]).toEqual(['2020-03-08T06:00:00.000Z', '2020-03-08T07:00:00.000Z']);
});

test('schedule entries that are not meetings or sessions cannot be edited here', async () => {
  const due = await t.db.selectFrom('calendar_event').select('id').where('kind', '=', 'portfolio_due').executeTakeFirstOrThrow();
  await instructor.get(`/instructor/events/${due.id}/edit`).expect(409);
  expect((await instructor.post(`/instructor/events/${due.id}/cancel`, {})).status).toBe(409);
  await instructor.get('/instructor/events/123456/edit').expect(404);
});

test('students get 403 on every event page', async () => {
  const s = await t.login('student6@cohort.example');
  await s.get('/instructor/events').expect(403);
  await s.get(`/instructor/events/${meetings['2020-03-16']}/edit`).expect(403);
  expect((await s.post('/instructor/events', officeHours)).status).toBe(403);
  expect((await s.post(`/instructor/events/${meetings['2020-03-16']}/edit`, officeHours)).status).toBe(403);
  expect((await s.post(`/instructor/events/${meetings['2020-03-16']}/cancel`, {})).status).toBe(403);
  expect((await eventRow(meetings['2020-03-16'])).status).toBe('scheduled');
});
