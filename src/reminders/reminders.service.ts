import crypto from 'node:crypto';
import type { AppContext } from '../context';
import type { Db } from '../db/database';
import { renderReminderEmails, type ReminderEmail, type RenderResult } from './messages';
import { enqueueEmails } from '../mail/outbox-batch';
import { inTransaction } from '../db/transaction';
import { planIfChanged, type PlanReport } from './planner';
import { remindersRepository as repo, type Reminder } from './reminders.repository';

/**
 * One run of the reminder system as of `now` (the app clock: APP_NOW or --now), safe to run in
 * any number of workers at once:
 *   1. mirror the outbox's outcomes onto queued reminders (sent / failed with the SMTP reply);
 *   2. re-plan if anything that shapes the schedule changed;
 *   3. skip, in one statement, the due reminders that must not go out (too late, superseded);
 *   4. in batches: claim due reminders under a lease (FOR UPDATE SKIP LOCKED, short
 *      transaction), skip the ones too late or superseded, render the rest outside any
 *      transaction, then in a second short transaction re-check the claim and hand the emails
 *      to the outbox (unique dedupe key per reminder) and mark them queued.
 * A worker killed between 4's transactions leaves claimed rows whose lease runs out; the next
 * run claims them again. The outbox delivers after commit (the worker's deliver-email job).
 */
export interface RunOptions {
  now: Date;
  offsets: number[];
  baseUrl: string;
  batchSize?: number;
  leaseSeconds?: number;
  /** Called for every email handed to the outbox (the operator command lists them). */
  onQueued?: (email: ReminderEmail & { sendAt: Date }) => void;
}

export interface RunReport {
  plan: PlanReport;
  synced: number;
  claimed: number;
  skipped: number;
  queued: number;
  failed: number;
}

export const DEFAULT_BATCH_SIZE = 2000;
export const DEFAULT_LEASE_SECONDS = 300;

export async function runReminders(db: Db, opts: RunOptions): Promise<RunReport> {
  const synced = await repo.syncDeliveryOutcomes(db);
  const plan = await planIfChanged(db, opts.now, opts.offsets);
  const report: RunReport = { plan, synced, claimed: 0, skipped: 0, queued: 0, failed: 0 };
  report.skipped += await inTransaction(db, (trx) => repo.skipDueUnsendable(trx, opts.now));
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  for (;;) {
    const n = await sendOneBatch(db, opts, batchSize, report);
    if (n < batchSize) break;
  }
  return report;
}

async function sendOneBatch(db: Db, opts: RunOptions, batchSize: number, report: RunReport): Promise<number> {
  const token = crypto.randomUUID();
  const lease = opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const { claimed, toSend } = await inTransaction(db, async (trx) => {
    const rows = await repo.claimDue(trx, opts.now, token, batchSize, lease);
    const skipped = rows.length ? new Set(await repo.skipUnsendable(trx, token, opts.now)) : new Set<number>();
    report.skipped += skipped.size;
    return { claimed: rows.length, toSend: rows.filter((r) => !skipped.has(r.id)) };
  });
  report.claimed += claimed;
  if (toSend.length === 0) return claimed;
  const rendered = await renderReminderEmails(db, toSend, { baseUrl: opts.baseUrl, now: opts.now });
  const queued = await handOff(db, token, toSend, rendered, opts, report);
  if (opts.onQueued) {
    const sendAt = new Map(toSend.map((r) => [r.id, r.send_at]));
    for (const e of queued) opts.onQueued({ ...e, sendAt: sendAt.get(e.reminderId)! });
  }
  return claimed;
}

/** Reminders whose claim is still ours go to the outbox, exactly once per reminder (unique dedupe key). */
async function handOff(db: Db, token: string, claimed: Reminder[], rendered: RenderResult, opts: RunOptions, report: RunReport): Promise<ReminderEmail[]> {
  return inTransaction(db, async (trx) => {
    const ours = new Set(
      await repo.lockStillClaimed(
        trx,
        token,
        claimed.map((r) => r.id),
      ),
    );
    const mine = rendered.emails.filter((e) => ours.has(e.reminderId));
    const emailIds = await enqueueEmails(
      trx,
      mine.map((e) => ({
        kind: e.kind,
        userId: e.userId,
        to: e.to,
        subject: e.subject,
        text: e.text,
        html: e.html,
        headers: e.headers,
        dedupeKey: `reminder:${e.reminderId}`,
        baseUrl: opts.baseUrl,
      })),
    );
    await repo.markQueued(
      trx,
      token,
      mine.map((e) => ({ reminderId: e.reminderId, emailId: emailIds.get(`reminder:${e.reminderId}`)! })),
      opts.now,
    );
    const failures = rendered.failures.filter((f) => ours.has(f.reminderId));
    for (const f of failures) await repo.markFailedUnsent(trx, token, f.reminderId, f.error);
    report.failed += failures.length;
    report.queued += mine.length;
    return mine;
  });
}

/** The worker's job: one run as of the app clock, with the configured offsets. */
export function runRemindersJob(ctx: AppContext): Promise<RunReport> {
  return runReminders(ctx.db, { now: ctx.clock.now(), offsets: ctx.config.reminderOffsetsDays, baseUrl: ctx.config.baseUrl });
}

export const remindersService = Object.freeze({ runReminders, runRemindersJob });
