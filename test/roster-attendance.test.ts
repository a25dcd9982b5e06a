import { restoreClockAfterEach, userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * Attendance follows enrollment (issue 13): a sheet lists the students enrolled on the meeting's
 * day (course zone); a late joiner has no earlier sheet entry and no earlier absence; a student
 * dropped on March 2 is on the sheets up to that day and on none after; attendance is taken only
 * for meetings that have happened or are today. Absences everywhere follow the same rule.
 */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const meetings: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-05T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  // A late joiner, imported on February 5.
  const staged = await instructor.post('/instructor/roster/import', { csv: 'name,email,section\nLate Joiner,late@umich.edu,EDUC 551\n' });
  expect(staged.status).toBe(303);
  expect((await instructor.post(`${staged.headers.location}/confirm`)).status).toBe(303);
  Object.assign(ids, await userIdsByLocalPart(t));
  for (const m of await t.db.selectFrom('calendar_event').select(['id', 'starts_at']).where('kind', '=', 'campus_meeting').execute()) {
    meetings[m.starts_at.toISOString().slice(0, 10)] = m.id;
  }
  // student11 is dropped on Monday, March 2 (10:00 in Detroit).
  t.clock.set('2020-03-02T15:00:00Z');
  expect((await instructor.post(`/instructor/roster/students/${ids.student11}/drop`)).status).toBe(303);
  t.clock.set('2020-03-10T15:00:00Z');
});
afterAll(() => t.close());
/** The file's today is 03/10 (beforeAll moves the clock there after the late joiner's enrollment). */
restoreClockAfterEach(() => t, '2020-03-10T15:00:00Z');

const records = (eventId: number) =>
  t.db.selectFrom('attendance_record').select(['user_id', 'status']).where('calendar_event_id', '=', eventId).where('superseded_at', 'is', null).execute();
const sheet = async (on: string) => (await instructor.get(`/instructor/attendance/${meetings[on]}`).expect(200)).text;

test('attendance follows enrollment: a late joiner from enrollment to their own record', async () => {
  await step('the late joiner is enrolled from the day they were added', async () => {
    const late = await t.db.selectFrom('app_user').select(['enrolled_at', 'created_at']).where('id', '=', ids.late).executeTakeFirstOrThrow();
    expect(late.enrolled_at).toEqual(new Date('2020-02-05T15:00:00Z'));
    expect(late.enrolled_at).toEqual(late.created_at);
  });

  await step('a sheet lists only the students enrolled on the meeting’s day; marking all present skips the others', async () => {
    expect(await sheet('2020-01-27')).not.toContain('Late Joiner');
    expect(await sheet('2020-02-10')).toContain('Late Joiner');
    const feb24 = await sheet('2020-02-24');
    expect(feb24).toContain('Dropped Mon, Mar 2, 2020'); // still enrolled that day, marked
    const mar9 = await sheet('2020-03-09');
    expect(mar9).toContain('Late Joiner');
    const student11 = (await t.db.selectFrom('app_user').select('name').where('id', '=', ids.student11).executeTakeFirstOrThrow()).name;
    expect(feb24).toContain(student11);
    expect(mar9).not.toContain(student11);

    expect((await instructor.post(`/instructor/attendance/${meetings['2020-01-27']}`, { action: 'all-present' })).status).toBe(303);
    expect((await records(meetings['2020-01-27'])).map((r) => r.user_id)).not.toContain(ids.late);
    expect((await instructor.post(`/instructor/attendance/${meetings['2020-03-09']}`, { action: 'all-present' })).status).toBe(303);
    const mar9Records = (await records(meetings['2020-03-09'])).map((r) => r.user_id);
    expect(mar9Records).toContain(ids.late);
    expect(mar9Records).not.toContain(ids.student11);
    expect((await instructor.post(`/instructor/attendance/${meetings['2020-02-24']}`, { action: 'all-present' })).status).toBe(303);
    expect((await records(meetings['2020-02-24'])).map((r) => r.user_id)).toContain(ids.student11);
  });

  await step('recording someone not enrolled on the day is refused with a message', async () => {
    const res = await instructor.post(`/instructor/attendance/${meetings['2020-01-13']}`, { [`status-${ids.late}`]: 'absent' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('not enrolled in this course on the day of the meeting');
    const after = await instructor.post(`/instructor/attendance/${meetings['2020-03-09']}`, { [`status-${ids.student11}`]: 'absent' });
    expect(after.status).toBe(422);
    expect((await records(meetings['2020-01-13'])).map((r) => r.user_id)).not.toContain(ids.late);
  });

  await step('attendance for a meeting still ahead is refused; a meeting today can be taken', async () => {
    const ahead = await instructor.post(`/instructor/attendance/${meetings['2020-03-16']}`, { action: 'all-present' });
    expect(ahead.status).toBe(409);
    expect(ahead.text).toContain('This meeting has not happened yet');
    const saveAhead = await instructor.post(`/instructor/attendance/${meetings['2020-03-16']}`, { [`status-${ids.student1}`]: 'present' });
    expect(saveAhead.status).toBe(409);
    expect(await records(meetings['2020-03-16'])).toHaveLength(0);
    expect(await sheet('2020-03-16')).toContain('This meeting has not happened yet');
    // The morning of March 23 (Detroit), before the meeting starts: today, so it may be taken.
    t.clock.set('2020-03-23T13:00:00Z');
    expect((await instructor.post(`/instructor/attendance/${meetings['2020-03-23']}`, { [`status-${ids.student1}`]: 'present' })).status).toBe(303);
  });

  await step('absences count only meetings held while the student was enrolled: gradebook, class overview and the student’s own page', async () => {
    // An old absent record from before the late joiner was enrolled (data from before this rule) is not counted.
    await t.db
      .insertInto('attendance_record')
      .values({
        calendar_event_id: meetings['2020-01-27'],
        user_id: ids.late,
        status: 'absent',
        note: '',
        recorded_by: ids.instructor,
        recorded_at: new Date('2020-01-28T15:00:00Z'),
        superseded_at: null,
      })
      .execute();
    expect((await instructor.post(`/instructor/attendance/${meetings['2020-02-10']}`, { [`status-${ids.late}`]: 'absent' })).status).toBe(303);
    const gradebook = (await instructor.get('/instructor/gradebook').expect(200)).text;
    const rowOf = (name: string) => gradebook.slice(gradebook.indexOf(`<strong>${name}</strong>`)).split('</tr>')[0];
    expect(rowOf('Late Joiner')).toContain('LeadEd502x: 1, LeadEd503x: 0');

    const overview = (await instructor.get('/instructor/overview?q=late%40umich').expect(200)).text;
    expect(overview).toContain('Late Joiner');
    expect(overview).not.toMatch(/2 absences/);

    // The late joiner sets a password (invitation) and looks at their own page.
    await t.runWorker();
    const link = t.smtp.messages.find((m) => m.to[0] === 'late@umich.edu')!.text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];
    const anon = t.anonymous();
    t.clock.set('2020-02-06T15:00:00Z'); // within the invitation's 14 days
    await anon.get(link).expect(200);
    expect((await anon.post(link, { password: 'late-joiner-password', confirm: 'late-joiner-password' })).status).toBe(303);
    t.clock.set('2020-03-10T15:00:00Z');
    const late = await t.login('late@umich.edu', 'late-joiner-password');
    const mine = (await late.get('/attendance').expect(200)).text;
    expect(mine).toContain('LeadEd502x: 1 absence');
    expect(mine).toContain('Not enrolled then');
  });
});
