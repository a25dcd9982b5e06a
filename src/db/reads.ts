import type { SelectQueryBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from './database';

/**
 * A read: one SELECT and how its rows become the answer, kept together by the module that owns
 * the data. Alone (`readOne`) it is one query; the independent reads of one page run together
 * (`readTogether`) in one statement — one round trip to the database instead of one each, which
 * on a busy page is most of what a query costs the app.
 *
 * Rows always arrive as JSON (each read is a `json_agg` column), alone or together, so a read's
 * `shape` sees one form either way: numbers and strings as they are, dates as 'YYYY-MM-DD',
 * timestamps as ISO strings (`new Date(…)` them), counts as numbers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySelect = SelectQueryBuilder<any, any, any>;
type RowOf<Q> = Q extends SelectQueryBuilder<infer _DB, infer _TB, infer O> ? O : never;
/** What a row looks like after JSON: Date columns are strings. */
export type JsonRow<O> = { [K in keyof O]: O[K] extends Date ? string : O[K] extends Date | null ? string | null : O[K] };

export interface Read<T, Q extends AnySelect = AnySelect> {
  /** Null when there is nothing to look up (`answered`). */
  query: Q | null;
  shape(rows: JsonRow<RowOf<Q>>[]): T;
}

/** A read: the query and the function that shapes its rows. */
export function read<Q extends AnySelect, T>(query: Q, shape: (rows: JsonRow<RowOf<Q>>[]) => T): Read<T, Q> {
  return { query, shape };
}

/** A read that needs no query (nothing to look up): answers `value` without a round trip. */
export function answered<T>(value: T): Read<T> {
  return { query: null, shape: () => value };
}

export type Answers<R extends Record<string, Read<unknown>>> = { [K in keyof R]: R[K] extends Read<infer T> ? T : never };

/** Runs independent reads in one statement (one round trip) and shapes each answer. */
export async function readTogether<R extends Record<string, Read<unknown>>>(db: Db, reads: R): Promise<Answers<R>> {
  const asked = Object.entries(reads).flatMap(([k, r]) => (r.query ? [jsonArrayFrom(r.query).as(k)] : []));
  const row = asked.length ? ((await db.selectNoFrom(asked).executeTakeFirstOrThrow()) as Record<string, unknown[]>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(reads)) out[k] = r.shape((row[k] ?? []) as never);
  return out as Answers<R>;
}

/** A timestamp that came through JSON. */
export function instant(iso: string): Date;
export function instant(iso: string | null): Date | null;
export function instant(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}

/** Runs one read (one query). */
export async function readOne<T>(db: Db, r: Read<T>): Promise<T> {
  return (await readTogether(db, { r })).r;
}
