import { startTestApp, type TestApp } from './helpers/test-app';

/** The seeded Winter 2020 calendar against section 4 of the syllabus, date by date. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const syllabusMondays: [string, string, string, boolean][] = [
  ['2020-01-13', 'LeadEd502x', 'Course Kickoff and Lesson 01', true],
  ['2020-01-20', 'LeadEd502x', 'Lesson 02', false],
  ['2020-01-27', 'LeadEd502x', 'Lesson 03', true],
  ['2020-02-03', 'LeadEd502x', 'Lesson 04', false],
  ['2020-02-10', 'LeadEd502x', 'Lesson 05', true],
  ['2020-02-17', 'LeadEd502x', 'Lesson 06', false],
  ['2020-02-24', 'LeadEd502x', 'Complete outstanding work/compile portfolio', true],
  ['2020-03-09', 'LeadEd503x', 'Course Kickoff and Lesson 01', true],
  ['2020-03-16', 'LeadEd503x', 'Lesson 02', false],
  ['2020-03-23', 'LeadEd503x', 'Lesson 03', true],
  ['2020-03-30', 'LeadEd503x', 'Lesson 04', false],
  ['2020-04-06', 'LeadEd503x', 'Lesson 05', true],
  ['2020-04-13', 'LeadEd503x', 'Lesson 06', false],
  ['2020-04-20', 'LeadEd503x', 'Complete outstanding work/compile portfolio', true],
];

test('every campus meeting is on its syllabus Monday, 17:00–19:00 Detroit, with its required flag and UTC offset across DST', async () => {
  const meetings = await t.db
    .selectFrom('calendar_event')
    .innerJoin('course_week', 'course_week.id', 'calendar_event.course_week_id')
    .innerJoin('edx_course', 'edx_course.id', 'calendar_event.edx_course_id')
    .select([
      'calendar_event.starts_at',
      'calendar_event.ends_at',
      'calendar_event.required',
      'calendar_event.location',
      'course_week.label',
      'edx_course.code',
    ])
    .where('calendar_event.kind', '=', 'campus_meeting')
    .orderBy('calendar_event.starts_at')
    .execute();
  expect(meetings).toHaveLength(14);
  meetings.forEach((m, i) => {
    const [on, code, label, required] = syllabusMondays[i];
    // Before 2020-03-08 Detroit is UTC-5 (17:00 = 22:00Z); after, UTC-4 (17:00 = 21:00Z).
    const utcHour = on < '2020-03-08' ? 22 : 21;
    expect(m.starts_at.toISOString()).toBe(`${on}T${utcHour}:00:00.000Z`);
    // Students are in the room 17:00–19:00 (syllabus section 4), not the registrar's 17:00–20:00.
    expect(m.ends_at!.getTime() - m.starts_at.getTime()).toBe(2 * 60 * 60_000);
    expect([m.code, m.label, m.required]).toEqual([code, label, required]);
    expect(m.location).toBe('4212 School of Education Building');
  });
});

test('the introduction, spring break and portfolio deadlines are where the syllabus puts them', async () => {
  const events = await t.db
    .selectFrom('calendar_event')
    .select(['kind', 'title', 'starts_at', 'ends_at', 'all_day'])
    .where('kind', '!=', 'campus_meeting')
    .orderBy('starts_at')
    .execute();
  expect(events.map((e) => [e.kind, e.starts_at.toISOString()])).toEqual([
    ['launch_party', '2020-01-06T05:00:00.000Z'],
    ['edx_go_live', '2020-01-07T05:00:00.000Z'],
    ['portfolio_due', '2020-02-27T04:59:00.000Z'],
    ['no_class', '2020-03-02T05:00:00.000Z'],
    ['portfolio_due', '2020-04-23T03:59:00.000Z'],
  ]);
  const reqs = await t.db.selectFrom('portfolio_requirement').select(['title', 'due_on', 'due_at']).orderBy('due_on').execute();
  expect(reqs.map((r) => [r.title, r.due_on, r.due_at.toISOString()])).toEqual([
    ['LeadEd502x Portfolio', '2020-02-26', '2020-02-27T05:00:00.000Z'], // end of Wednesday 02/26, EST
    ['LeadEd503x Portfolio', '2020-04-22', '2020-04-23T04:00:00.000Z'], // end of Wednesday 04/22, EDT
  ]);
});

test('each edX course has Course Kickoff, Lessons 1–6 with the appendix titles, and Closing Thoughts', async () => {
  const units = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select(['edx_course.code', 'unit.kind', 'unit.lesson_number', 'unit.title'])
    .orderBy('edx_course.position')
    .orderBy('unit.position')
    .execute();
  expect(units.filter((u) => u.code === 'LeadEd502x').map((u) => u.title)).toEqual([
    'Course Kickoff',
    'Imagining and Framing Innovation',
    'Framing Innovation – Reason and Rationality',
    'Framing Innovation – Metaphor and Analogy',
    'Case Study – Innovating in Elementary Reading',
    'Case Study – Innovating in Middle School Mathematics',
    'Case Study – Innovating in High School Social/Emotional Supports',
    'Closing Thoughts',
  ]);
  expect(units.filter((u) => u.code === 'LeadEd503x').map((u) => u.lesson_number)).toEqual([null, 1, 2, 3, 4, 5, 6, null]);
  const components = await t.db.selectFrom('lesson_component').select('name').orderBy('position').execute();
  expect(components.map((c) => c.name)).toEqual([
    'Presentation',
    'Enrichment',
    'Team Practice',
    'Clarification',
    'Learning Check',
    'Celebrate Success',
    'Community Engagement',
  ]);
});

test('the calendar page shows meeting times in the reader’s own zone on both sides of DST', async () => {
  const manila = await t.login('student2@cohort.example'); // Asia/Manila, UTC+8 all year
  const page = (await manila.get('/calendar').expect(200)).text;
  // 17:00 EST on Mon 01/13 = 06:00 Tue 01/14 in Manila; 17:00 EDT on Mon 03/09 = 05:00 Tue 03/10.
  expect(page).toContain('Tue, Jan 14, 2020, 6:00 AM GMT+8');
  expect(page).toContain('Tue, Mar 10, 2020, 5:00 AM GMT+8');
  const detroit = await t.login('student1@cohort.example');
  const local = (await detroit.get('/calendar').expect(200)).text;
  expect(local).toContain('Mon, Jan 13, 2020, 5:00 PM EST');
  expect(local).toContain('Mon, Mar 9, 2020, 5:00 PM EDT');
  expect(local).toContain('Due Wed, Feb 26, 2020, 11:59 PM EST');
  expect((local.match(/badge-bad/g) ?? []).length).toBe(8);
});
