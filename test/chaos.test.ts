import type { AppContext } from '../src/context';
import { isConnectionError } from '../src/db/connection-errors';
import { deliverDueEmails } from '../src/mail/outbox';
import { smtpSender } from '../src/mail/transport';
import { runReminders } from '../src/reminders/reminders.service';
import { testDatabaseUrl } from './helpers/db';
import { databaseNameOf, eventually, terminateConnections } from './helpers/terminate';
import { startTestApp, type TestApp } from './helpers/test-app';
import { addStudents, numbered, onlyDetroitPortfolioReminders } from './helpers/students';

/**
 * Chaos: two workers run the reminders and deliver them through a slow SMTP server (a batch takes
 * longer than its lease, so the workers take messages over from each other) while every
 * connection to the database is ended again and again. The process survives and every reminder
 * arrives exactly once, counted by Message-ID at the SMTP server.
 * 2020-02-19T14:00Z is 09:00 EST: every Detroit student's 7-day reminder for 02/26 is due.
 */
const onServer = Boolean(testDatabaseUrl());
if (!onServer) {
  describe.skip('chaos (skipped: pg_terminate_backend needs a PostgreSQL server, set TEST_DATABASE_URL)', () => {
    test('runs in the real-database pass', () => {});
  });
}

const EXTRA = 40;
const SMTP_DELAY_MS = 250;
const LEASE_SECONDS = 3; // shorter than a batch of 20 takes at SMTP_DELAY_MS a message
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(onServer ? describe : describe.skip)('chaos', () => {
  let t: TestApp;
  let database: string;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    t = await startTestApp({ now: '2020-02-19T14:00:00Z' });
    database = await databaseNameOf(t.db);
    await addStudents(t.db, numbered(EXTRA, 'chaos', 'Chaos Student'));
    await onlyDetroitPortfolioReminders(t.db);
  }, 60_000);
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await t.close();
  }, 60_000);

  test('connections ended while two workers send reminders through a slow SMTP server: each arrives once', async () => {
    t.smtp.setDelay(SMTP_DELAY_MS);
    const second: AppContext = { ...t.ctx, mail: smtpSender(t.smtp.url) };
    const jobErrors: unknown[] = [];
    let running = true;
    // Each loop is a worker's tick: the reminders job, then the delivery job, each failure caught
    // and retried next tick (as runJobsOnce does), with short leases so the test stays short.
    const worker = async (ctx: AppContext) => {
      while (running) {
        for (const job of [
          () =>
            runReminders(ctx.db, {
              now: ctx.clock.now(),
              offsets: ctx.config.reminderOffsetsDays,
              baseUrl: ctx.config.baseUrl,
              batchSize: 7,
              leaseSeconds: LEASE_SECONDS,
            }),
          () =>
            deliverDueEmails(ctx.db, ctx.mail, {
              from: ctx.config.MAIL_FROM,
              batchSize: 20,
              leaseSeconds: LEASE_SECONDS,
              sendLeaseSeconds: 30,
              now: ctx.clock.now(),
            }),
        ]) {
          await job().catch((err: unknown) => jobErrors.push(err));
        }
        await sleep(50);
      }
    };
    const workers = [worker(t.ctx), worker(second)];

    const unfinished = async () =>
      Number(
        (
          await t.db
            .selectFrom('outbound_email')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['pending', 'sending'])
            .executeTakeFirstOrThrow()
        ).n,
      ) +
      Number(
        (
          await t.db
            .selectFrom('reminder')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['scheduled', 'claimed'])
            .where('send_at', '<=', t.clock.now())
            .executeTakeFirstOrThrow()
        ).n,
      );
    try {
      // Every connection to the database is ended every few hundred milliseconds until the mail is out.
      let ended = 0;
      let terminations = 0;
      await eventually(async () => t.smtp.messages.length >= 1, 'the first email at the SMTP server', 40_000);
      while (t.smtp.messages.length < EXTRA && terminations < 200) {
        ended += await terminateConnections(database);
        terminations += 1;
        await sleep(150);
      }
      expect(ended).toBeGreaterThan(0);
      await eventually(async () => (await unfinished().catch(() => 1)) === 0, 'every due reminder delivered', 45_000);
    } finally {
      running = false;
      await Promise.all(workers);
      second.mail.close();
    }

    expect(uncaught).toEqual([]);
    // The only failures a job met were lost connections (each retried on the next tick).
    expect(jobErrors.filter((err) => !isConnectionError(err))).toEqual([]);
    const reminders = await t.db.selectFrom('outbound_email').select(['message_id', 'to_address', 'status']).where('kind', '=', 'reminder_portfolio').execute();
    expect(reminders.length).toBe(EXTRA + 2); // the Detroit students: student1, student12 and the extra ones
    expect(reminders.every((r) => r.status === 'sent')).toBe(true);
    const copies = new Map<string, number>();
    for (const m of t.smtp.messages) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...copies.keys()].sort()).toEqual(reminders.map((r) => r.message_id).sort());
  }, 90_000);
});
