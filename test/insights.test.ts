import { parse } from 'csv-parse/sync';
import { userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';

/** Learning Check insights: a unit's current responses (latest per student), counts out of the
 * active students, the section filter, hidden names, and the CSV export read back. */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const sections: Record<string, number> = {};
let lesson1: number;
let lesson2: number;

const names = ['Ava Thompson', 'Miguel Santos', 'Olivia Bennett', 'Lucas Oliveira', 'Ethan Brown'];
const answer = (user: string, unitId: number, at: string, understanding: string, weaknesses = 'The case was long.') =>
  t.db
    .insertInto('learning_check_response')
    .values({ user_id: ids[user], unit_id: unitId, understanding, strengths: `Strengths by ${user}`, weaknesses, submitted_at: new Date(at) })
    .execute();

const csvRows = (text: string) => parse(text, { bom: true, columns: true }) as Record<string, string>[];

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  for (const s of await t.db.selectFrom('section').select(['id', 'code']).execute()) sections[s.code] = s.id;
  const lessons = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select(['unit.id', 'unit.lesson_number'])
    .where('edx_course.code', '=', 'LeadEd502x')
    .where('unit.kind', '=', 'lesson')
    .execute();
  lesson1 = lessons.find((l) => l.lesson_number === 1)!.id;
  lesson2 = lessons.find((l) => l.lesson_number === 2)!.id;

  // Lesson 1: Ava saved twice (the second is current); Miguel, Olivia and Lucas once; Ethan
  // answered but has since left the course (deactivated: not counted). Lesson 2: Ava only.
  await answer('student1', lesson1, '2020-01-16T14:00:00Z', 'First draft: innovation is a product.');
  await answer('student3', lesson1, '2020-01-17T09:30:00Z', 'Learning systems connect schools.');
  await answer('student2', lesson1, '2020-01-18T02:00:00Z', 'Innovation as collaborative learning.', '=HYPERLINK("http://evil.example","click")');
  await answer('student1', lesson1, '2020-01-19T21:04:00Z', 'Innovation is collaborative, inter-organizational learning.');
  await answer('student4', lesson1, '2020-01-19T23:00:00Z', 'Networks, not fads.');
  await answer('student12', lesson1, '2020-01-15T12:00:00Z', 'Left the course.');
  await t.db
    .updateTable('app_user')
    .set({ deactivated_at: new Date('2020-01-20T12:00:00Z') })
    .where('id', '=', ids.student12)
    .execute();
  await answer('student1', lesson2, '2020-01-24T12:00:00Z', 'Reason and rationality.');
});
afterAll(() => t.close());

test('students may not read the insights or download them', async () => {
  const ava = await t.login('student1@cohort.example');
  await ava.get('/instructor/insights').expect(403);
  await ava.get(`/instructor/insights/learning-check/${lesson1}`).expect(403);
  await ava.get(`/instructor/insights/learning-check/${lesson1}.csv`).expect(403);
  await instructor.get('/instructor/insights/learning-check/999999').expect(404);
});

test('the index counts the students who answered each unit, out of the active students', async () => {
  const page = (await instructor.get('/instructor/insights').expect(200)).text;
  expect(page).toContain('Answered (of 11)');
  const row = (unitId: number) => page.split('<tr').find((r) => r.includes(`data-unit="${unitId}"`))!;
  expect(row(lesson1)).toContain('data-answered="4"');
  expect(row(lesson1)).toContain('4 (36%)');
  expect(row(lesson2)).toContain('data-answered="1"');
  // Course Kickoff and Closing Thoughts have no Learning Check: no row stuck at 0%, no page.
  const others = await t.db.selectFrom('unit').select('id').where('kind', '!=', 'lesson').execute();
  expect(others.length).toBe(4);
  for (const u of others) {
    expect(page).not.toContain(`data-unit="${u.id}"`);
    await instructor.get(`/instructor/insights/learning-check/${u.id}`).expect(404);
  }
});

