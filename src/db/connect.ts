import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import type { Database } from './database';
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

export function postgresDatabase(url: string, poolSize = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', (err) => console.error('postgres pool error:', err.message));
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
