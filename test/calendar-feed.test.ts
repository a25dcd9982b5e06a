import ICAL from 'ical.js';
import { endOfLocalDay } from '../src/time';
import { userIdOf } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/** The personal iCalendar feed: a secret URL per user, parsed back with ical.js event by event. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
});
afterAll(() => t.close());

const userId = (email: string) => userIdOf(t, email);

/** Creates (or replaces) the student's link from the calendar page and returns its path. */
async function subscribe(s: Session): Promise<string> {
  const res = await s.post('/calendar/feed/regenerate');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/calendar#subscribe');
  const page = (await s.get('/calendar').expect(200)).text;
  const m = page.match(/id="feed-url" readonly value="([^"]+)"/);
  if (!m) throw new Error('no feed URL on the calendar page');
  const url = new URL(m[1]);
  expect(url.origin).toBe('http://cohort.test');
  expect(page).toContain(`href="webcal://cohort.test${url.pathname}"`);
  return url.pathname;
}

interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  sequence: number;
  status: string;
  location: string | null;
  description: string;
}

async function fetchFeed(path: string): Promise<{ raw: string; events: ParsedEvent[] }> {
  const res = await t
    .anonymous()
    .get(path)
    .buffer(true)
    .parse((r, cb) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => cb(null, body));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
  expect(res.headers['set-cookie']).toBeUndefined();
  const raw = res.body as string;
  const cal = new ICAL.Component(ICAL.parse(raw));
  expect(cal.name).toBe('vcalendar');
  expect(cal.getFirstPropertyValue('version')).toBe('2.0');
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      start: e.startDate.isDate ? e.startDate.toString() : e.startDate.toJSDate().toISOString(),
      end: e.endDate.isDate ? e.endDate.toString() : e.endDate.toJSDate().toISOString(),
      allDay: e.startDate.isDate,
      sequence: e.sequence,
      status: String(v.getFirstPropertyValue('status')),
      location: e.location,
      description: e.description,
    };
  });
  return { raw, events };
}

