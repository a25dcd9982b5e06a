import type { AppContext } from '../../context';
import type { Db } from '../../db/database';
import { currentToolKey, type ToolKey } from '../tool-keys';
import { agsRepository as repo, type ClaimedPost, type Outcome, type SU } from './ags.repository';
import { postScore, requestAccessToken, SCORE_SCOPE, type Answer } from './score-client';

/**
 * Grades back to the platform (issue 18; LTI Assignment and Grade Services, score publish only).
 *
 * A launch names the AGS line item of the learner's portfolio (`recordGradeTarget`). When the
 * instructor changes a portfolio's S/U grade (the first grade, or S↔U; a feedback-only edit sends
 * nothing), `queueScores` writes one pending `lti_score_post` per line item that accepts scores,
 * inside the grading transaction (S = 1, U = 0, out of 1). The worker job `lti-scores` sends them
 * after commit: an access token (client credentials, JWT assertion signed with the tool key), then
 * the score to `<lineitem>/scores`, nowhere else.
 *
 * Exactly once: posts are claimed with FOR UPDATE SKIP LOCKED and a lease, renewed just before the
 * send; an outcome is recorded only under the claim that sent it. The one window left (the
 * platform accepted, the process died before recording) sends the same score again after the
 * lease: the same timestamp, harmless to the platform.
 *
 * Retries: no answer, 408, 429 and 5xx are retried after 1 min, 5 min, 30 min, 2 h, then every
 * 4 h (on the app clock, like the course's own times); after 8 attempts, or at once on any other
 * 4xx (or a learner with no link to the platform), the post is failed and the gradebook shows the
 * platform's answer.
 *
 * The newest grade wins: a pending post that a newer grade replaced is not sent (it is closed as
 * status `sent` with no `sent_at` and a `last_answer` saying so: nothing is left to do for it, and
 * it is not a failure to retry), and a newer post waits while an older one is in flight, so the
 * platform always ends with the newest grade.
 */
const SCORE_GIVEN: Record<SU, number> = { S: 1, U: 0 };
const BACKOFF_MINUTES = [1, 5, 30, 120, 240];
export const MAX_ATTEMPTS = 8;
const CLAIM_LEASE_SECONDS = 120;
/** Longer than a token request and a post can take together (each bounded to 10 s). */
const SEND_LEASE_SECONDS = 60;

function isWebUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(u.hostname));
  } catch {
    return false;
  }
}

/**
 * Keeps the line item a launch named for this learner's portfolio (the only place its scores go).
 * A line item that is not an https:// URL (http:// only on localhost) is not kept, and the launch
 * goes on: false says so.
 */
async function recordGradeTarget(
  db: Db,
  input: { userId: number; requirementId: number; platformId: number; lineitem: string; scopes: string[]; now: Date },
): Promise<boolean> {
  if (!isWebUrl(input.lineitem)) return false;
  await repo.upsertGradeTarget(db, { ...input, canPostScores: input.scopes.includes(SCORE_SCOPE) });
  return true;
}

/**
 * Inside the grading transaction: queues the new grade for every line item of this student's
 * portfolio when the grade itself changed. Returns how many posts were queued.
 */
async function queueScores(
  trx: Db,
  input: { gradeEventId: number; userId: number; requirementId: number; grade: SU; previousGrade: SU | null; gradedAt: Date; now: Date },
): Promise<number> {
  if (input.previousGrade === input.grade) return 0;
  const queued = await repo.insertPosts(trx, { ...input, scoreGiven: SCORE_GIVEN[input.grade] });
  if (queued.length) await repo.supersedeOlder(trx, { userId: input.userId, requirementId: input.requirementId });
  return queued.length;
}

const retryable = (status: number | null) => status === null || status === 408 || status === 429 || status >= 500;

function outcomeOf(answer: Answer, attempts: number, now: Date): Outcome {
  if (answer.ok) return { status: 'sent', lastStatus: answer.status!, lastAnswer: answer.text, at: now };
  const minutes = BACKOFF_MINUTES[Math.min(attempts, BACKOFF_MINUTES.length) - 1];
  return {
    status: retryable(answer.status) && attempts < MAX_ATTEMPTS ? 'pending' : 'failed',
    lastStatus: answer.status,
    lastAnswer: answer.text,
    nextAttemptAt: new Date(now.getTime() + minutes * 60_000),
  };
}

