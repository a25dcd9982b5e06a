import type { Db } from '../db/database';
import type { DigestOutcome } from './digest.tables';

/**
 * The instructor's daily digest runs (src/digest/ owns digest_run). A run's row is the
 * exactly-once guard: `claim` inserts it ON CONFLICT DO NOTHING, inside the transaction that
 * queues the email, so of several workers (one per app instance) only one digests a day.
 */
export interface PreviousRun {
  localDate: string;
  windowEnd: Date;
  behindUserIds: number[];
}

async function exists(db: Db, instructorId: number, localDate: string): Promise<boolean> {
  const row = await db
    .selectFrom('digest_run')
    .select('instructor_id')
    .where('instructor_id', '=', instructorId)
    .where('local_date', '=', localDate)
    .executeTakeFirst();
  return !!row;
}

/** The latest run before `localDate`: where the next window starts, and who it counted as behind. */
async function previous(db: Db, instructorId: number, localDate: string): Promise<PreviousRun | null> {
  const row = await db
    .selectFrom('digest_run')
    .select(['local_date', 'window_end', 'behind_user_ids'])
    .where('instructor_id', '=', instructorId)
    .where('local_date', '<', localDate)
    .orderBy('local_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const ids = Array.isArray(row.behind_user_ids) ? (row.behind_user_ids as unknown[]).map(Number) : [];
  return { localDate: row.local_date, windowEnd: row.window_end, behindUserIds: ids };
}

/**
 * Takes the day's run: true when this transaction inserted it, false when a run for that day
 * exists (another worker's, committed; or one waits here until the other's commits or rolls back).
 */
async function claim(db: Db, run: { instructorId: number; localDate: string; windowStart: Date; windowEnd: Date }): Promise<boolean> {
  const row = await db
    .insertInto('digest_run')
    .values({
      instructor_id: run.instructorId,
      local_date: run.localDate,
      window_start: run.windowStart,
      window_end: run.windowEnd,
      outcome: 'nothing_new',
    })
    .onConflict((oc) => oc.columns(['instructor_id', 'local_date']).doNothing())
    .returning('instructor_id')
    .executeTakeFirst();
  return !!row;
}

/** What the claimed run found: the students behind by 2+ now, the outcome, the outbox message if any. */
async function record(
  db: Db,
  instructorId: number,
  localDate: string,
  r: { behindUserIds: number[]; outcome: DigestOutcome; outboundEmailId: number | null },
): Promise<void> {
  await db
    .updateTable('digest_run')
    .set({ behind_user_ids: JSON.stringify(r.behindUserIds), outcome: r.outcome, outbound_email_id: r.outboundEmailId })
    .where('instructor_id', '=', instructorId)
    .where('local_date', '=', localDate)
    .execute();
}

export const digestRepository = Object.freeze({ exists, previous, claim, record });