test('the calendar feed story: subscribed, parsed, changed and revoked in order', async () => {
  await step('no link until the student asks for one; then the page shows the URL and how to subscribe', async () => {
    const s = await t.login('student4@cohort.example');
    const before = (await s.get('/calendar').expect(200)).text;
    expect(before).toContain('Create my calendar link');
    expect(before).not.toContain('id="feed-url"');
    const path = await subscribe(s);
    expect(path).toMatch(/^\/calendar\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
    const after = (await s.get('/calendar').expect(200)).text;
    expect(after).toContain('Google Calendar');
    expect(after).toContain('Make a new link (the old one stops working)');
  });

  await step('the feed parses and has every course event once: meetings in UTC on both sides of DST, required/optional, all-day dates, deadlines', async () => {
    const s = await t.login('student1@cohort.example');
    const { raw, events } = await fetchFeed(await subscribe(s));
    const rows = await t.db.selectFrom('calendar_event').select(['uid', 'kind', 'required']).execute();
    expect(events).toHaveLength(rows.length);
    expect(new Set(events.map((e) => e.uid))).toEqual(new Set(rows.map((r) => r.uid)));

    const meetings = events.filter((e) => /Campus meeting: /.test(e.summary));
    expect(meetings).toHaveLength(14);
    expect(meetings.filter((e) => e.summary.startsWith('Required: '))).toHaveLength(8); // syllabus section 4
    expect(meetings.filter((e) => e.summary.startsWith('Optional: '))).toHaveLength(6);
    const byStart = (iso: string) => events.find((e) => e.start === iso);
    // 17:00–19:00 in Detroit (the hours students are in the room, syllabus section 4; the registrar's
    // 17:00–20:00 slot is a note): 22:00Z–00:00Z before 2020-03-08 (EST), 21:00Z–23:00Z after (EDT).
    expect(byStart('2020-01-13T22:00:00.000Z')).toMatchObject({
      summary: 'Required: Campus meeting: LeadEd502x · Course Kickoff and Lesson 01',
      end: '2020-01-14T00:00:00.000Z',
      location: '4212 School of Education Building',
    });
    expect(byStart('2020-01-13T22:00:00.000Z')?.description).toContain(
      "Attendance required, 5:00–7:00 pm. (The registrar's slot is 5:00–8:00 pm; the class meets 5:00–7:00 pm.)",
    );
    expect(byStart('2020-01-20T22:00:00.000Z')?.summary).toBe('Optional: Campus meeting: LeadEd502x · Lesson 02');
    for (const m of meetings) expect(m.summary).not.toMatch(/\((campus meeting )?(required|optional)\)/i);
    expect(byStart('2020-02-24T22:00:00.000Z')?.summary).toMatch(/^Required: /);
    expect(byStart('2020-03-09T21:00:00.000Z')).toMatchObject({
      summary: 'Required: Campus meeting: LeadEd503x · Course Kickoff and Lesson 01',
      end: '2020-03-09T23:00:00.000Z',
    });
    expect(byStart('2020-03-16T21:00:00.000Z')?.summary).toMatch(/^Optional: /);
    expect(byStart('2020-04-20T21:00:00.000Z')?.summary).toMatch(/^Required: /);
    expect(raw).toContain('DTSTART:20200113T220000Z');
    expect(raw).toContain('DTEND:20200114T000000Z');
    expect(raw).toContain('DTSTART:20200309T210000Z');
    expect(raw).toContain('DTEND:20200309T230000Z');
    expect(raw).toContain('DTSTART:20200309T210000Z');

    expect(events.find((e) => e.summary === 'Spring Break: no class')).toMatchObject({ allDay: true, start: '2020-03-02', end: '2020-03-03' });
    expect(events.find((e) => e.summary === 'Launch Party')).toMatchObject({
      allDay: true,
      start: '2020-01-06',
      end: '2020-01-07',
      location: 'School of Education & Pizza House',
    });
    expect(events.find((e) => e.summary === 'LeadEd502x goes live on edX!')).toMatchObject({ allDay: true, start: '2020-01-07' });
    // Deadlines: the last minute of the due day in Detroit, ending at the exclusive instant.
    expect(events.find((e) => e.summary === 'Deadline: LeadEd502x Portfolio due')).toMatchObject({
      start: '2020-02-27T04:59:00.000Z',
      end: '2020-02-27T05:00:00.000Z',
      sequence: 0,
    });
    expect(events.find((e) => e.summary === 'Deadline: LeadEd503x Portfolio due')).toMatchObject({
      start: '2020-04-23T03:59:00.000Z',
      end: '2020-04-23T04:00:00.000Z',
    });
    expect(events.every((e) => e.status === 'CONFIRMED')).toBe(true);
    expect(raw).not.toMatch(/TZID=/); // UTC instants only: no floating or unresolved zone references
  });

  await step('calendar apps polling an unchanged feed get 304 by its ETag; a course change or an extension gives a new tag and the new feed', async () => {
    const s = await t.login('student4@cohort.example');
    const path = await subscribe(s);
    const first = await t.anonymous().get(path);
    expect(first.status).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await t.anonymous().agent.get(path).set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect((await t.anonymous().agent.get(path).set('If-None-Match', `W/${etag}, "other"`)).status).toBe(304);
    expect((await t.anonymous().agent.get(path).set('If-None-Match', '"stale"')).status).toBe(200);
    const ev = await t.db.selectFrom('calendar_event').select(['id', 'title']).where('kind', '=', 'launch_party').executeTakeFirstOrThrow();
    await t.db.updateTable('calendar_event').set({ title: 'Launch party (moved upstairs)' }).where('id', '=', ev.id).execute();
    try {
      const changed = await t.anonymous().agent.get(path).set('If-None-Match', etag).buffer(true);
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(String(changed.text ?? changed.body)).toContain('Launch party (moved upstairs)');
    } finally {
      await t.db.updateTable('calendar_event').set({ title: ev.title }).where('id', '=', ev.id).execute();
    }
  });

  await step('UIDs are stable across fetches; a cancelled event keeps its UID with STATUS:CANCELLED and the new SEQUENCE', async () => {
    const s = await t.login('student3@cohort.example');
    const path = await subscribe(s);
    const first = await fetchFeed(path);
    const target = await t.db
      .selectFrom('calendar_event')
      .select(['id', 'uid'])
      .where('starts_at', '=', new Date('2020-02-03T22:00:00Z'))
      .executeTakeFirstOrThrow();
    await t.db.updateTable('calendar_event').set({ status: 'cancelled', sequence: 1 }).where('id', '=', target.id).execute();
    const second = await fetchFeed(path);
    expect(second.events.map((e) => e.uid)).toEqual(first.events.map((e) => e.uid));
    expect(second.events.find((e) => e.uid === target.uid)).toMatchObject({ status: 'CANCELLED', sequence: 1, start: '2020-02-03T22:00:00.000Z' });
    await t.db.updateTable('calendar_event').set({ status: 'scheduled', sequence: 2 }).where('id', '=', target.id).execute();
  });

  await step('text an instructor typed stays inert: iCalendar syntax in a title and description round-trips as text', async () => {
    const s = await t.login('student5@cohort.example');
    const path = await subscribe(s);
    const before = await fetchFeed(path);
    const nasty = 'Office hours; bring questions, notes\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Injected <script>alert(1)</script>';
    const ev = await t.db
      .selectFrom('calendar_event')
      .select(['id', 'uid', 'title', 'description'])
      .where('kind', '=', 'launch_party')
      .executeTakeFirstOrThrow();
    await t.db.updateTable('calendar_event').set({ title: nasty, description: nasty }).where('id', '=', ev.id).execute();
    const after = await fetchFeed(path);
    await t.db.updateTable('calendar_event').set({ title: ev.title, description: ev.description }).where('id', '=', ev.id).execute();
    expect(after.events).toHaveLength(before.events.length);
    expect(after.events.find((e) => e.uid === ev.uid)?.summary).toBe(nasty);
    expect(after.raw).not.toMatch(/^SUMMARY:Injected/m);
  });

  await step('an approved extension moves that student’s deadline event (same UID, next SEQUENCE), and only theirs', async () => {
    const [ava, miguel] = [await t.login('student1@cohort.example'), await t.login('student2@cohort.example')];
    const [avaPath, miguelPath] = [await subscribe(ava), await subscribe(miguel)];
    const req = await t.db.selectFrom('portfolio_requirement').select('id').where('title', '=', 'LeadEd502x Portfolio').executeTakeFirstOrThrow();
    await t.db
      .insertInto('extension_request')
      .values({
        user_id: await userId('student1@cohort.example'),
        portfolio_requirement_id: req.id,
        reason: 'Conference travel',
        proposed_due_on: '2020-03-11',
        requested_at: new Date('2020-02-20T12:00:00Z'),
        made_before_due: true,
        status: 'approved',
        decided_by: await userId('instructor@cohort.example'),
        decided_at: new Date('2020-02-21T12:00:00Z'),
        granted_due_on: '2020-03-11',
        granted_due_at: endOfLocalDay('2020-03-11', 'America/Detroit'),
      })
      .execute();
    const uid = (await t.db.selectFrom('calendar_event').select('uid').where('portfolio_requirement_id', '=', req.id).executeTakeFirstOrThrow()).uid;
    const avaFeed = await fetchFeed(avaPath);
    const mine = avaFeed.events.find((e) => e.uid === uid);
    // Its description names the extended date, not the class date it replaced.
    const unfolded = avaFeed.raw.replace(/\r?\n[ \t]/g, '');
    expect(unfolded).toContain('Submit your LeadEd502x portfolio by the end of 2020-03-11 (America/Detroit): your extended deadline');
    expect(unfolded).not.toContain('by the end of 2020-02-26');
    // End of Wed 2020-03-11 in Detroit is after the DST change: 04:00Z, not 05:00Z.
    expect(mine).toMatchObject({
      summary: 'Deadline: LeadEd502x Portfolio due (your extended deadline)',
      start: '2020-03-12T03:59:00.000Z',
      end: '2020-03-12T04:00:00.000Z',
      sequence: 1,
    });
    const theirs = (await fetchFeed(miguelPath)).events.find((e) => e.uid === uid);
    expect(theirs).toMatchObject({ summary: 'Deadline: LeadEd502x Portfolio due', end: '2020-02-27T05:00:00.000Z', sequence: 0 });
    // The calendar page agrees with the feed.
    expect((await ava.get('/calendar').expect(200)).text).toContain('LeadEd502x Portfolio due (your extended deadline)');
  });

  await step('regenerating invalidates the old URL; turning the link off invalidates the new one', async () => {
    const s = await t.login('student6@cohort.example');
    const oldPath = await subscribe(s);
    await fetchFeed(oldPath);
    const newPath = await subscribe(s);
    expect(newPath).not.toBe(oldPath);
    expect((await t.anonymous().get(oldPath)).status).toBe(404);
    await fetchFeed(newPath);
    const off = await s.post('/calendar/feed/revoke');
    expect(off.status).toBe(303);
    expect((await t.anonymous().get(newPath)).status).toBe(404);
    expect((await s.get('/calendar').expect(200)).text).toContain('Create my calendar link');
    const rows = await t.db
      .selectFrom('calendar_feed')
      .select(['revoked_at'])
      .where('user_id', '=', await userId('student6@cohort.example'))
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
  });

  await step('a token is one user’s feed only: another student’s link, a guessed link and a deactivated account give nothing of yours', async () => {
    const [s7, s8] = [await t.login('student7@cohort.example'), await t.login('student8@cohort.example')];
    const [p7, p8] = [await subscribe(s7), await subscribe(s8)];
    expect(p7).not.toBe(p8);
    // student8 regenerating does not touch student7's link.
    await subscribe(s8);
    await fetchFeed(p7);
    const token7 = p7.slice('/calendar/feed/'.length, -'.ics'.length);
    const stored = await t.db.selectFrom('calendar_feed').select('user_id').where('token', '=', token7).executeTakeFirstOrThrow();
    expect(stored.user_id).toBe(await userId('student7@cohort.example'));
    for (const bad of [
      `/calendar/feed/${token7.slice(0, -1)}x.ics`,
      '/calendar/feed/short.ics',
      `/calendar/feed/${'A'.repeat(43)}.ics`,
      `/calendar/feed/${token7}`,
    ]) {
      expect((await t.anonymous().get(bad)).status).toBe(404);
    }
    await t.db
      .updateTable('app_user')
      .set({ deactivated_at: new Date('2020-01-27T16:00:00Z') })
      .where('email', '=', 'student7@cohort.example')
      .execute();
    expect((await t.anonymous().get(p7)).status).toBe(404);
  });

  await step('making a link needs a logged-in user and a CSRF token', async () => {
    const anon = await t.anonymous().post('/calendar/feed/regenerate'); // a valid CSRF token, no login
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/login/);
    const s = await t.login('student9@cohort.example');
    const forged = await s.post('/calendar/feed/regenerate', { _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(
      await t.db
        .selectFrom('calendar_feed')
        .select('id')
        .where('user_id', '=', await userId('student9@cohort.example'))
        .execute(),
    ).toHaveLength(0);
  });

  await step('the instructor’s feed has the class deadlines, no student’s extension', async () => {
    const s = await t.login('instructor@cohort.example');
    const { events } = await fetchFeed(await subscribe(s));
    expect(events.find((e) => e.summary.startsWith('Deadline: LeadEd502x'))).toMatchObject({ end: '2020-02-27T05:00:00.000Z' });
  });
});
