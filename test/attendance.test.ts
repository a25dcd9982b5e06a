import { absencesFromRequiredMeetings } from '../src/attendance/absences';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/** Attendance at campus meetings: the sheet, its effect on the gradebook's absence counts,
 * the student's own record, and advance absence notices. Now: Mon 2020-01-27, 10:00 Detroit. */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const meetings: Record<string, number> = {};
let offeringId: number;
let course502: number;
let course503: number;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  for (const u of await t.db.selectFrom('app_user').select(['id', 'email', 'offering_id']).execute()) {
    ids[u.email.split('@')[0]] = u.id;
    offeringId = u.offering_id;
  }
  const rows = await t.db.selectFrom('calendar_event').select(['id', 'starts_at']).where('kind', '=', 'campus_meeting').execute();
  for (const m of rows) meetings[m.starts_at.toISOString().slice(0, 10)] = m.id;
  const courses = await t.db.selectFrom('edx_course').select(['id', 'code']).execute();
  course502 = courses.find((c) => c.code === 'LeadEd502x')!.id;
  course503 = courses.find((c) => c.code === 'LeadEd503x')!.id;
});
afterAll(() => t.close());

const currentRecords = (eventId: number) =>
  t.db.selectFrom('attendance_record').selectAll().where('calendar_event_id', '=', eventId).where('superseded_at', 'is', null).execute();

