import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { describeConnectionError } from './connection-errors';
import type { Database } from './database';
import { knownVersions } from './known-versions';
import { countQueries } from './query-counter';

/**
 * One code path, two engines: PGlite (real Postgres in WASM, embedded, one process per data dir)
 * or a PostgreSQL server through a pg Pool. Both return the same JS types:
 * timestamptz → Date, date → 'YYYY-MM-DD' string, int8/numeric counts → number.
 */
export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

const OID = { int8: 20, numeric: 1700, date: 1082 } as const;
const asNumber = (v: string) => Number(v);
const asText = (v: string) => v;

pg.types.setTypeParser(OID.int8, asNumber);
pg.types.setTypeParser(OID.numeric, asNumber);
pg.types.setTypeParser(OID.date, asText);

/**
 * PostgreSQL server only: in a page view (src/db/known-versions.ts), every parameterised statement
 * becomes a named prepared statement on its connection, so PostgreSQL parses and plans it once per
 * connection instead of on every request (planning was most of the server's time on a page: 0.1–0.6
 * ms a statement against well under 0.1 ms executing it). The SQL is the same on both engines; this
 * is the pg driver's own `name` option. Only page views: their statements are small reads by key,
 * whose kept plan stays right; the worker's batch jobs and form posts are planned each time (a plan
 * kept by a reminder run while the outbox was empty turned its claim query from milliseconds into
 * 50 s once the outbox held 48,000 emails). Statements without parameters stay unnamed. The names
 * are kept per process and capped (MAX_NAMED distinct statements); statements the cap leaves out
 * just run unnamed. Not for use behind a pooler in transaction mode (PgBouncer), which cannot keep
 * a session's prepared statements.
 */
const MAX_NAMED = 2_000;
const statementNames = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED) statementNames.set(text, (name = `cc${statementNames.size}`));
  return name;
}

function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined && knownVersions.inPageView()) {
      const name = nameOf(text);
      if (name) return query({ name, text, values });
    }
    return callback === undefined ? (values === undefined ? query(text) : query(text, values)) : query(text, values, callback);
  };
}

export function postgresDatabase(url: string, poolSize = 10): DatabaseHandle {
  // A database that does not answer fails a request (503) after 10 s instead of holding it forever.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle pooled connection that dies: the pool drops it and reports it here.
  pool.on('error', (err) => console.error(`postgres: an idle connection was lost: ${describeConnectionError(err)}`));
  pool.on('connect', (client) => {
    // A checked-out connection that dies (a restart, a failover, pg_terminate_backend) emits 'error'
    // on the client; without a listener that is an uncaught exception and the process exits. The
    // statement in flight, or the next one, rejects instead, and the pool drops the client on release.
    client.on('error', (err) => console.error(`postgres: a connection in use was lost: ${describeConnectionError(err)}`));
    prepareStatements(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: countQueries });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export const pgliteParsers = { [OID.int8]: asNumber, [OID.numeric]: asNumber, [OID.date]: asText };

/** Wraps an already-open PGlite (tests clone one per file). */
export function pgliteDatabase(pglite: PGlite, release: () => Promise<void> = async () => {}): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), log: countQueries });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      await release();
    },
  };
}

export class DataDirLockedError extends Error {}

/**
 * Opens the embedded database stored in `dir`, refusing if another process has it open:
 * two PGlite processes on one data dir silently lose committed rows.
 */
export async function openEmbeddedDatabase(dir: string): Promise<DatabaseHandle> {
  fs.mkdirSync(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      lockfilePath: path.join(dir, 'cohort.lock'),
      stale: 15_000,
      update: 5_000,
      realpath: false,
      onCompromised: (err) => {
        console.error(`The embedded database lock at ${dir} was lost: ${err.message}. Stopping to protect the data.`);
        process.exit(1);
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DataDirLockedError(
        `The embedded database in ${dir} is already open in another process (for example a running \`npm start\`).\n` +
          'PGlite allows one process per data directory. Stop that process first, run this command through it,\n' +
          'or set DATABASE_URL to a PostgreSQL server to run several processes on one database.',
      );
    }
    throw err;
  }
  const pglite = await PGlite.create(path.join(dir, 'pgdata'), { parsers: pgliteParsers });
  return pgliteDatabase(pglite, release);
}

export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; poolSize?: number }): Promise<DatabaseHandle> {
  return opts.databaseUrl ? postgresDatabase(opts.databaseUrl, opts.poolSize) : openEmbeddedDatabase(opts.dataDir);
}
