import { sql } from 'kysely';
import { courseCache } from '../src/course/course-cache';
import { queryCount } from '../src/db/query-counter';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * The course is kept in memory per database handle (src/course/course-cache.ts) and checked
 * against course_data_version on every use. A change made anywhere else — another app instance,
 * a script, psql — shows on the next page here; a rolled-back change never does.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z', env: { SESSION_HOLD_MS: '0' } }); // Monday of a week with a campus meeting; every view reads its session (the hold: session-read.test.ts)
});
afterAll(() => t.close());

async function studentHome(): Promise<string> {
  const s = await t.login('student1@cohort.example');
  return (await s.get('/').expect(200)).text;
}

/** This Monday's campus meeting, changed behind the app's back (as another instance would). */
async function setMeetingLocation(location: string, db = t.db) {
  await db
    .updateTable('calendar_event')
    .set({ location })
    .where('kind', '=', 'campus_meeting')
    .where('starts_at', '>=', new Date('2020-01-27T00:00:00Z'))
    .where('starts_at', '<', new Date('2020-01-28T00:00:00Z'))
    .execute();
}

test('a course change made outside this app shows on its next page', async () => {
  await studentHome(); // the course is now cached
  const before = await courseCache.version(t.db);
  await setMeetingLocation('Room 1322, School of Education');
  expect(await courseCache.version(t.db)).not.toBe(before);
  expect(await studentHome()).toContain('Room 1322, School of Education');
  await setMeetingLocation('Room 2340, School of Education');
  const html = await studentHome();
  expect(html).toContain('Room 2340, School of Education');
  expect(html).not.toContain('Room 1322');
});

test('a change rolled back is never cached, and its version number is never reused', async () => {
  await setMeetingLocation('Room 2340, School of Education');
  const committed = await courseCache.version(t.db);
  let inside: number | null = null;
  await t.db
    .transaction()
    .execute(async (trx) => {
      await setMeetingLocation('A room that never was', trx);
      inside = await courseCache.version(trx);
      expect(
        (await courseCache.current(trx, (await trx.selectFrom('course_offering').select('id').executeTakeFirstOrThrow()).id)).events.some(
          (e) => e.location === 'A room that never was',
        ),
      ).toBe(true);
      throw new Error('roll back');
    })
    .catch(() => undefined);
  expect(inside).not.toBe(committed);
  expect(await courseCache.version(t.db)).toBe(committed);
  expect(await studentHome()).not.toContain('A room that never was');
  await setMeetingLocation('Room 2340, School of Education');
  expect(await courseCache.version(t.db)).not.toBe(inside);
});

test('every course table moves the version (statement-level triggers)', async () => {
  const tables = ['course_offering', 'section', 'edx_course', 'lesson_component', 'unit', 'course_week', 'portfolio_requirement', 'calendar_event'];
  for (const table of tables) {
    const before = await courseCache.version(t.db);
    await sql`delete from ${sql.table(table)} where false`.execute(t.db); // a statement that changes no row still counts
    expect({ table, moved: (await courseCache.version(t.db)) !== before }).toEqual({ table, moved: true });
  }
});

test('a student page reads the course from memory: the same few queries on every view', async () => {
  const s = await t.login('student1@cohort.example');
  await s.get('/').expect(200);
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = queryCount();
    await s.get('/').expect(200);
    counts.push(queryCount() - before);
  }
  expect(new Set(counts).size).toBe(1);
  // session with its user and the course version (one query), then the reader's extensions, completions and checklists in one round trip
  expect(counts[0]).toBeLessThanOrEqual(2);
});
