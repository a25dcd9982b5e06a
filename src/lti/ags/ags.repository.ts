import { sql, type ExpressionBuilder } from 'kysely';
import { anyOf } from '../../db/any';
import type { Database, Db } from '../../db/database';

/**
 * Every statement on `lti_grade_target` and `lti_score_post` (src/lti/ owns them). Claims follow
 * the outbox (src/mail/outbox.ts): FOR UPDATE SKIP LOCKED and a lease on the database's clock.
 * The lease end is truncated to milliseconds so it comes back into JavaScript exactly and serves as
 * the claim's token: an outcome is recorded only where `claimed_until` is still this run's.
 */
type Eb = ExpressionBuilder<Database, 'lti_score_post'>;

export type SU = 'S' | 'U';

export interface GradeTarget {
  userId: number;
  requirementId: number;
  platformId: number;
  lineitem: string;
  canPostScores: boolean;
  now: Date;
}

async function upsertGradeTarget(db: Db, t: GradeTarget): Promise<void> {
  await db
    .insertInto('lti_grade_target')
    .values({
      user_id: t.userId,
      requirement_id: t.requirementId,
      platform_id: t.platformId,
      lineitem: t.lineitem,
      can_post_scores: t.canPostScores,
      updated_at: t.now,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'requirement_id', 'platform_id']).doUpdateSet((eb) => ({
        lineitem: eb.ref('excluded.lineitem'),
        can_post_scores: eb.ref('excluded.can_post_scores'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** One pending post per line item of this student's portfolio that accepts scores; idempotent per (grade event, platform). */
async function insertPosts(db: Db, p: { gradeEventId: number; userId: number; requirementId: number; scoreGiven: number; gradedAt: Date; now: Date }) {
  return db
    .insertInto('lti_score_post')
    .columns(['grade_event_id', 'user_id', 'requirement_id', 'platform_id', 'lineitem', 'score_given', 'graded_at', 'next_attempt_at', 'created_at'])
    .expression(
      db
        .selectFrom('lti_grade_target as t')
        .select((eb) => [
          eb.val(p.gradeEventId).as('grade_event_id'),
          't.user_id',
          't.requirement_id',
          't.platform_id',
          't.lineitem',
          eb.val(p.scoreGiven).as('score_given'),
          eb.val(p.gradedAt).as('graded_at'),
          eb.val(p.now).as('next_attempt_at'),
          eb.val(p.now).as('created_at'),
        ])
        .where('t.user_id', '=', p.userId)
        .where('t.requirement_id', '=', p.requirementId)
        .where('t.can_post_scores', '=', true),
    )
    .onConflict((oc) => oc.columns(['grade_event_id', 'platform_id']).doNothing())
    .returning('id')
    .execute();
}

const newerExists = (eb: Eb) =>
  eb.exists(
    eb
      .selectFrom('lti_score_post as newer')
      .select('newer.id')
      .whereRef('newer.user_id', '=', 'lti_score_post.user_id')
      .whereRef('newer.requirement_id', '=', 'lti_score_post.requirement_id')
      .whereRef('newer.platform_id', '=', 'lti_score_post.platform_id')
      .whereRef('newer.id', '>', 'lti_score_post.id'),
  );

const notInFlight = (eb: Eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', sql<Date>`now()`)]);

/**
 * Pending posts that a newer grade replaced, and that no worker is sending right now: done, not
 * sent (status `sent` with no `sent_at`, saying why). Optionally for one student's portfolio only.
 */
async function supersedeOlder(db: Db, only?: { userId: number; requirementId: number }): Promise<number> {
  let q = db
    .updateTable('lti_score_post')
    .set({ status: 'sent', sent_at: null, claimed_until: null, last_answer: 'Not sent: a newer grade replaced it before it went out.' })
    .where('status', '=', 'pending')
    .where(notInFlight)
    .where(newerExists);
  if (only) q = q.where('user_id', '=', only.userId).where('requirement_id', '=', only.requirementId);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/**
 * Claims due posts for `leaseSeconds`: pending, due on the app clock, not leased, the newest for
 * its student, portfolio and platform, and with no older post for the same still in flight (so
 * the platform receives grades in the order they were given).
 */
async function claimDue(db: Db, opts: { now: Date; batch: number; leaseSeconds: number }) {
  return db
    .updateTable('lti_score_post')
    .set({ claimed_until: sql<Date>`date_trunc('milliseconds', now() + make_interval(secs => ${opts.leaseSeconds}))` })
    .where(
      'id',
      'in',
      db
        .selectFrom('lti_score_post')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', opts.now)
        .where(notInFlight)
        .where((eb) => eb.not(newerExists(eb)))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('lti_score_post as older')
                .select('older.id')
                .whereRef('older.user_id', '=', 'lti_score_post.user_id')
                .whereRef('older.requirement_id', '=', 'lti_score_post.requirement_id')
                .whereRef('older.platform_id', '=', 'lti_score_post.platform_id')
                .whereRef('older.id', '<', 'lti_score_post.id')
                .where('older.status', '=', 'pending')
                .where('older.claimed_until', '>', sql<Date>`now()`),
            ),
          ),
        )
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(opts.batch)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'user_id', 'platform_id', 'lineitem', 'score_given', 'graded_at', 'attempts', 'claimed_until'])
    .execute()
    .then((rows) => rows.sort((a, b) => a.id - b.id));
}

export type ClaimedPost = Awaited<ReturnType<typeof claimDue>>[number];

const ours = (post: ClaimedPost) => (eb: Eb) => eb.and([eb('id', '=', post.id), eb('claimed_until', '=', post.claimed_until), eb('status', '=', 'pending')]);

/** Still ours? Renew the lease for one send (longer than the token request and the post can take) and count the attempt. */
async function startAttempt(db: Db, post: ClaimedPost, leaseSeconds: number): Promise<ClaimedPost | undefined> {
  const row = await db
    .updateTable('lti_score_post')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      claimed_until: sql<Date>`date_trunc('milliseconds', now() + make_interval(secs => ${leaseSeconds}))`,
    }))
    .where(ours(post))
    .returning(['attempts', 'claimed_until'])
    .executeTakeFirst();
  return row ? { ...post, ...row } : undefined;
}

