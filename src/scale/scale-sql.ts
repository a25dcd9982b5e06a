import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * What the scale seed's steps share. Every "random" choice is a slice of an md5 of the row's
 * key, so the same N gives the same data on every machine and every engine.
 */

/** 0..999, deterministic from a SQL expression and a salt. */
export const rnd = (expr: string, salt: string) => `(('x' || substr(md5((${expr})::text || '${salt}'), 1, 7))::bit(28)::int % 1000)`;

/** 0..999 from the n-th (0..3) 7-hex-digit slice of an md5 already computed in column `h`. */
export const slice = (h: string, n: 0 | 1 | 2 | 3) => `(('x' || substr(${h}, ${1 + 7 * n}, 7))::bit(28)::int % 1000)`;

/** The instant the seeded semester is shown as of (LeadEd503x Lesson 06 week); the bench pins APP_NOW to it. */
export const SCALE_AS_OF = '2020-04-15T15:00:00Z';

export interface StepContext {
  db: Db;
  offeringId: number;
  learners: number;
  /** Campus students among the learners (scale_student: the rest are community learners). */
  students: number;
  log: (line: string) => void;
}

/** Runs one set-based statement and logs its row count and time. */
export async function step(s: StepContext, label: string, statement: string): Promise<void> {
  const started = Date.now();
  const res = await sql.raw(statement).execute(s.db);
  s.log(`  ${label}: ${res.numAffectedRows ?? 0n} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Runs a statement that is not worth a log line (temporary tables). */
export async function exec(s: StepContext, statement: string): Promise<void> {
  await sql.raw(statement).execute(s.db);
}

/** The offering's portfolio requirement for one edX course, as a scalar subquery. */
export const requirementOf = (offeringId: number, edxCode: string) =>
  `(select pr.id from portfolio_requirement pr join edx_course c on c.id = pr.edx_course_id where c.offering_id = ${offeringId} and c.code = '${edxCode}')`;

/** The offering's instructor, as a scalar subquery. */
export const instructorOf = (offeringId: number) => `(select id from app_user where offering_id = ${offeringId} and role = 'instructor' order by id limit 1)`;
