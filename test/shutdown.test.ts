import { deliverDueEmails, enqueueEmail } from '../src/mail/outbox';
import { smtpSender } from '../src/mail/transport';
import { testDatabaseUrl, urlForDatabase } from './helpers/db';
import { startScript } from './helpers/processes';
import { databaseNameOf, eventually } from './helpers/terminate';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * SIGTERM while a delivery batch goes out through a slow SMTP server: `npm start` and
 * `npm run worker` finish the email being sent, hand the rest of their claimed batch back to the
 * outbox, and exit 0 (not the 20 s forced exit, which is code 1). PostgreSQL only: the processes
 * and the test share the database.
 */
const onServer = Boolean(testDatabaseUrl());
if (!onServer) {
  describe.skip('SIGTERM during a slow delivery batch (skipped: the processes share a PostgreSQL server, set TEST_DATABASE_URL)', () => {
    test('runs in the real-database pass', () => {});
  });
}

(onServer ? describe : describe.skip)('SIGTERM during a slow delivery batch', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    url = urlForDatabase(testDatabaseUrl()!, await databaseNameOf(t.db));
  }, 60_000);
  afterAll(() => t.close(), 60_000);

  beforeEach(async () => {
    await t.db.updateTable('outbound_email').set({ status: 'sent', locked_until: null }).where('status', 'in', ['pending', 'sending']).execute();
    t.smtp.clear();
    t.smtp.setDelay(1500); // a slow SMTP server: the batch of 6 takes about 9 s
  });

  for (const [command, script, env] of [
    ['npm start', 'src/server.ts', { PORT: '0', HOST: '127.0.0.1', SEED_DEMO_PASSWORD: 'demo-password-1' }],
    ['npm run worker', 'scripts/worker.ts', {}],
  ] as const) {
    test(`${command}: the email being sent is finished, the rest handed back, exit 0`, async () => {
      const ids: number[] = [];
      for (let i = 0; i < 6; i++)
        ids.push((await enqueueEmail(t.db, { kind: 'test', userId: null, to: `stop${i}@cohort.example`, subject: `${command} ${i}`, text: 'Hello.' }))!);
      const child = startScript(script, { ...env, DATABASE_URL: url, SMTP_URL: t.smtp.url, APP_NOW: '2020-01-27T15:00:00Z', WORKER_INTERVAL_MS: '200' });
      try {
        await eventually(async () => t.smtp.messages.length >= 1, 'the first email of the batch', 60_000);
      } finally {
        expect(await child.stop('SIGTERM')).toBe(0);
      }
      const rows = await t.db.selectFrom('outbound_email').select(['id', 'status', 'locked_until', 'claim_token']).where('id', 'in', ids).execute();
      expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
      const pending = rows.filter((r) => r.status === 'pending');
      expect(pending.length).toBeGreaterThan(0);
      expect(pending.every((r) => r.locked_until === null && r.claim_token === null)).toBe(true);
      // Whoever runs next sends the rest at once: each email once in all.
      t.smtp.setDelay(0);
      const sender = smtpSender(t.smtp.url);
      await deliverDueEmails(t.db, sender, { from: 'cohort@cohort.example', batchSize: 500, now: new Date() }); // (npm start's reminder run may have queued more)
      sender.close();
      const after = await t.db.selectFrom('outbound_email').select('status').where('id', 'in', ids).execute();
      expect(after.every((r) => r.status === 'sent')).toBe(true);
      const subjects = t.smtp.messages.map((m) => m.subject).filter((s) => s.startsWith(command));
      expect(subjects.sort()).toEqual(ids.map((_, i) => `${command} ${i}`).sort());
    }, 120_000);
  }
});
