import { sql, type Expression } from 'kysely';
import type { Db } from '../db/database';

/**
 * "N students" on the instructor's paged lists, without counting the whole class on every page
 * view. A count that depends only on who is in the class (offering, section, role, deactivation)
 * is kept per database handle and key, labelled with `roster_version` (migration 0096 moves it
 * whenever those change). Every call is one query: it reads the version, and only when the
 * version is not the one the kept count was taken at does PostgreSQL run the count, in the same
 * statement (a CASE evaluates its subquery only when that branch is taken), so the count and its
 * version come from one snapshot. Counts read inside a transaction are never kept.
 */
interface Kept {
  version: number;
  n: number;
}

const byDatabase = new WeakMap<object, Map<string, Kept>>();

export async function classSize(db: Db, key: string, count: Expression<unknown>): Promise<number> {
  const entries = db.isTransaction ? new Map<string, Kept>() : (byDatabase.get(db) ?? new Map<string, Kept>());
  if (!db.isTransaction && !byDatabase.has(db)) byDatabase.set(db, entries);
  const kept = entries.get(key);
  const row = await db
    .selectFrom('roster_version as rv')
    .select(['rv.version', sql<number | null>`case when rv.version = ${kept?.version ?? -1} then null else (${count}) end`.as('n')])
    .where('rv.id', '=', 1)
    .executeTakeFirstOrThrow();
  const version = Number(row.version);
  if (kept && kept.version === version) return kept.n;
  const n = Number(row.n);
  entries.set(key, { version, n });
  return n;
}
