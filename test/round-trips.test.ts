import { lessonUnitId } from './helpers/course';
import { queriesOf } from './helpers/queries';
import { startTestApp, type TestApp } from './helpers/test-app';
import { guideFields } from './helpers/versions';

/**
 * The student pages read what they need in few round trips (src/db/reads.ts): one query for the
 * session with its user and the course version, then one statement for the page's own reads. The
 * counts are fixed: a page never costs more queries because the student has more work.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-22T15:00:00Z', env: { SESSION_HOLD_MS: '0' } }); // every view reads its session, as a different reader's first view does (the session hold: session-read.test.ts)
});
afterAll(() => t.close());

test('a lesson page with a team, a study guide and an artifact: two queries, and the same after more work', async () => {
  const id = await lessonUnitId(t.db, 'LeadEd502x', 1);
  const s = await t.login('student1@cohort.example');
  const page = await s.get(`/lessons/${id}`).expect(200);
  expect(page.text).toContain('Learning Systems Crew');
  const first = await queriesOf(() => s.get(`/lessons/${id}`).expect(200));
  expect(first).toBe(2);
  expect((await s.upload(`/lessons/${id}/study-guide`, await guideFields(s, id, { guide_body: 'A second thought about learning systems.' }))).status).toBe(303);
  expect((await s.upload(`/lessons/${id}/study-guide`, await guideFields(s, id, { guide_body: 'A third thought about learning systems.' }))).status).toBe(303);
  // the first view after saving shows (and clears) the one-time message: a session write
  expect((await s.get(`/lessons/${id}`).expect(200)).text).toContain('A third thought about learning systems.');
  expect(await queriesOf(() => s.get(`/lessons/${id}`).expect(200))).toBe(first);
});

test('the portfolio page: two queries', async () => {
  const s = await t.login('student1@cohort.example');
  const list = await s.get('/portfolios').expect(200);
  const href = list.text.match(/href="(\/portfolios\/\d+)"/)![1];
  await s.get(href).expect(200);
  expect(await queriesOf(() => s.get(href).expect(200))).toBe(2);
});
