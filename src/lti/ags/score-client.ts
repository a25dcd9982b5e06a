import crypto from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import type { ToolKey } from '../tool-keys';

/**
 * The two HTTP exchanges of an AGS score post (LTI Advantage, IMS Assignment and Grade Services
 * 2.0): an access token by OAuth 2 client credentials with a JWT client assertion signed by the
 * tool's key (IMS Security Framework §4.1), then the score itself to `<lineitem>/scores`.
 * Every request is bounded (10 s) and never follows a redirect: a score goes only to its line item.
 */
export const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const SCORE_CONTENT_TYPE = 'application/vnd.ims.lis.v1.score+json';
const TIMEOUT_MS = 10_000;
const ANSWER_MAX = 500;

/** What the platform said, kept for the gradebook; `status` null when no answer came (network, timeout). */
export interface Answer {
  ok: boolean;
  status: number | null;
  text: string;
}

export interface Score {
  userId: string;
  scoreGiven: number;
  gradedAt: Date;
}

/** The score URL: the line item's path with `/scores` appended, its query string kept after. */
export function scoresUrl(lineitem: string): string {
  const url = new URL(lineitem);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  url.hash = '';
  return url.toString();
}

const truncate = (text: string) => (text.length > ANSWER_MAX ? `${text.slice(0, ANSWER_MAX - 1)}…` : text);

async function exchange(url: string, init: RequestInit, signal?: AbortSignal): Promise<Answer & { body: string }> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  try {
    const res = await fetch(url, { ...init, redirect: 'manual', signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
    const body = await res.text();
    return { ok: res.status >= 200 && res.status < 300, status: res.status, text: truncate(`${res.status} ${body}`.trim()), body };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, status: null, text: truncate(`Could not reach ${new URL(url).host}: ${why}`), body: '' };
  }
}

/** A bearer token for the score scope, or the platform's refusal. */
export async function requestAccessToken(
  platform: { token_url: string; client_id: string },
  key: ToolKey,
  now: Date,
  signal?: AbortSignal,
): Promise<{ token: string } | { refused: Answer }> {
  const iat = Math.floor(now.getTime() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(platform.client_id)
    .setSubject(platform.client_id)
    .setAudience(platform.token_url)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 300)
    .setJti(crypto.randomUUID())
    .sign(await importJWK(key.privateJwk, 'RS256'));
  const answer = await exchange(
    platform.token_url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: SCORE_SCOPE,
      }).toString(),
    },
    signal,
  );
  if (!answer.ok) return { refused: { ...answer, text: truncate(`Access token refused: ${answer.text}`) } };
  let token: unknown;
  try {
    token = (JSON.parse(answer.body) as { access_token?: unknown }).access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '')
    return { refused: { ok: false, status: answer.status, text: truncate(`No access token in the answer: ${answer.text}`) } };
  return { token };
}

/** Posts one score to `<lineitem>/scores` (and nowhere else). */
export async function postScore(lineitem: string, token: string, score: Score, signal?: AbortSignal): Promise<Answer> {
  const { body: _body, ...answer } = await exchange(
    scoresUrl(lineitem),
    {
      method: 'POST',
      headers: { 'content-type': SCORE_CONTENT_TYPE, authorization: `Bearer ${token}` },
      body: JSON.stringify({
        userId: score.userId,
        scoreGiven: score.scoreGiven,
        scoreMaximum: 1,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: score.gradedAt.toISOString(),
      }),
    },
    signal,
  );
  return answer;
}