export type Outcome =
  | { status: 'sent'; lastStatus: number; lastAnswer: string; at: Date }
  | { status: 'pending' | 'failed'; lastStatus: number | null; lastAnswer: string; nextAttemptAt: Date };

/** Records what the platform answered, only while the claim is still ours; false when it was taken over. */
async function recordOutcome(db: Db, post: ClaimedPost, outcome: Outcome): Promise<boolean> {
  const common = { claimed_until: null, last_status: outcome.lastStatus, last_answer: outcome.lastAnswer };
  const r = await db
    .updateTable('lti_score_post')
    .set(
      outcome.status === 'sent'
        ? { ...common, status: 'sent', sent_at: outcome.at }
        : { ...common, status: outcome.status, next_attempt_at: outcome.nextAttemptAt },
    )
    .where(ours(post))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Claimed and not tried (the run was asked to stop): unleased, due as before. */
async function release(db: Db, posts: ClaimedPost[]): Promise<void> {
  for (const post of posts) await db.updateTable('lti_score_post').set({ claimed_until: null }).where(ours(post)).execute();
}

/** The platform's token URL and the tool's client id there, and the learner's `sub` on it. */
async function platformOf(db: Db, platformId: number) {
  return db.selectFrom('lti_platform').select(['id', 'token_url', 'client_id']).where('id', '=', platformId).executeTakeFirst();
}

async function subOf(db: Db, userId: number, platformId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('lti_user_link')
    .select('sub')
    .where('user_id', '=', userId)
    .where('platform_id', '=', platformId)
    .orderBy('last_launch_at', 'desc')
    .executeTakeFirst();
  return row?.sub;
}

/** The latest post per student and portfolio, for these students and portfolios: one statement. */
async function latestPosts(db: Db, userIds: number[], requirementIds: number[]) {
  if (userIds.length === 0 || requirementIds.length === 0) return [];
  return db
    .selectFrom('lti_score_post')
    .distinctOn(['user_id', 'requirement_id'])
    .select(['user_id', 'requirement_id', 'status', 'attempts', 'sent_at', 'next_attempt_at', 'last_status', 'last_answer'])
    .where('user_id', '=', anyOf(userIds))
    .where('requirement_id', '=', anyOf(requirementIds))
    .orderBy('user_id')
    .orderBy('requirement_id')
    .orderBy('id', 'desc')
    .execute();
}

export const agsRepository = Object.freeze({
  upsertGradeTarget,
  insertPosts,
  supersedeOlder,
  claimDue,
  startAttempt,
  recordOutcome,
  release,
  platformOf,
  subOf,
  latestPosts,
});