test('a unit page shows each current response with names, counts and who has not answered', async () => {
  const page = (await instructor.get(`/instructor/insights/learning-check/${lesson1}`).expect(200)).text;
  expect(page).toContain('data-answered="4" data-enrolled="11"');
  expect(page).toContain('Innovation is collaborative, inter-organizational learning.');
  expect(page).not.toContain('First draft');
  expect(page).not.toContain('Left the course.');
  expect(page).toContain('saved 2 times');
  const order = names.slice(0, 4).map((n) => page.indexOf(`${n} <span`));
  expect(order.every((i) => i > 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual([order[0], order[3], order[1], order[2]]); // by name: Ava, Lucas, Miguel, Olivia
  const notYet = page.slice(page.indexOf('id="not-answered"'));
  expect(notYet).toContain('Grace Kim');
  expect(notYet).not.toContain('Ava Thompson');
});

test('the section filter narrows the responses and the counts', async () => {
  const p551 = (await instructor.get(`/instructor/insights/learning-check/${lesson1}?section=${sections['EDUC 551']}`).expect(200)).text;
  expect(p551).toContain('data-answered="2" data-enrolled="6"');
  expect(p551).toContain('Ava Thompson');
  expect(p551).not.toContain('Miguel Santos');
  const p639 = (await instructor.get(`/instructor/insights/learning-check/${lesson1}?section=${sections['EDUC 639']}`).expect(200)).text;
  expect(p639).toContain('data-answered="2" data-enrolled="5"');
  expect(p639).toContain('Networks, not fads.');
  expect(p639).not.toContain('Olivia Bennett');
  // A section id that is not this course's falls back to all sections.
  expect((await instructor.get(`/instructor/insights/learning-check/${lesson1}?section=abc`).expect(200)).text).toContain(
    'data-answered="4" data-enrolled="11"',
  );
});

test('hide names: respondents are numbered in the order they answered, with no name or email', async () => {
  const page = (await instructor.get(`/instructor/insights/learning-check/${lesson1}?anonymous=1`).expect(200)).text;
  for (const n of names) expect(page).not.toContain(n);
  expect(page).not.toContain('@cohort.example');
  expect(page).not.toContain('id="not-answered"');
  // Olivia (Jan 17), Miguel (Jan 18), Ava (Jan 19, 21:04Z), Lucas (Jan 19, 23:00Z)
  const first = page.indexOf('Respondent 1 <span');
  expect(page.indexOf('Learning systems connect schools.')).toBeGreaterThan(first);
  expect(page.indexOf('Learning systems connect schools.')).toBeLessThan(page.indexOf('Respondent 2 <span'));
  expect(page).toContain('Respondent 4 <span');
  expect(page).toContain(`href="/instructor/insights/learning-check/${lesson1}.csv?anonymous=1"`);
});

test('the CSV export reads back: current responses, names and emails, formulas neutralized', async () => {
  const res = await instructor.get(`/instructor/insights/learning-check/${lesson1}.csv`).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/csv/);
  expect(res.headers['content-disposition']).toContain('learning-check-leaded502x-lesson-01.csv');
  const rows = csvRows(res.text);
  expect(rows.map((r) => r.respondent)).toEqual(['Ava Thompson', 'Lucas Oliveira', 'Miguel Santos', 'Olivia Bennett']);
  expect(Object.keys(rows[0])).toEqual([
    'respondent',
    'email',
    'section',
    'edx_course',
    'unit',
    'understanding',
    'strengths',
    'weaknesses',
    'submitted_at',
    'times_saved',
  ]);
  expect(rows[0]).toMatchObject({
    email: 'student1@cohort.example',
    section: 'EDUC 551',
    edx_course: 'LeadEd502x',
    unit: 'Lesson 01 · Imagining and Framing Innovation',
    understanding: 'Innovation is collaborative, inter-organizational learning.',
    submitted_at: '2020-01-19T16:04:00-05:00',
    times_saved: '2',
  });
  expect(rows[2].weaknesses).toBe(`'=HYPERLINK("http://evil.example","click")`);

  const only639 = csvRows((await instructor.get(`/instructor/insights/learning-check/${lesson1}.csv?section=${sections['EDUC 639']}`).expect(200)).text);
  expect(only639.map((r) => r.respondent)).toEqual(['Lucas Oliveira', 'Miguel Santos']);
});

test('the anonymous CSV has no names, emails or times', async () => {
  const res = await instructor.get(`/instructor/insights/learning-check/${lesson1}.csv?anonymous=1`).expect(200);
  expect(res.headers['content-disposition']).toContain('learning-check-leaded502x-lesson-01-anonymous.csv');
  for (const n of [...names, 'cohort.example']) expect(res.text).not.toContain(n);
  const rows = csvRows(res.text);
  expect(Object.keys(rows[0])).toEqual(['respondent', 'section', 'edx_course', 'unit', 'understanding', 'strengths', 'weaknesses', 'submitted_on']);
  expect(rows.map((r) => [r.respondent, r.understanding, r.submitted_on])).toEqual([
    ['Respondent 1', 'Learning systems connect schools.', '2020-01-17'],
    ['Respondent 2', 'Innovation as collaborative learning.', '2020-01-17'],
    ['Respondent 3', 'Innovation is collaborative, inter-organizational learning.', '2020-01-19'],
    ['Respondent 4', 'Networks, not fads.', '2020-01-19'],
  ]);
});
