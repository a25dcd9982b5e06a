import { loadConfig } from '../src/config';
import { postgresDatabase } from '../src/db/connect';
import { deliverDueEmails } from '../src/mail/outbox';
import { smtpSender } from '../src/mail/transport';
import { remindersRepository } from '../src/reminders/reminders.repository';
import { runReminders, type RunReport } from '../src/reminders/reminders.service';
import { BENCH_APPLICATION_NAME } from './database';

/**
 * The bench's reminder run, as a separate process (bench/reminder-run.ts starts it): what the
 * worker's two jobs do (src/worker/worker.ts: `reminders` then `deliver-email`), through the
 * same API, but run to completion with the work overlapped:
 *   - QUEUERS calls of runReminders at once (plan, claim in batches under SKIP LOCKED, render,
 *     hand to the outbox), as that many worker instances would;
 *   - LANES delivery loops (deliverDueEmails, batches of 100) that start at once and drain the
 *     outbox while it fills, through one pooled SMTP transport (SMTP_URL with ?pool=true).
 * Prints one JSON line: phase times (and wall-clock instants, so several of these processes
 * can be timed together) and the reports.
 *
 *   node --import tsx bench/reminder-worker.ts --now 2020-04-23T03:00:00Z [--lanes 8] [--queuers 2]
 */
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

async function main() {
  const now = new Date(arg('now', '2020-04-23T03:00:00Z'));
  const lanes = Number(arg('lanes', '8'));
  const queuers = Number(arg('queuers', '2'));
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.SMTP_URL) throw new Error('DATABASE_URL and SMTP_URL are required');
  // Named, so a bench that stops this process can also stop its statements in PostgreSQL.
  const url = new URL(config.DATABASE_URL);
  url.searchParams.set('application_name', BENCH_APPLICATION_NAME);
  const handle = postgresDatabase(url.toString(), lanes + queuers + 2);
  const mail = smtpSender(config.SMTP_URL);
  const startedAt = Date.now();
  const started = performance.now();
  let queueDone = false;
  let queueMs = 0;
  const reports: RunReport[] = [];
  const queue = Promise.all(
    Array.from({ length: queuers }, async () => {
      reports.push(await runReminders(handle.db, { now, offsets: config.reminderOffsetsDays, baseUrl: config.baseUrl }));
    }),
  ).finally(() => {
    queueDone = true;
    queueMs = performance.now() - started;
  });
  const delivered = { sent: 0, failed: 0, retried: 0 };
  const lane = async () => {
    for (;;) {
      const r = await deliverDueEmails(handle.db, mail, { from: config.MAIL_FROM, replyTo: config.MAIL_REPLY_TO, batchSize: 100, now });
      delivered.sent += r.sent;
      delivered.failed += r.failed;
      delivered.retried += r.retried;
      if (r.sent + r.failed + r.retried > 0) continue;
      if (queueDone) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await Promise.all([queue, ...Array.from({ length: lanes }, lane)]);
  // One more pass: anything enqueued after a lane's last empty claim.
  await lane();
  await remindersRepository.syncDeliveryOutcomes(handle.db);
  const totalMs = performance.now() - started;
  const queued = reports.reduce((a, r) => a + r.queued, 0);
  console.log(
    JSON.stringify({
      startedAt,
      endedAt: Date.now(),
      queueEndedAt: startedAt + queueMs,
      totalMs,
      queueMs,
      queued,
      delivered,
      plan: reports.map((r) => r.plan),
      claimed: reports.reduce((a, r) => a + r.claimed, 0),
      skipped: reports.reduce((a, r) => a + r.skipped, 0),
    }),
  );
  mail.close();
  await handle.close();
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
