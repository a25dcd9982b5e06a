import { sql } from 'kysely';
import { enqueueEmail } from '../src/mail/outbox';
import { testDatabaseUrl, urlForDatabase } from './helpers/db';
import { startScript } from './helpers/processes';
import { allowConnections, databaseNameOf, eventually, terminateConnections } from './helpers/terminate';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * The database connection dropped under the app (a PostgreSQL restart, a failover, an idle
 * reaper: pg_terminate_backend from outside). The process keeps running, the request that met the
 * dead connection gets a 503 page, /healthz stays up, /readyz follows the database, and the
 * worker's next tick does its job.
 */
const onServer = Boolean(testDatabaseUrl());
const describeOnServer = onServer ? describe : describe.skip;
if (!onServer) {
  // Visible in the run: pg_terminate_backend needs a PostgreSQL server; the embedded database has no connections to drop.
  describe.skip('dropped database connections (skipped: needs a PostgreSQL server, set TEST_DATABASE_URL)', () => {
    test('runs in the real-database pass', () => {});
  });
}

describeOnServer('dropped database connections', () => {
  let t: TestApp;
  let database: string;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    t = await startTestApp();
    database = await databaseNameOf(t.db);
  }, 60_000);
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await allowConnections(database, true);
    await t.close();
  }, 60_000);

  test('a connection checked out in a transaction is terminated: the transaction rejects, nothing crashes', async () => {
    const s = await t.login('student1@cohort.example');
    expect((await s.get('/')).status).toBe(200);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const tx = t.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      inside();
      await held; // the connection sits checked out, idle in a transaction, when it is ended
      await sql`select 1`.execute(trx);
    });
    const outcome = tx.then(
      () => 'committed',
      (err: Error) => err.message,
    );
    await entered;
    // Requests in flight while the connections are ended: each succeeds or gets a 503 page.
    const during = Array.from({ length: 4 }, () => s.get('/'));
    expect(await terminateConnections(database)).toBeGreaterThan(0);
    release();
    expect(await outcome).toMatch(/terminat|not queryable|Connection/i);
    for (const res of await Promise.all(during)) {
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    }
    // Afterwards the pool opens fresh connections.
    await eventually(async () => (await s.get('/')).status === 200, 'the home page on a fresh connection');
    expect((await s.get('/healthz')).status).toBe(200);
    await eventually(async () => (await s.get('/readyz')).status === 200, '/readyz 200');
    expect(uncaught).toEqual([]);
  }, 60_000);

  test('while the database is away: 503 page with Retry-After, /healthz 200, /readyz 503; back: /readyz 200', async () => {
    const s = await t.login('student2@cohort.example');
    expect((await s.get('/')).status).toBe(200);
    await allowConnections(database, false);
    try {
      await terminateConnections(database);
      const page = await s.get('/');
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toBe('5');
      expect(page.text).toMatch(/not reachable at the moment/);
      expect(page.text).not.toMatch(/at .*\.(ts|js):\d+/);
      expect((await s.get('/healthz')).status).toBe(200);
      const ready = await s.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('database unreachable');
    } finally {
      await allowConnections(database, true);
    }
    await eventually(async () => (await s.get('/readyz')).status === 200, '/readyz 200 once the database is back');
    expect((await s.get('/')).status).toBe(200);
    expect(uncaught).toEqual([]);
  }, 60_000);

  test('a worker tick after the connections were ended completes its job', async () => {
    t.smtp.clear();
    await t.runWorker(); // the pool holds connections when they are ended
    await enqueueEmail(t.db, { kind: 'test', userId: null, to: 'after-terminate@cohort.example', subject: 'After the restart', text: 'Hello again.' });
    expect(await terminateConnections(database)).toBeGreaterThan(0);
    // A tick that meets a dead connection fails its job and logs it; the next tick retries.
    await eventually(async () => {
      await t.runWorker();
      return t.smtp.messages.some((m) => m.subject === 'After the restart');
    }, 'the email after the termination');
    const row = await t.db.selectFrom('outbound_email').select(['status']).where('to_address', '=', 'after-terminate@cohort.example').executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(uncaught).toEqual([]);
  }, 60_000);

  test('`npm run worker` keeps running when its connections are ended, and sends what is queued after', async () => {
    t.smtp.clear();
    const worker = startScript('scripts/worker.ts', {
      DATABASE_URL: urlForDatabase(testDatabaseUrl()!, database),
      SMTP_URL: t.smtp.url,
      APP_NOW: '2020-01-27T15:00:00Z',
      WORKER_INTERVAL_MS: '200',
    });
    try {
      const arrived = (subject: string) => async () => t.smtp.messages.some((m) => m.subject === subject);
      await enqueueEmail(t.db, { kind: 'test', userId: null, to: 'worker@cohort.example', subject: 'Before the restart', text: 'Hello.' });
      await eventually(arrived('Before the restart'), "the worker's first email", 60_000);
      for (let i = 0; i < 3; i++) {
        await terminateConnections(database);
        await new Promise((r) => setTimeout(r, 150));
      }
      await enqueueEmail(t.db, { kind: 'test', userId: null, to: 'worker@cohort.example', subject: 'After the restart', text: 'Hello again.' });
      await eventually(arrived('After the restart'), "the worker's email after its connections were ended", 30_000);
      expect(worker.running()).toBe(true);
      expect(worker.output()).not.toMatch(/Unhandled|uncaught/i);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  }, 120_000);
});
