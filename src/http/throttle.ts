import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * Throttles kept in PostgreSQL (table throttle_hit), so every app instance counts the same hits.
 * A rule allows `limit` hits per sliding window of `windowMinutes`, counted in one-minute buckets
 * (a burst cannot double up at a window's edge, as with fixed windows). Times are the database's
 * real clock, not APP_NOW: throttles protect accounts, not course dates.
 *
 * Keys must be normalized identities (src/accounts/identity.ts) or client addresses, never what
 * was typed: " Student@x " and "student@x" are one counter.
 */
export interface ThrottleRule {
  name: string;
  limit: number;
  windowMinutes: number;
}

export interface ThrottleTables {
  throttle_hit: { key: string; bucket: Date; hits: number };
}

const keyOf = (rule: ThrottleRule, subject: string) => `${rule.name}:${subject}`;

/** Hits in the rule's window for each subject; true when any has reached its limit. */
async function isBlocked(db: Db, checks: { rule: ThrottleRule; subject: string }[]): Promise<boolean> {
  if (!checks.length) return false;
  const rows = await db
    .selectFrom('throttle_hit')
    .select(['key', (eb) => eb.fn.sum<number>('hits').as('hits')])
    .where((eb) =>
      eb.or(
        checks.map(({ rule, subject }) =>
          eb.and([eb('key', '=', keyOf(rule, subject)), eb('bucket', '>', sql<Date>`now() - make_interval(mins => ${rule.windowMinutes})`)]),
        ),
      ),
    )
    .groupBy('key')
    .execute();
  const hits = new Map(rows.map((r) => [r.key, Number(r.hits)]));
  return checks.some(({ rule, subject }) => (hits.get(keyOf(rule, subject)) ?? 0) >= rule.limit);
}

/** Counts one hit against each subject. */
async function hit(db: Db, checks: { rule: ThrottleRule; subject: string }[]): Promise<void> {
  if (!checks.length) return;
  await db
    .insertInto('throttle_hit')
    .values(checks.map(({ rule, subject }) => ({ key: keyOf(rule, subject), bucket: sql<Date>`date_trunc('minute', now())`, hits: 1 })))
    .onConflict((oc) => oc.columns(['key', 'bucket']).doUpdateSet({ hits: sql<number>`throttle_hit.hits + 1` }))
    .execute();
}

/** Forgets buckets older than a day (the worker's housekeeping; no rule looks back further). */
async function prune(db: Db): Promise<number> {
  const r = await db
    .deleteFrom('throttle_hit')
    .where('bucket', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export const throttle = Object.freeze({ isBlocked, hit, prune });
