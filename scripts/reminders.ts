import path from 'node:path';
import { buildContext, prepareDatabase } from '../src/bootstrap';
import { clockFromConfig, fixedClock } from '../src/clock';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { makeLogger } from '../src/context';
import { DataDirLockedError } from '../src/db/connect';
import { deliverDueEmails } from '../src/mail/outbox';
import { consoleSender, smtpSender, type MailSender } from '../src/mail/transport';
import { remindersRepository } from '../src/reminders/reminders.repository';
import { runReminders, type RunOptions, type RunReport } from '../src/reminders/reminders.service';
import { KIND_LABELS } from '../src/reminders/reminder-log.service';
import type { ReminderKind } from '../src/reminders/reminders.tables';

/**
 * `npm run reminders -- --now <ISO instant> [--dry-run]`: plans the reminder schedule and sends
 * every reminder due as of that instant, once (the same code the worker runs every tick).
 * --dry-run does all of it inside a transaction that is rolled back, and prints what it would
 * send. Without it, the emails go through the outbox to SMTP_URL (or, without SMTP_URL, to the
 * console and DATA_DIR/mail). On the embedded database it refuses to run while the app has it
 * open: stop the app, or use DATABASE_URL.
 */
const usage = 'Usage: npm run reminders -- --now 2020-02-19T14:00:00Z [--dry-run]';

function parseArgs(argv: string[]): { now?: string; dryRun: boolean } {
  const out: { now?: string; dryRun: boolean } = { dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--now') out.now = argv[++i];
    else if (a.startsWith('--now=')) out.now = a.slice('--now='.length);
    else if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new ConfigError(`Unknown argument ${a}\n${usage}`);
  }
  return out;
}

class DryRunRollback extends Error {}

/**
 * The operator command may send thousands at once: SMTP through a connection pool (unless
 * SMTP_URL chooses otherwise), and without SMTP_URL each email saved under DATA_DIR/mail without
 * being echoed (the list of what was queued is printed instead).
 */
function operatorMailSender(config: Config): MailSender {
  if (!config.SMTP_URL) return consoleSender(path.join(config.dataDir, 'mail'), () => undefined);
  const url = new URL(config.SMTP_URL);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', '4');
  return smtpSender(url.toString());
}

function line(e: Parameters<NonNullable<RunOptions['onQueued']>>[0]): string {
  return `  ${e.sendAt.toISOString()}  ${e.to.padEnd(28)}  ${e.subject}`;
}

async function nextUp(db: Parameters<typeof remindersRepository.upcoming>[0], now: Date): Promise<string> {
  const rows = await remindersRepository.upcoming(db, now, 6);
  if (!rows.length) return 'Nothing else is scheduled within the planning horizon.';
  const kind = (k: ReminderKind) => KIND_LABELS[k].toLowerCase();
  return `Next scheduled:\n${rows.map((r) => `  ${r.send_at.toISOString()}  ${Number(r.n)} ${kind(r.kind)} reminder${Number(r.n) === 1 ? '' : 's'}`).join('\n')}`;
}

function summary(r: RunReport): string {
  return [
    `  plan: ${r.plan.planned ? `re-planned (${r.plan.upserted} added or moved, ${r.plan.withdrawn} cancelled or skipped)` : 'unchanged'}`,
    `  due reminders claimed: ${r.claimed}; skipped (too late or superseded): ${r.skipped}; render failures: ${r.failed}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  let now: Date;
  try {
    now = args.now ? fixedClock(args.now).now() : clockFromConfig(config.APP_NOW).now();
  } catch {
    throw new ConfigError(`--now must be an ISO 8601 instant, e.g. 2020-02-19T14:00:00Z (got ${args.now})\n${usage}`);
  }
  const log = makeLogger(config.LOG_LEVEL);
  const handle = await prepareDatabase(config, log, { seed: true });
  const ctx = buildContext(config, handle, { clock: fixedClock(now), mail: operatorMailSender(config) });
  const queued: string[] = [];
  const opts: RunOptions = { now, offsets: config.reminderOffsetsDays, baseUrl: config.baseUrl, onQueued: (e) => queued.push(line(e)) };
  try {
    console.log(
      `Reminders as of ${now.toISOString()}${args.dryRun ? ' (dry run: nothing is saved or sent)' : ''}; offsets ${config.reminderOffsetsDays.join(', ')} days.`,
    );
    if (args.dryRun) {
      let report: RunReport | undefined;
      let next = '';
      await handle.db
        .transaction()
        .execute(async (trx) => {
          report = await runReminders(trx, opts);
          next = await nextUp(trx, now);
          throw new DryRunRollback();
        })
        .catch((err) => {
          if (!(err instanceof DryRunRollback)) throw err;
        });
      console.log(summary(report!));
      console.log(
        queued.length
          ? `Would send ${queued.length} reminder${queued.length === 1 ? '' : 's'} (due at, to, subject):\n${queued.sort().join('\n')}`
          : 'Nothing is due.',
      );
      console.log(next);
    } else {
      const report = await runReminders(handle.db, opts);
      console.log(summary(report));
      console.log(queued.length ? `Queued ${queued.length} reminder${queued.length === 1 ? '' : 's'}:\n${queued.sort().join('\n')}` : 'Nothing is due.');
      const delivered = await deliverAll(ctx);
      await remindersRepository.syncDeliveryOutcomes(handle.db);
      console.log(
        `Delivered ${delivered.sent} email${delivered.sent === 1 ? '' : 's'} via ${config.SMTP_URL ? 'SMTP_URL' : `the console (saved under ${config.dataDir}/mail)`}` +
          (delivered.failed ? `; ${delivered.failed} failed permanently (see /instructor/reminders)` : '') +
          (delivered.retried ? `; ${delivered.retried} will be retried by the worker` : '') +
          '.',
      );
      console.log(await nextUp(handle.db, now));
    }
  } finally {
    ctx.mail.close();
    await handle.close();
  }
}

/** Sends everything the outbox has due, with a few deliveries in flight at once. */
async function deliverAll(ctx: ReturnType<typeof buildContext>) {
  const total = { sent: 0, failed: 0, retried: 0 };
  const lane = async () => {
    for (;;) {
      const r = await deliverDueEmails(ctx.db, ctx.mail, {
        from: ctx.config.MAIL_FROM,
        replyTo: ctx.config.MAIL_REPLY_TO,
        batchSize: 100,
        now: ctx.clock.now(),
      });
      total.sent += r.sent;
      total.failed += r.failed;
      total.retried += r.retried;
      if (r.sent + r.failed + r.retried === 0) return;
    }
  };
  await Promise.all([lane(), lane(), lane(), lane(), lane(), lane(), lane(), lane()]);
  return total;
}

main().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof DataDirLockedError ? err.message : err);
  process.exit(1);
});
