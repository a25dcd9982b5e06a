import type { AppContext } from '../context';
import { describeConnectionError, isConnectionError } from '../db/connection-errors';
import { deliverDueEmails } from '../mail/outbox';
import { runRemindersJob } from '../reminders/reminders.service';

/**
 * The background worker: on each tick it runs every job in order. Jobs are safe to run in
 * several processes at once (each claims its work with FOR UPDATE SKIP LOCKED), so every app
 * instance may run one. Add a feature's job to `jobs`.
 */
export type Job = { name: string; run: (ctx: AppContext) => Promise<unknown> };

export const jobs: Job[] = [
  { name: 'reminders', run: (ctx) => runRemindersJob(ctx) },
  {
    name: 'deliver-email',
    run: (ctx) => deliverDueEmails(ctx.db, ctx.mail, { from: ctx.config.MAIL_FROM, replyTo: ctx.config.MAIL_REPLY_TO, now: ctx.clock.now() }),
  },
];

export async function runJobsOnce(ctx: AppContext): Promise<void> {
  for (const job of jobs) {
    try {
      await job.run(ctx);
    } catch (err) {
      // The job's claims are leased: what it did not finish is taken up again on a later tick.
      if (isConnectionError(err)) ctx.log('error', `worker job ${job.name} failed, database unavailable (retried next tick): ${describeConnectionError(err)}`);
      else ctx.log('error', `worker job ${job.name} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
}

export class Worker {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.current = runJobsOnce(this.ctx).finally(() => {
        this.current = null;
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 200);
  }

  /** Stops after the job in progress finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.current) await this.current;
  }
}
