import { courseCache } from '../src/course/course-cache';
import { knownVersions } from '../src/db/known-versions';
import { queriesOf } from './helpers/queries';
import express from 'express';
import request from 'supertest';
import { endSessionsOf, PostgresSessionStore } from '../src/http/session-store';
import { userIdOf } from './helpers/builders';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * A signed-in page view reads its session, the signed-in user, the course data version and the
 * menu's counts in one query (src/http/session-store.ts, src/db/known-versions.ts), and the
 * instance keeps that read for the same session’s next page views for SESSION_HOLD_MS (issue 19).
 * `t` holds for a minute, so what the hold does is seen without racing the clock; `short` holds
 * for 300 ms, the way production's 2 s bound is kept: a change made behind the app (as by another
 * instance) shows once the bound has passed. Waits are only ever longer than the bound.
 */
let t: TestApp;
let short: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z', env: { SESSION_HOLD_MS: '60000' } });
  short = await startTestApp({ now: '2020-01-27T15:00:00Z', env: { SESSION_HOLD_MS: '300' } });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await short?.close();
});

const pastTheBound = () => new Promise((r) => setTimeout(r, 400));

/** A session's first page view after signing in (it shows, and clears, the welcome message: a session write). */
async function signedIn(app: TestApp, email: string) {
  const s = await app.login(email);
  await s.get('/').expect(200);
  return s;
}

test('This week costs two queries; the same session’s next page view, one (its session read is held)', async () => {
  const s = await signedIn(t, 'student1@cohort.example');
  expect(await queriesOf(() => s.get('/').expect(200))).toBe(2);
  expect(await queriesOf(() => s.get('/').expect(200))).toBe(1);
});

test('a change to the account made behind the app (as by another instance) shows once the bound has passed', async () => {
  for (const app of [t, short]) {
    const s = await signedIn(app, 'student3@cohort.example');
    const { name } = await app.db.selectFrom('app_user').select('name').where('email', '=', 'student3@cohort.example').executeTakeFirstOrThrow();
    expect((await s.get('/').expect(200)).text).toContain(name);
    await app.db.updateTable('app_user').set({ name: 'Renamed Behind The App' }).where('email', '=', 'student3@cohort.example').execute();
    try {
      if (app === t)
        expect((await s.get('/').expect(200)).text).toContain(name); // within the bound: the held read
      else {
        await pastTheBound();
        expect((await s.get('/').expect(200)).text).toContain('Renamed Behind The App');
      }
    } finally {
      await app.db.updateTable('app_user').set({ name }).where('email', '=', 'student3@cohort.example').execute();
    }
  }
});

test('the person’s own change shows on their next page at once: a form post reads the session afresh and drops what was held', async () => {
  const s = await signedIn(t, 'student2@cohort.example');
  expect((await s.get('/').expect(200)).text).not.toContain('<strong>Europe/Paris</strong>'); // held now
  expect((await s.post('/settings', { timeZone: 'Europe/Paris' })).status).toBe(303);
  expect((await s.get('/').expect(200)).text).toContain('<strong>Europe/Paris</strong>');
});

test('an account deactivated behind the app: its forms are refused at once, its pages within the bound', async () => {
  for (const app of [t, short]) {
    const s = await signedIn(app, 'student6@cohort.example');
    await s.get('/calendar').expect(200);
    await app.db.updateTable('app_user').set({ deactivated_at: new Date() }).where('email', '=', 'student6@cohort.example').execute();
    try {
      const post = await s.post('/calendar/feed/regenerate');
      expect(post.status).toBe(303);
      expect(post.headers.location).toMatch(/^\/login/);
      expect(
        await app.db
          .selectFrom('calendar_feed')
          .select('user_id')
          .where('user_id', '=', await userIdOf(app, 'student6@cohort.example'))
          .execute(),
      ).toEqual([]);
      if (app === short) {
        await pastTheBound();
        const res = await s.get('/').expect(303);
        expect(res.headers.location).toMatch(/^\/login/);
      }
    } finally {
      await app.db.updateTable('app_user').set({ deactivated_at: null }).where('email', '=', 'student6@cohort.example').execute();
    }
  }
});

test('ending an account’s sessions (a drop, a password or email change) signs it out at once on this instance, held or not', async () => {
  const s = await signedIn(t, 'student5@cohort.example');
  await s.get('/').expect(200); // held now
  await endSessionsOf(t.db, await userIdOf(t, 'student5@cohort.example'));
  const res = await s.get('/').expect(303);
  expect(res.headers.location).toMatch(/^\/login/);
});

test('a held copy never writes back over a session ended or changed elsewhere (a sign-out is not undone)', async () => {
  const store = new PostgresSessionStore(t.db, undefined, {}, 60_000);
  const app = express();
  app.use(store.middleware({ name: 'sid', secret: 'held-copy-test-secret', resave: false, saveUninitialized: false }));
  app.get('/count', (req, res) => {
    const s = req.session as unknown as { n?: number };
    s.n = (s.n ?? 0) + 1;
    res.json({ n: s.n });
  });
  app.get('/peek', (req, res) => res.json({ n: (req.session as unknown as { n?: number }).n ?? 0 }));
  const agent = request.agent(app);
  expect((await agent.get('/count').expect(200)).body).toEqual({ n: 1 }); // a new session, saved
  expect((await agent.get('/peek').expect(200)).body).toEqual({ n: 1 }); // read, and held
  const sid = (await t.db.selectFrom('http_session').select(['sid', 'sess']).execute()).find((r) => (r.sess as { n?: number }).n === 1)!.sid;
  await t.db.deleteFrom('http_session').where('sid', '=', sid).execute(); // signed out elsewhere
  expect((await agent.get('/count').expect(200)).body).toEqual({ n: 2 }); // served from the held copy…
  expect(await t.db.selectFrom('http_session').select('sid').where('sid', '=', sid).execute()).toEqual([]); // …but not written back
  expect((await agent.get('/peek').expect(200)).body).toEqual({ n: 0 }); // and the next read finds it gone
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

test('a course change committed between two page views shows once the bound has passed (its version comes with the session read)', async () => {
  const student = await signedIn(short, 'student1@cohort.example');
  await student.get('/').expect(200);
  const v1 = await courseCache.version(short.db);
  await short.db
    .updateTable('calendar_event')
    .set({ location: 'Room 4212, School of Education' })
    .where('kind', '=', 'campus_meeting')
    .where('starts_at', '>=', new Date('2020-01-27T00:00:00Z'))
    .where('starts_at', '<', new Date('2020-01-28T00:00:00Z'))
    .execute();
  expect(await courseCache.version(short.db)).not.toBe(v1);
  await pastTheBound();
  expect((await student.get('/').expect(200)).text).toContain('Room 4212, School of Education');
});
