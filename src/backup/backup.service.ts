import fs from 'node:fs';
import readline from 'node:readline';
import { sql, type Kysely } from 'kysely';
import type { Database, UntypedDb } from '../db/database';

/**
 * A complete, restorable export of the database as JSON Lines: a header line, then one line per
 * row ({"t": table, "r": row}) in foreign-key order, read in keyset pages so memory stays flat.
 * bytea is base64; timestamps are ISO 8601 in UTC to the microsecond (as PostgreSQL stores them;
 * a JS Date would keep milliseconds only). Sessions and migration bookkeeping are not exported:
 * the target is migrated by the same code first. Nor are the course's and the roster's version
 * numbers (course_data_version, roster_version: bookkeeping for caches): the restored rows move them.
 */
const SKIP = new Set(['http_session', 'kysely_migration', 'kysely_migration_lock', 'course_data_version', 'roster_version']);
const PAGE = 2000;

export interface BackupHeader {
  format: 'cohort-companion-backup';
  version: 1;
  exportedAt: string;
  migrations: string[];
  tables: string[];
}

interface ColumnInfo {
  name: string;
  type: string;
}

async function tablesInDependencyOrder(db: UntypedDb): Promise<string[]> {
  const tables = (
    await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)
  ).rows
    .map((r) => r.table_name)
    .filter((t) => !SKIP.has(t));
  const deps = (
    await sql<{ child: string; parent: string }>`
      select c.relname as child, p.relname as parent
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = current_schema()`.execute(db)
  ).rows;
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const d of deps) if (d.child === t && d.parent !== t) visit(d.parent);
    visiting.delete(t);
    ordered.push(t);
  };
  tables.forEach(visit);
  return ordered;
}

async function columns(db: UntypedDb, table: string): Promise<ColumnInfo[]> {
  return (
    await sql<{ column_name: string; data_type: string }>`
      select column_name, data_type from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db)
  ).rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

async function primaryKey(db: UntypedDb, table: string): Promise<string[]> {
  return (
    await sql<{ attname: string }>`
      select a.attname from pg_index i
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = ${table}::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`.execute(db)
  ).rows.map((r) => r.attname);
}

function encode(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return { $bytea: Buffer.from(value).toString('base64') };
  return value;
}

/** A column as exported: timestamps as text with all six fractional digits, everything else as read. */
function exported(c: ColumnInfo) {
  const col = sql.ref(c.name);
  if (c.type === 'timestamp with time zone')
    return sql`case when isfinite(${col}) then to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') else ${col}::text end as ${col}`;
  if (c.type === 'timestamp without time zone')
    return sql`case when isfinite(${col}) then to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.US') else ${col}::text end as ${col}`;
  return col;
}

export async function* exportLines(db: Kysely<Database>, now: Date): AsyncGenerator<string> {
  const adb = db as unknown as UntypedDb;
  const tables = await tablesInDependencyOrder(adb);
  const migrations = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(adb)).rows.map((r) => r.name);
  const header: BackupHeader = { format: 'cohort-companion-backup', version: 1, exportedAt: now.toISOString(), migrations, tables };
  yield JSON.stringify(header);
  for (const table of tables) {
    const pk = await primaryKey(adb, table);
    const order = sql.join(pk.map((c) => sql.ref(c)));
    const select = sql.join((await columns(adb, table)).map(exported));
    let offset = 0;
    for (;;) {
      // Ordered by primary key; offset paging is fine for a one-off export in a snapshot.
      const rows = (await sql<Record<string, unknown>>`select ${select} from ${sql.table(table)} order by ${order} limit ${PAGE} offset ${offset}`.execute(adb))
        .rows;
      for (const row of rows) {
        const r: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) r[k] = encode(v);
        yield JSON.stringify({ t: table, r });
      }
      if (rows.length < PAGE) break;
      offset += PAGE;
    }
  }
}

export class BackupError extends Error {}