export interface ScoreRunReport {
  sent: number;
  retried: number;
  failed: number;
  superseded: number;
  lostClaims: number;
}

/** Sends one claimed post (the claim renewed first); says how it ended. */
async function send(
  db: Db,
  post: ClaimedPost,
  tokens: Map<number, Promise<{ token: string } | { refused: Answer }>>,
  key: () => Promise<ToolKey>,
  now: Date,
  signal: AbortSignal,
) {
  const turn = await repo.startAttempt(db, post, SEND_LEASE_SECONDS);
  if (!turn) return 'lost' as const;
  const sub = await repo.subOf(db, post.user_id, post.platform_id);
  const platform = await repo.platformOf(db, post.platform_id);
  let answer: Answer;
  if (!sub)
    answer = {
      ok: false,
      status: null,
      text: 'Not sent: this student has no linked account on this platform (no launch from it yet), so the score has no userId.',
    };
  else if (!platform) answer = { ok: false, status: null, text: 'Not sent: the platform is no longer registered.' };
  else {
    if (!tokens.has(platform.id))
      tokens.set(
        platform.id,
        key().then((k) => requestAccessToken(platform, k, now, signal)),
      );
    const token = await tokens.get(platform.id)!;
    answer =
      'refused' in token
        ? token.refused
        : await postScore(post.lineitem, token.token, { userId: sub, scoreGiven: Number(post.score_given), gradedAt: post.graded_at }, signal);
  }
  // No link or no platform: nothing a retry would change.
  const outcome = outcomeOf(answer, !sub || !platform ? MAX_ATTEMPTS : turn.attempts, now);
  if (!(await repo.recordOutcome(db, turn, outcome))) return 'lost' as const;
  return outcome.status === 'pending' ? ('retried' as const) : outcome.status;
}

/** The worker job: sends due score posts (see above). Stops between posts when asked to. */
async function runScorePostsJob(ctx: AppContext, signal: AbortSignal = new AbortController().signal): Promise<ScoreRunReport> {
  const db = ctx.db;
  const now = ctx.clock.now();
  const report: ScoreRunReport = { sent: 0, retried: 0, failed: 0, superseded: await repo.supersedeOlder(db), lostClaims: 0 };
  const claimed = await repo.claimDue(db, { now, batch: 50, leaseSeconds: CLAIM_LEASE_SECONDS });
  if (claimed.length === 0) return report;
  const tokens = new Map<number, Promise<{ token: string } | { refused: Answer }>>();
  let toolKey: Promise<ToolKey> | null = null;
  const key = () => (toolKey ??= currentToolKey(db, now));
  let i = 0;
  try {
    for (; i < claimed.length && !signal.aborted; i++) {
      const ended = await send(db, claimed[i], tokens, key, now, signal);
      if (ended === 'lost') report.lostClaims += 1;
      else report[ended] += 1;
    }
  } finally {
    // Asked to stop, or a send threw: hand back what was not tried (one mid-send keeps its renewed lease until it runs out).
    await repo.release(db, claimed.slice(i)).catch(() => undefined);
  }
  if (report.failed) ctx.log('info', `lti-scores: ${report.failed} score post(s) failed; the gradebook shows the platform's answer`);
  return report;
}

export interface ScoreStatus {
  status: 'sent' | 'pending' | 'failed';
  /** Sent: when; pending: the next try; failed: null. */
  at: Date | null;
  attempts: number;
  lastStatus: number | null;
  lastAnswer: string | null;
}

/**
 * The latest score post per student and portfolio, keyed `userId:requirementId`, for the
 * gradebook: one statement for a page of students and any number of portfolios.
 */
async function scoreStatuses(db: Db, userIds: number[], requirementId: number | number[]): Promise<Map<string, ScoreStatus>> {
  const rows = await repo.latestPosts(db, userIds, Array.isArray(requirementId) ? requirementId : [requirementId]);
  return new Map(
    rows.map((r) => [
      `${r.user_id}:${r.requirement_id}`,
      {
        status: r.status,
        at: r.status === 'sent' ? r.sent_at : r.status === 'pending' ? r.next_attempt_at : null,
        attempts: r.attempts,
        lastStatus: r.last_status,
        lastAnswer: r.last_answer,
      },
    ]),
  );
}

export const agsService = Object.freeze({ recordGradeTarget, queueScores, runScorePostsJob, scoreStatuses });
