import { startTestApp, type TestApp } from './helpers/test-app';
import { addStudents } from './helpers/students';
import { step } from './helpers/story';

/**
 * Changes re-plan the schedule: a complete submission cancels, an incomplete one does not, an
 * extension moves reminders to the new date, opting out stops meeting reminders only, a new
 * time zone moves send instants, roster removal cancels, a new student is planned, a moved or
 * cancelled meeting moves or cancels its reminders, and a student added late gets only the
 * latest reminder. Rows are written directly where another feature's pages would write them.
 */
let t: TestApp;
const id: Record<string, number> = {};
let req502: number;
let req503: number;
const iso = (d: Date) => d.toISOString();

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-14T12:00:00Z' });
  for (const u of await t.db.selectFrom('app_user').select(['id', 'email']).execute()) id[u.email.split('@')[0]] = u.id;
  const reqs = await t.db.selectFrom('portfolio_requirement').select(['id', 'title']).orderBy('due_on').execute();
  [req502, req503] = reqs.map((r) => r.id);
  await t.runWorker();
});
afterAll(() => t.close());

function rowsFor(user: string, kind?: 'portfolio_deadline' | 'campus_meeting', requirementId?: number) {
  let q = t.db.selectFrom('reminder').selectAll().where('user_id', '=', id[user]);
  if (kind) q = q.where('kind', '=', kind);
  if (requirementId) q = q.where('portfolio_requirement_id', '=', requirementId);
  return q.orderBy('send_at').execute();
}

const mail = (user: string, subjectPart: string) => t.smtp.messages.filter((m) => m.to.includes(`${user}@cohort.example`) && m.subject.includes(subjectPart));

async function submit(user: string, requirementId: number, complete: boolean, at: string) {
  await t.db
    .insertInto('portfolio_submission')
    .values({
      user_id: id[user],
      portfolio_requirement_id: requirementId,
      submitted_at: new Date(at),
      due_at: new Date('2020-02-27T05:00:00Z'),
      is_late: false,
      is_complete: complete,
      missing: JSON.stringify(complete ? [] : ['reflection']),
      snapshot: JSON.stringify({ items: [] }),
    })
    .execute();
}