/** Restores an export into an empty, migrated database, in one transaction. */
export async function importLines(db: Kysely<Database>, lines: AsyncIterable<string> | Iterable<string>): Promise<Record<string, number>> {
  // Start reading now, before the first await: a readline interface drops every line it reads
  // before its iterator exists (opening the transaction on a PostgreSQL server took long enough
  // for the header and the first rows to go: "Not a Cohort Companion backup").
  const source = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator]();
  const reading = { [Symbol.asyncIterator]: () => source } as AsyncIterable<string>;
  return db.transaction().execute(async (trx) => {
    const adb = trx as unknown as UntypedDb;
    let header: BackupHeader | null = null;
    const counts: Record<string, number> = {};
    const columnCache = new Map<string, ColumnInfo[]>();
    let batch: { table: string; rows: Record<string, unknown>[] } | null = null;

    const flush = async () => {
      if (!batch || batch.rows.length === 0) return;
      const cols = columnCache.get(batch.table)!;
      const names = cols.map((c) => c.name);
      const values = batch.rows.map(
        (row) =>
          sql`(${sql.join(
            cols.map((c) => {
              const v = row[c.name];
              // A column the backup does not have (it predates a migration) gets the column's default.
              if (v === undefined) return sql`default`;
              if (v === null) return sql`null`;
              if (c.type === 'bytea') return sql`${Buffer.from((v as { $bytea: string }).$bytea, 'base64')}`;
              if (c.type === 'json' || c.type === 'jsonb') return sql`${JSON.stringify(v)}::jsonb`;
              return sql`${v}`;
            }),
          )})`,
      );
      await sql`insert into ${sql.table(batch.table)} (${sql.join(names.map((n) => sql.ref(n)))}) overriding system value values ${sql.join(values)}`.execute(
        adb,
      );
      counts[batch.table] = (counts[batch.table] ?? 0) + batch.rows.length;
      batch.rows = [];
    };

    for await (const line of reading) {
      if (!line.trim()) continue;
      const item = JSON.parse(line);
      if (!header) {
        if (item.format !== 'cohort-companion-backup' || item.version !== 1) throw new BackupError('Not a Cohort Companion backup (version 1).');
        header = item as BackupHeader;
        const here = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(adb)).rows.map((r) => r.name);
        const missing = header.migrations.filter((m) => !here.includes(m));
        if (missing.length) throw new BackupError(`The backup needs migrations this code does not have: ${missing.join(', ')}.`);
        for (const t of header.tables) {
          const n = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(adb)).rows[0]?.n ?? 0;
          if (n > 0) throw new BackupError(`The target database is not empty (${t} has ${n} rows). Import into an empty database.`);
        }
        continue;
      }
      const { t, r } = item as { t: string; r: Record<string, unknown> };
      if (!header.tables.includes(t)) throw new BackupError(`Unknown table in backup: ${t}`);
      if (!columnCache.has(t)) columnCache.set(t, await columns(adb, t));
      if (batch && batch.table !== t) await flush();
      if (!batch || batch.table !== t) batch = { table: t, rows: [] };
      batch.rows.push(r);
      if (batch.rows.length >= 200) await flush();
    }
    await flush();
    if (!header) throw new BackupError('The backup is empty.');
    // Identity columns continue after the restored ids.
    for (const t of header.tables) {
      const identity = (
        await sql<{ column_name: string }>`
          select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = ${t} and is_identity = 'YES'`.execute(adb)
      ).rows;
      for (const { column_name } of identity) {
        await sql`select setval(pg_get_serial_sequence(${t}, ${column_name}), coalesce((select max(${sql.ref(column_name)}) from ${sql.table(t)}), 0) + 1, false)`.execute(
          adb,
        );
      }
    }
    return counts;
  });
}

/** The lines of a backup file, read only once iteration starts (and so none lost before). */
export async function* backupFileLines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/** `npm run import`: restores a backup file into an empty, migrated database. */
export function importFile(db: Kysely<Database>, file: string): Promise<Record<string, number>> {
  return importLines(db, backupFileLines(file));
}