test('the attendance story: meetings marked, absences counted, records read', async () => {
  await step('the meetings list flags required meetings and links each sheet', async () => {
    const page = (await instructor.get('/instructor/attendance').expect(200)).text;
    expect((page.match(/badge-bad/g) ?? []).length).toBe(8);
    expect((page.match(/badge-muted/g) ?? []).length).toBe(6);
    expect(page).toContain(`href="/instructor/attendance/${meetings['2020-01-13']}"`);
    expect(page).toContain('Mon, Jan 13, 2020, 5:00 PM EST');
  });

  await step('all present, then one absent and one excused with a note; re-recording keeps the history', async () => {
    const jan13 = meetings['2020-01-13'];
    const bulk = await instructor.post(`/instructor/attendance/${jan13}`, { action: 'all-present' });
    expect(bulk.status).toBe(303);
    let rows = await currentRecords(jan13);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.status === 'present')).toBe(true);

    const sheet = (await instructor.get(`/instructor/attendance/${jan13}`).expect(200)).text;
    expect(sheet).toContain(`name="status-${ids.student3}" value="present" checked`);

    const saved = await instructor.post(`/instructor/attendance/${jan13}`, {
      action: 'save',
      [`status-${ids.student3}`]: 'absent',
      [`note-${ids.student3}`]: '',
      [`status-${ids.student5}`]: 'excused',
      [`note-${ids.student5}`]: 'Conference travel, arranged in advance',
      [`status-${ids.student1}`]: 'present',
      [`note-${ids.student1}`]: '',
    });
    expect(saved.status).toBe(303);
    rows = await currentRecords(jan13);
    const of = (u: string) => rows.find((r) => r.user_id === ids[u])!;
    expect(rows).toHaveLength(12);
    expect([of('student3').status, of('student5').status, of('student5').note, of('student1').status]).toEqual([
      'absent',
      'excused',
      'Conference travel, arranged in advance',
      'present',
    ]);
    // The earlier "present" rows are superseded, not lost; an unchanged student gets no new row.
    const history = await t.db.selectFrom('attendance_record').select(['user_id', 'status', 'superseded_at']).where('calendar_event_id', '=', jan13).execute();
    expect(
      history
        .filter((r) => r.user_id === ids.student3)
        .map((r) => [r.status, r.superseded_at !== null])
        .sort(),
    ).toEqual([
      ['absent', false],
      ['present', true],
    ]);
    expect(history.filter((r) => r.user_id === ids.student1)).toHaveLength(1);
    expect((await instructor.get(`/instructor/attendance/${jan13}`)).text).toContain('Excused, recorded');
  });

  await step('absences from required meetings count per edX course, and excused or optional ones do not', async () => {
    // An optional meeting's absence does not count; a second required one does.
    await instructor.post(`/instructor/attendance/${meetings['2020-01-20']}`, { [`status-${ids.student3}`]: 'absent' });
    await instructor.post(`/instructor/attendance/${meetings['2020-01-27']}`, { [`status-${ids.student3}`]: 'absent', [`status-${ids.student5}`]: 'absent' });
    const absences = await absencesFromRequiredMeetings(t.db, offeringId, [ids.student3, ids.student5, ids.student1]);
    expect(Object.fromEntries(absences.get(ids.student3)!)).toEqual({ [course502]: 2, [course503]: 0 });
    expect(Object.fromEntries(absences.get(ids.student5)!)).toEqual({ [course502]: 1, [course503]: 0 });
    expect(Object.fromEntries(absences.get(ids.student1)!)).toEqual({ [course502]: 0, [course503]: 0 });
    // Correcting a record changes the count.
    await instructor.post(`/instructor/attendance/${meetings['2020-01-27']}`, {
      [`status-${ids.student5}`]: 'excused',
      [`note-${ids.student5}`]: 'Ill, doctor’s note',
    });
    const after = await absencesFromRequiredMeetings(t.db, offeringId, [ids.student5]);
    expect(after.get(ids.student5)!.get(course502)).toBe(0);
  });

  await step('the gradebook shows each student’s absences from required meetings per edX course', async () => {
    // After the test above: student3 has 2 absences from required LeadEd502x meetings, student1 none.
    const page = (await instructor.get('/instructor/gradebook').expect(200)).text;
    expect(page).toContain('Absences (required meetings)');
    const rowOf = (name: string) => page.slice(page.indexOf(`<strong>${name}</strong>`)).split('</tr>')[0];
    expect(rowOf('Olivia Bennett')).toContain('LeadEd502x: 2, LeadEd503x: 0');
    expect(rowOf('Ava Thompson')).toContain('LeadEd502x: 0, LeadEd503x: 0');
  });

  await step('an excused status without a note is refused with the input kept', async () => {
    const jan13 = meetings['2020-01-13'];
    const res = await instructor.post(`/instructor/attendance/${jan13}`, {
      [`status-${ids.student7}`]: 'excused',
      [`note-${ids.student7}`]: '',
      [`status-${ids.student9}`]: 'absent',
      [`note-${ids.student9}`]: 'Kept note',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Add a note saying why this absence is excused.');
    expect(res.text).toContain(`name="status-${ids.student7}" value="excused" checked`);
    expect(res.text).toContain('value="Kept note"');
    const rows = await currentRecords(jan13);
    expect(rows.find((r) => r.user_id === ids.student9)!.status).toBe('present'); // nothing saved
  });

  await step('a student sees their own record only', async () => {
    const s3 = await t.login('student3@cohort.example');
    const page = (await s3.get('/attendance').expect(200)).text;
    expect(page).toContain('LeadEd502x: 2 absences');
    expect(page).toMatch(/badge-bad">Absent/);
    expect(page).not.toContain('Grace Kim'); // student5, excused at the same meeting
    expect(page).not.toContain('Conference travel');
    const s5 = await t.login('student5@cohort.example');
    const own = (await s5.get('/attendance').expect(200)).text;
    expect(own).toContain('Conference travel, arranged in advance');
    expect(own).toContain('LeadEd502x: 0 absences');
    // Meeting times are in the student's zone (London).
    expect(page).toContain('Mon, Jan 13, 2020, 10:00 PM GMT');
  });

  await step('an advance absence notice shows on the instructor’s sheet; a past meeting’s notice is refused', async () => {
    const s1 = await t.login('student1@cohort.example');
    const jan27 = meetings['2020-01-27'];
    const sent = await s1.post(`/attendance/${jan27}/absence-notice`, { reason: 'Presenting at a school board meeting that evening' });
    expect(sent.status).toBe(303);
    const sheet = (await instructor.get(`/instructor/attendance/${jan27}`).expect(200)).text;
    expect(sheet).toContain('Presenting at a school board meeting that evening');
    expect(sheet).toContain('Absence notices (1)');
    expect((await s1.get('/attendance')).text).toContain('Presenting at a school board meeting that evening');

    const past = await s1.post(`/attendance/${meetings['2020-01-13']}/absence-notice`, { reason: 'Too late now' });
    expect(past.status).toBe(422);
    expect(past.text).toContain('already started');
    const empty = await s1.post(`/attendance/${meetings['2020-02-10']}/absence-notice`, { reason: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Tell your instructor why you expect to be absent.');
    const notices = await t.db.selectFrom('absence_notice').select(['calendar_event_id', 'reason']).where('user_id', '=', ids.student1).execute();
    expect(notices).toEqual([{ calendar_event_id: jan27, reason: 'Presenting at a school board meeting that evening' }]);

    // Once the meeting has started, the notice can no longer be sent.
    t.clock.set('2020-01-27T22:30:00Z');
    const late = await s1.post(`/attendance/${jan27}/absence-notice`, { reason: 'Changed my mind' });
    expect(late.status).toBe(422);
    t.clock.set('2020-01-27T15:00:00Z');
  });

  await step('students cannot take attendance or reach the sheets', async () => {
    const s2 = await t.login('student2@cohort.example');
    await s2.get('/instructor/attendance').expect(403);
    await s2.get(`/instructor/attendance/${meetings['2020-01-13']}`).expect(403);
    const res = await s2.post(`/instructor/attendance/${meetings['2020-01-13']}`, { action: 'all-present' });
    expect(res.status).toBe(403);
    await instructor.get('/attendance').expect(403);
    await instructor.get('/instructor/attendance/999999').expect(404);
  });
});