test('reminders replanned as the semester changes: zone changes, roster removal, submissions, extensions, moved meetings', async () => {
  await step('an approved extension moves the reminders to the extended date, in the student’s zone', async () => {
    // student3 (London) gets until Fri 03/06: that day ends at 2020-03-07T05:00Z (still EST).
    await t.db
      .insertInto('extension_request')
      .values({
        user_id: id.student3,
        portfolio_requirement_id: req502,
        reason: 'Family emergency',
        proposed_due_on: '2020-03-06',
        requested_at: new Date('2020-02-13T12:00:00Z'),
        made_before_due: true,
        status: 'approved',
        decided_by: id.instructor,
        decided_at: new Date('2020-02-14T11:00:00Z'),
        decision_message: 'Granted.',
        granted_due_on: '2020-03-06',
        granted_due_at: new Date('2020-03-07T05:00:00Z'),
      })
      .execute();
    await t.runWorker();
    const rows = await rowsFor('student3', 'portfolio_deadline', req502);
    expect(rows.map((r) => [r.target_on, r.status])).toEqual([
      ['2020-02-26', 'cancelled'],
      ['2020-02-26', 'cancelled'],
      ['2020-02-26', 'cancelled'],
    ]);
    expect(rows[0].reason).toBe('The deadline moved to Fri, Mar 6, 2020 (extension); reminders follow the new date.');
    // The new deadline is beyond the 14-day planning horizon today: planned from 02/22 on (next tests).
  });

  await step('a complete submission cancels the pending reminders for that portfolio, and only those', async () => {
    await submit('student1', req502, true, '2020-02-10T11:00:00Z');
    await t.runWorker();
    const rows = await rowsFor('student1', 'portfolio_deadline', req502);
    expect(rows.map((r) => [r.offset_days, r.status, r.reason])).toEqual([
      [7, 'cancelled', 'The student submitted a complete portfolio.'],
      [2, 'cancelled', 'The student submitted a complete portfolio.'],
      [0, 'cancelled', 'The student submitted a complete portfolio.'],
    ]);
    t.clock.set('2020-02-19T14:00:00Z'); // 09:00 EST: the 7-day reminders for the Detroit students
    await t.runWorker();
    expect(mail('student1', 'LeadEd502x Portfolio')).toHaveLength(0);
    expect(mail('student12', 'LeadEd502x Portfolio')).toHaveLength(1);
  });

  await step('an incomplete submission keeps the reminders coming, and the reminder says what is still missing', async () => {
    await submit('student12', req502, false, '2020-02-20T15:00:00Z');
    t.clock.set('2020-02-24T14:00:00Z'); // the 2-day reminder
    await t.runWorker();
    const [twoDay] = mail('student12', 'LeadEd502x Portfolio').slice(-1);
    expect(mail('student12', 'LeadEd502x Portfolio')).toHaveLength(2);
    expect(twoDay.text).toContain('You submitted on Thu, Feb 20, 2020, 10:00 AM EST, but that submission was incomplete.');
    expect(twoDay.text).toContain('Still missing (14 of 14 items)');
  });

  await step('the moved reminders arrive at the new instants, not the old ones', async () => {
    expect(mail('student3', 'LeadEd502x Portfolio')).toHaveLength(0); // the old 02/20 and 02/25 09:00Z instants have passed
    // London sees the new deadline at Sat 03/07 04:59: 7 days before = Sat 02/29 09:00 GMT; 2 days = Thu 03/05 09:00;
    // 09:00 on 03/07 is after 05:00Z → 12 h before: Fri 03/06 17:00Z.
    const rows = (await rowsFor('student3', 'portfolio_deadline', req502)).filter((r) => r.target_on === '2020-03-06');
    expect(rows.map((r) => [r.offset_days, iso(r.send_at), r.status])).toEqual([
      [7, '2020-02-29T09:00:00.000Z', 'scheduled'],
      [2, '2020-03-05T09:00:00.000Z', 'scheduled'],
      [0, '2020-03-06T17:00:00.000Z', 'scheduled'],
    ]);
    t.clock.set('2020-02-29T09:00:00Z');
    await t.runWorker();
    const [moved] = mail('student3', 'LeadEd502x Portfolio');
    expect(mail('student3', 'LeadEd502x Portfolio')).toHaveLength(1); // nothing at the old 02/20, 02/25, 02/26 instants
    expect(moved.subject).toBe('[EDUC 551/639] Reminder: LeadEd502x Portfolio due Sat, Mar 7, 4:59 AM GMT');
    expect(moved.text).toContain('This is your extended deadline.');
  });

  await step('a new time zone moves unsent reminders; roster removal cancels; a new student is planned', async () => {
    t.clock.set('2020-03-01T12:00:00Z');
    await t.db.updateTable('app_user').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', id.student4).execute();
    await t.db
      .updateTable('app_user')
      .set({ deactivated_at: new Date('2020-03-01T11:00:00Z') })
      .where('id', '=', id.student5)
      .execute();
    const offering = await t.db.selectFrom('course_offering').select('id').executeTakeFirstOrThrow();
    const section = await t.db.selectFrom('section').select('id').orderBy('code').executeTakeFirstOrThrow();
    await t.db
      .insertInto('app_user')
      .values({
        email: 'late@cohort.example',
        name: 'Late Joiner',
        role: 'student',
        offering_id: offering.id,
        section_id: section.id,
        time_zone: 'Pacific/Auckland',
        password_hash: null,
        activated_at: null,
        last_login_at: null,
        deactivated_at: null,
      })
      .execute();
    await t.runWorker();
    // The 03/09 meeting (17:00 EDT = 21:00Z) is Tue 03/10 06:00 in Tokyo (UTC+9): reminder Mon 03/09 09:00 JST = 03/09 00:00Z.
    const tokyo = await rowsFor('student4', 'campus_meeting');
    expect(tokyo.filter((r) => r.status === 'scheduled').map((r) => [r.target_on, iso(r.send_at)])).toEqual([['2020-03-09', '2020-03-09T00:00:00.000Z']]);
    const removed = (await rowsFor('student5')).filter((r) => r.status !== 'sent' && r.status !== 'skipped');
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((r) => r.status === 'cancelled' && r.reason === 'The student was removed from the roster.')).toBe(true);
    const late = await t.db
      .selectFrom('reminder')
      .select(['kind', 'send_at', 'target_on'])
      .innerJoin('app_user as u', 'u.id', 'reminder.user_id')
      .where('u.email', '=', 'late@cohort.example')
      .execute();
    // Auckland is UTC+13 in March: the 03/09 meeting is Tue 03/10 10:00 there; reminder Mon 03/09 09:00 NZDT = 03/08 20:00Z.
    expect(late.map((r) => [r.kind, r.target_on, iso(r.send_at)])).toEqual([['campus_meeting', '2020-03-09', '2020-03-08T20:00:00.000Z']]);
  });

  await step('a moved meeting moves its reminders; a cancelled one cancels them', async () => {
    const [m0309, m0323] = await t.db
      .selectFrom('calendar_event')
      .select(['id', 'starts_at'])
      .where('kind', '=', 'campus_meeting')
      .where('required', '=', true)
      .where('starts_at', '>', new Date('2020-03-01T00:00:00Z'))
      .orderBy('starts_at')
      .execute();
    // 03/09 17:00 EDT → Tue 03/10 17:00 EDT (21:00Z): Detroit's reminder moves from Sun 03/08 to Mon 03/09 09:00 EDT.
    await t.db
      .updateTable('calendar_event')
      .set({ starts_at: new Date('2020-03-10T21:00:00Z'), ends_at: new Date('2020-03-11T00:00:00Z'), sequence: 1 })
      .where('id', '=', m0309.id)
      .execute();
    await t.runWorker();
    const moved = await t.db
      .selectFrom('reminder')
      .select(['send_at', 'status', 'target_on'])
      .where('user_id', '=', id.student1)
      .where('calendar_event_id', '=', m0309.id)
      .executeTakeFirstOrThrow();
    expect(moved).toEqual({ send_at: new Date('2020-03-09T13:00:00Z'), status: 'scheduled', target_on: '2020-03-10' });
    t.clock.set('2020-03-09T13:00:00Z');
    await t.runWorker();
    expect(mail('student1', 'Required campus meeting').filter((m) => m.subject.includes('Mar 10'))).toHaveLength(1);
    t.clock.set('2020-03-12T12:00:00Z'); // the 03/23 meeting is now within the horizon: planned
    await t.runWorker();
    const planned = await t.db
      .selectFrom('reminder')
      .select('status')
      .where('user_id', '=', id.student1)
      .where('calendar_event_id', '=', m0323.id)
      .executeTakeFirstOrThrow();
    expect(planned.status).toBe('scheduled');
    await t.db.updateTable('calendar_event').set({ status: 'cancelled', sequence: 1 }).where('id', '=', m0323.id).execute();
    await t.runWorker();
    const cancelled = await t.db.selectFrom('reminder').select(['status', 'reason']).where('calendar_event_id', '=', m0323.id).execute();
    expect(cancelled.length).toBeGreaterThan(10);
    expect(cancelled.every((r) => r.status === 'cancelled' && r.reason === 'The meeting was cancelled.')).toBe(true);
    t.clock.set('2020-03-22T13:00:00Z');
    await t.runWorker();
    expect(mail('student1', 'Required campus meeting').filter((m) => m.subject.includes('Mar 23'))).toHaveLength(0);
  });

  await step('opting out stops campus meeting reminders, never deadline reminders', async () => {
    t.clock.set('2020-03-25T12:00:00Z'); // the 04/06 meeting is within the horizon
    await t.runWorker();
    const meeting0406 = async () => (await rowsFor('student2', 'campus_meeting')).filter((r) => r.target_on === '2020-04-06').map((r) => [r.status, r.reason]);
    expect(await meeting0406()).toEqual([['scheduled', '']]);
    const manila = await t.login('student2@cohort.example');
    expect((await manila.post('/settings', { timeZone: 'Asia/Manila' })).status).toBe(303); // the meeting reminders box left unticked
    await t.runWorker();
    expect(await meeting0406()).toEqual([['cancelled', 'The student opted out of meeting reminders.']]);
    t.clock.set('2020-04-06T01:00:00Z'); // 09:00 Manila, the day before the 04/06 meeting (Tue 04/07 05:00 there)
    await t.runWorker();
    expect(mail('student2', 'Required campus meeting').filter((m) => m.subject.includes('Apr 7'))).toHaveLength(0);
    expect(mail('student1', 'Required campus meeting').filter((m) => m.subject.includes('Apr 6'))).toHaveLength(1); // others still get it
    t.clock.set('2020-04-16T01:00:00Z'); // 09:00 Manila: the 7-day reminder for 04/22
    await t.runWorker();
    expect(mail('student2', 'LeadEd503x Portfolio')).toHaveLength(1);
    expect(mail('student1', 'LeadEd503x Portfolio')).toHaveLength(1); // a complete 502x portfolio does not stop the 503x reminders
    expect((await rowsFor('student2', 'campus_meeting')).filter((r) => r.target_on === '2020-04-20')).toEqual([]);
    expect((await manila.post('/settings', { timeZone: 'Asia/Manila', meetingReminders: 'on' })).status).toBe(303); // and back on
    await t.runWorker();
    expect((await rowsFor('student2', 'campus_meeting')).filter((r) => r.target_on === '2020-04-20').map((r) => r.status)).toEqual(['scheduled']);
  });

  await step('the new zone holds for the 04/22 deadline once it is within the horizon', async () => {
    // (The previous test left the clock at 04/16 01:00Z, after the 7-day instants below.)
    // Tokyo (UTC+9) sees the 04/22 deadline at Thu 04/23 12:59: 7 days before = Thu 04/16 09:00 JST = 04/16 00:00Z.
    expect((await rowsFor('student4', 'portfolio_deadline', req503)).map((r) => iso(r.send_at))).toEqual([
      '2020-04-16T00:00:00.000Z',
      '2020-04-21T00:00:00.000Z',
      '2020-04-23T00:00:00.000Z',
    ]);
    // Auckland: UTC+12 after 04/05; the deadline is 16:00 Thu 04/23 there; 7 days before = 04/16 09:00 NZST = 04/15 21:00Z.
    const late = await t.db
      .selectFrom('reminder')
      .select('send_at')
      .innerJoin('app_user as u', 'u.id', 'reminder.user_id')
      .where('u.email', '=', 'late@cohort.example')
      .where('kind', '=', 'portfolio_deadline')
      .orderBy('send_at')
      .execute();
    expect(late.map((r) => iso(r.send_at))).toEqual(['2020-04-15T21:00:00.000Z', '2020-04-20T21:00:00.000Z', '2020-04-22T21:00:00.000Z']);
    expect(await rowsFor('student5', 'portfolio_deadline', req503)).toEqual([]); // removed from the roster: never planned
  });

  await step('a student added after the 7-day and 2-day instants gets one reminder now, not three', async () => {
    t.clock.set('2020-04-21T15:00:00Z'); // Tue 11:00 EDT
    await addStudents(t.db, [{ email: 'later@cohort.example', name: 'Later Joiner' }]);
    await t.runWorker();
    const got = t.smtp.messages.filter((m) => m.to.includes('later@cohort.example'));
    expect(got.map((m) => m.subject)).toEqual([
      '[EDUC 551/639] Reminder: LeadEd502x Portfolio due Wed, Apr 22, 11:59 PM EDT'.replace('LeadEd502x', 'LeadEd503x'),
    ]);
    const rows = await t.db
      .selectFrom('reminder')
      .innerJoin('app_user as u', 'u.id', 'reminder.user_id')
      .select(['offset_days', 'status', 'reason'])
      .where('u.email', '=', 'later@cohort.example')
      .where('kind', '=', 'portfolio_deadline')
      .orderBy('offset_days', 'desc')
      .execute();
    expect(rows.map((r) => [r.offset_days, r.status])).toEqual([
      [7, 'skipped'],
      [2, 'queued'],
      [0, 'scheduled'],
    ]);
    expect(rows[0].reason).toBe('A later reminder for the same deadline was also due; only that one was sent.');
  });
});
