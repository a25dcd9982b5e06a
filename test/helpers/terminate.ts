import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../src/db/database';
import { testDatabaseUrl } from './db';

/**
 * What a PostgreSQL restart, a failover or an idle reaper does to the app: every connection to
 * the test file's own database is ended by the server (pg_terminate_backend), from a separate
 * client. PostgreSQL server only (TEST_DATABASE_URL).
 */
export async function databaseNameOf(db: Db): Promise<string> {
  return (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0].name;
}

export async function adminClient(): Promise<pg.Client> {
  const url = testDatabaseUrl();
  if (!url) throw new Error('terminating connections needs a PostgreSQL server (TEST_DATABASE_URL)');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Ends every connection to `database`; returns how many were ended. */
export async function terminateConnections(database: string): Promise<number> {
  const admin = await adminClient();
  try {
    const r = await admin.query(
      'select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()) t',
      [database],
    );
    return r.rows[0].n as number;
  } finally {
    await admin.end();
  }
}

/** While false, nobody (superusers included) can open a connection to `database`: the database is "away". */
export async function allowConnections(database: string, allow: boolean): Promise<void> {
  const admin = await adminClient();
  try {
    await admin.query(`alter database ${pg.escapeIdentifier(database)} with allow_connections ${allow ? 'true' : 'false'}`);
  } finally {
    await admin.end();
  }
}

/** Polls `check` until it returns true or the deadline passes (no timing assertions, just patience). */
export async function eventually(check: () => Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
