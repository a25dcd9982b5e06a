import { courseCache } from '../src/course/course-cache';
import { knownVersions } from '../src/db/known-versions';
import { queriesOf } from './helpers/queries';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * A signed-in page view reads its session, the signed-in user and the course data version in one
 * query (src/http/session-store.ts, src/db/known-versions.ts). The user is still read on every
 * request, never kept: a change to the account shows on the next page, a deactivated account is
 * signed out at once.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
});
afterAll(() => t.close());

test('This week costs two queries: session with user and course version, then the reader’s own three reads together', async () => {
  const s = await t.login('student1@cohort.example');
  await s.get('/').expect(200);
  expect(await queriesOf(() => s.get('/').expect(200))).toBe(2);
});

test('a change to the account made behind the app shows on the next page', async () => {
  const s = await t.login('student3@cohort.example');
  const { name } = await t.db.selectFrom('app_user').select('name').where('email', '=', 'student3@cohort.example').executeTakeFirstOrThrow();
  expect((await s.get('/').expect(200)).text).toContain(name);
  await t.db.updateTable('app_user').set({ name: 'Renamed Behind The App' }).where('email', '=', 'student3@cohort.example').execute();
  expect((await s.get('/').expect(200)).text).toContain('Renamed Behind The App');
  await t.db.updateTable('app_user').set({ name }).where('email', '=', 'student3@cohort.example').execute();
});

test('an account deactivated while signed in is signed out on its next request', async () => {
  const s = await t.login('student6@cohort.example');
  await s.get('/').expect(200);
  await t.db.updateTable('app_user').set({ deactivated_at: new Date() }).where('email', '=', 'student6@cohort.example').execute();
  try {
    const res = await s.get('/').expect(303);
    expect(res.headers.location).toMatch(/^\/login/);
    await s.get('/portfolios').expect(303);
  } finally {
    await t.db.updateTable('app_user').set({ deactivated_at: null }).where('email', '=', 'student6@cohort.example').execute();
  }
});

test('a known course version is used only for the handle it was read from, and never inside a transaction', async () => {
  const offeringId = (await t.db.selectFrom('course_offering').select('id').executeTakeFirstOrThrow()).id;
  const v = (await courseCache.version(t.db))!;
  await courseCache.current(t.db, offeringId);
  expect(await queriesOf(() => knownVersions.run(t.db, v, () => courseCache.current(t.db, offeringId)))).toBe(0);
  expect(await queriesOf(() => courseCache.current(t.db, offeringId))).toBe(1);
  const other = t.db.withoutPlugins(); // another handle, with its own cache entry
  await courseCache.current(other, offeringId);
  expect(await queriesOf(() => knownVersions.run(t.db, v, () => courseCache.current(other, offeringId)))).toBe(1);
  await knownVersions.run(t.db, v, () =>
    t.db.transaction().execute(async (trx) => {
      expect(await queriesOf(() => courseCache.current(trx, offeringId))).toBeGreaterThan(1);
    }),
  );
});

test('a course change committed between two page views shows on the second (its version comes with the session)', async () => {
  const student = await t.login('student1@cohort.example');
  await student.get('/').expect(200);
  const v1 = await courseCache.version(t.db);
  await t.db
    .updateTable('calendar_event')
    .set({ location: 'Room 4212, School of Education' })
    .where('kind', '=', 'campus_meeting')
    .where('starts_at', '>=', new Date('2020-01-27T00:00:00Z'))
    .where('starts_at', '<', new Date('2020-01-28T00:00:00Z'))
    .execute();
  expect(await courseCache.version(t.db)).not.toBe(v1);
  expect((await student.get('/').expect(200)).text).toContain('Room 4212, School of Education');
});
