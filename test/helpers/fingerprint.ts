import { sql } from 'kysely';
import type { UntypedDb } from '../../src/db/database';

/**
 * A fingerprint of every row in every table (sessions excepted: each request touches its own),
 * to prove that a refused request changed nothing. One query for all tables.
 */
const tablesCache = new WeakMap<object, string[]>();

export async function databaseFingerprint(db: UntypedDb): Promise<Record<string, string>> {
  let tables = tablesCache.get(db);
  if (!tables) {
    tables = (
      await sql<{ table_name: string }>`select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'http_session'
        order by table_name`.execute(db)
    ).rows.map((r) => r.table_name);
    tablesCache.set(db, tables);
  }
  const parts = tables.map(
    (t) => sql`select ${t}::text as t, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${sql.table(t)} x`,
  );
  const rows = (await sql<{ t: string; n: number; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db)).rows;
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n}:${r.h}`]));
}
