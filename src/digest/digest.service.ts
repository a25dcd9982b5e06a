import { usersRepository } from '../accounts/users.repository';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { inTransaction } from '../db/transaction';
import { enqueueEmail } from '../mail/outbox';
import { localDateOf, localInstant, withDateLanguage } from '../time';
import { renderDigest } from './digest-email';
import { factCount, gatherDigestFacts } from './digest-facts';
import { digestRepository } from './digest.repository';
import type { DigestOutcome } from './digest.tables';

/**
 * The instructor's daily digest (issue 16). At every worker tick, for each active instructor: if
 * it is 08:00 or later on their own clock (their zone, the app clock's now) and that local date
 * has no run yet, one transaction takes the day's run (digest_run's primary key, ON CONFLICT DO
 * NOTHING: of several app instances only one wins), gathers what happened in the window since the
 * previous run's end (24 hours for a first run) and queues one email through the outbox (dedupe
 * key digest:<instructor>:<date>). A worker that was down at 08:00 sends at its next tick that
 * day; a day with nothing, or an instructor who opted out, records the run and sends nothing, so
 * the next window starts where this one ended.
 */
export const DIGEST_AT = '08:00';
const FIRST_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Instructor {
  id: number;
  name: string;
  email: string;
  time_zone: string;
  offering_id: number;
  digest_emails: boolean;
  date_language: string;
}

export interface DigestRunResult {
  instructorId: number;
  localDate: string;
  outcome: DigestOutcome | 'taken' | 'not_yet';
  outboundEmailId?: number | null;
}

/** One instructor's digest as of `now`: not yet (before 08:00 local, or done today), taken by another worker, or run. */
export async function runDigestFor(db: Db, instructor: Instructor, now: Date, baseUrl: string): Promise<DigestRunResult> {
  const zone = instructor.time_zone;
  const localDate = localDateOf(now, zone);
  const base = { instructorId: instructor.id, localDate };
  if (now < localInstant(localDate, DIGEST_AT, zone)) return { ...base, outcome: 'not_yet' };
  if (await digestRepository.exists(db, instructor.id, localDate)) return { ...base, outcome: 'not_yet' };
  return inTransaction(db, async (trx) => {
    const previous = await digestRepository.previous(trx, instructor.id, localDate);
    const windowEnd = now;
    // A previous run's end after now only happens when the clock was moved back: start a fresh day then.
    const windowStart = previous && previous.windowEnd <= now ? previous.windowEnd : new Date(now.getTime() - FIRST_WINDOW_MS);
    if (!(await digestRepository.claim(trx, { instructorId: instructor.id, localDate, windowStart, windowEnd }))) return { ...base, outcome: 'taken' };
    const facts = await gatherDigestFacts(trx, instructor.offering_id, { from: windowStart, to: windowEnd }, previous ? previous.behindUserIds : null);
    let outcome: DigestOutcome = 'nothing_new';
    let outboundEmailId: number | null = null;
    if (factCount(facts) > 0 && !instructor.digest_emails) outcome = 'opted_out';
    else if (factCount(facts) > 0) {
      const offering = await courseRepository.offering(trx, instructor.offering_id);
      // Written in the instructor's language of dates (src/time.ts).
      const message = await withDateLanguage(instructor.date_language, () =>
        renderDigest(facts, {
          courseCode: offering?.code ?? 'Course',
          courseTitle: offering?.title ?? '',
          instructorName: instructor.name,
          zone,
          localDate,
          windowStart,
          windowEnd,
          baseUrl,
        }),
      );
      outboundEmailId = await enqueueEmail(trx, {
        kind: 'digest',
        userId: instructor.id,
        to: instructor.email,
        subject: message.subject,
        text: message.text,
        html: message.html,
        dedupeKey: `digest:${instructor.id}:${localDate}`,
        baseUrl,
      });
      outcome = 'queued';
    }
    await digestRepository.record(trx, instructor.id, localDate, { behindUserIds: facts.behindNow, outcome, outboundEmailId });
    return { ...base, outcome, outboundEmailId };
  });
}

/** The worker's job: every active instructor's digest as of the app clock. One instructor's failure does not stop the others. */
export async function runDigestsJob(ctx: AppContext): Promise<DigestRunResult[]> {
  const now = ctx.clock.now();
  const results: DigestRunResult[] = [];
  for (const instructor of await usersRepository.activeInstructors(ctx.db)) {
    try {
      results.push(await runDigestFor(ctx.db, instructor, now, ctx.config.baseUrl));
    } catch (err) {
      ctx.log('error', `digest for instructor ${instructor.id} failed (retried next tick): ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  return results;
}
