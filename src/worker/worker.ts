import type { AppContext } from '../context';
import { accountsService } from '../accounts/accounts.service';
import { throttle } from '../http/throttle';
import { describeConnectionError, isConnectionError } from '../db/connection-errors';
import { deliverDueEmails } from '../mail/outbox';
import type { ListHeaderOptions } from '../mail/unsubscribe';
import { usersRepository } from '../accounts/users.repository';
import { courseRepository } from '../course/course.repository';
import { runRemindersJob } from '../reminders/reminders.service';
import { runDigestsJob } from '../digest/digest.service';
import { runQueuedImports } from '../roster/roster-import.service';
import { launchService } from '../lti/launch.service';
import { agsService } from '../lti/ags/ags.service';

/**
 * The background worker: on each tick it runs every job in order. Jobs are safe to run in
 * several processes at once (each claims its work with FOR UPDATE SKIP LOCKED), so every app
 * instance may run one. Add a feature's job to `jobs`.
 */
export type Job = { name: string; run: (ctx: AppContext, signal: AbortSignal) => Promise<unknown> };

export const jobs: Job[] = [
  { name: 'reminders', run: (ctx) => runRemindersJob(ctx) },
  {
    name: 'password-resets',
    run: (ctx) => ctx.db.transaction().execute((trx) => accountsService.answerPasswordResets(trx, ctx.config.baseUrl, ctx.clock.now())),
  },
  { name: 'throttle-housekeeping', run: (ctx) => throttle.prune(ctx.db) },
  { name: 'lti-housekeeping', run: (ctx) => launchService.forgetExpired(ctx.db, ctx.clock.now()) },
  { name: 'roster-imports', run: (ctx) => runQueuedImports(ctx) },
  { name: 'digest', run: (ctx) => runDigestsJob(ctx) },
  { name: 'lti-scores', run: (ctx, signal) => agsService.runScorePostsJob(ctx, signal) },
  {
    name: 'deliver-email',
    run: async (ctx, signal) => {
      const report = await deliverDueEmails(ctx.db, ctx.mail, {
        from: ctx.config.MAIL_FROM,
        replyTo: ctx.config.MAIL_REPLY_TO,
        now: ctx.clock.now(),
        signal,
        lists: listHeaderOptions(ctx),
      });
      if (report.lostClaims)
        ctx.log('info', `deliver-email: ${report.lostClaims} message(s) were taken over by another worker after this one's lease ran out; left to it`);
      if (report.released) ctx.log('info', `deliver-email: handed ${report.released} unsent message(s) back to the outbox`);
      return report;
    },
  },
];

/** List headers for the outbox: unsubscribe links signed with the session secret, a List-Id per course (`<slug.host>`). */
function listHeaderOptions(ctx: AppContext): ListHeaderOptions {
  const host = new URL(ctx.config.baseUrl).hostname;
  const lists = new Map<number, Promise<{ id: string; name: string } | null>>();
  const listOfOffering = async (offeringId: number) => {
    const o = await courseRepository.offering(ctx.db, offeringId);
    return o ? { id: `${o.slug}.${host}`, name: `${o.code} ${o.title}` } : null;
  };
  return {
    baseUrl: ctx.config.baseUrl,
    secret: ctx.config.sessionSecret,
    mailto: ctx.config.UNSUBSCRIBE_MAILTO,
    listOf: async (userId) => {
      const offeringId = (await usersRepository.findById(ctx.db, userId))?.offering_id;
      if (offeringId == null) return null;
      if (!lists.has(offeringId)) lists.set(offeringId, listOfOffering(offeringId));
      return lists.get(offeringId)!;
    },
  };
}

/** Runs every job once; `signal` asks the jobs to stop between units of work (a shutdown). */
export async function runJobsOnce(ctx: AppContext, signal: AbortSignal = new AbortController().signal): Promise<void> {
  for (const job of jobs) {
    if (signal.aborted) return;
    try {
      await job.run(ctx, signal);
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
  private readonly stopping = new AbortController();

  constructor(
    private readonly ctx: AppContext,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.current = runJobsOnce(this.ctx, this.stopping.signal).finally(() => {
        this.current = null;
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 200);
  }

  /**
   * Stops between units of work: the email being sent is finished and recorded, the rest of the
   * batch is handed back to the outbox (pending, unclaimed) for whoever runs next.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.current) await this.current;
  }
}
