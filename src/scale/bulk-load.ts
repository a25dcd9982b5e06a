import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * Bulk loading the PostgreSQL way: inside the caller's transaction, drop the foreign keys and
 * the secondary indexes of the tables about to be filled, load, then put every one back from
 * the definitions PostgreSQL itself printed (pg_get_constraintdef / pg_get_indexdef), which
 * re-validates them set-based: one anti-join per foreign key and one sorted build per index,
 * instead of a trigger call and an index insertion per row. Primary keys and unique constraints
 * stay (other tables reference them). A failure rolls the drops back with everything else.
 */
interface Dropped {
  foreignKeys: { table: string; name: string; def: string }[];
  indexes: { name: string; def: string }[];
}

async function existingTables(db: Db, tables: string[]): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname = any(${tables}::text[])`.execute(db);
  return rows.rows.map((r) => r.name);
}

async function dropFor(db: Db, tables: string[]): Promise<Dropped> {
  const present = await existingTables(db, tables);
  const foreignKeys = (
    await sql<{ table: string; name: string; def: string }>`
      select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as def
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = current_schema() and c.relname = any(${present}::text[])
      order by c.relname, k.conname`.execute(db)
  ).rows;
  const indexes = (
    await sql<{ name: string; def: string }>`
      select ic.relname as name, pg_get_indexdef(i.indexrelid) as def
      from pg_index i join pg_class c on c.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relname = any(${present}::text[])
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
      order by ic.relname`.execute(db)
  ).rows;
  for (const fk of foreignKeys) await sql.raw(`alter table "${fk.table}" drop constraint "${fk.name}"`).execute(db);
  for (const ix of indexes) await sql.raw(`drop index "${ix.name}"`).execute(db);
  return { foreignKeys, indexes };
}

async function restore(db: Db, dropped: Dropped): Promise<void> {
  for (const ix of dropped.indexes) await sql.raw(ix.def).execute(db);
  for (const fk of dropped.foreignKeys) await sql.raw(`alter table "${fk.table}" add constraint "${fk.name}" ${fk.def}`).execute(db);
}

/** Runs `load` with the tables' foreign keys and secondary indexes dropped; restores them after. */
export async function withBulkLoad(db: Db, tables: string[], load: () => Promise<void>, log: (line: string) => void = () => undefined): Promise<void> {
  if (!db.isTransaction) throw new Error('withBulkLoad needs a transaction: a failure must bring the constraints back.');
  await sql`set local maintenance_work_mem = '256MB'`.execute(db);
  const dropped = await dropFor(db, tables);
  log(`  (dropped ${dropped.foreignKeys.length} foreign keys and ${dropped.indexes.length} indexes for the load)`);
  await load();
  const started = Date.now();
  await restore(db, dropped);
  log(`  foreign keys checked and indexes rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
