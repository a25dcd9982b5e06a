import type { AddressInfo } from 'node:net';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { createApp } from '../src/app';
import { buildContext } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import '../src/db/connect'; // registers the pg type parsers the app expects
import type { Database } from '../src/db/database';
import { SCALE_AS_OF } from '../src/scale/scale-sql';

/**
 * The app in-process against DATABASE_URL with a Kysely that records every query (SQL,
 * parameters, duration): what bench/profile.ts and bench/explain.ts look at. Configured as the
 * bench runs it (production, clock pinned to the seeded semester).
 */
export interface CapturedQuery {
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

export interface CapturingApp {
  base: string;
  pool: pg.Pool;
  password: string;
  /** The queries since the last call. */
  take(): CapturedQuery[];
  close(): Promise<void>;
}

export async function startCapturingApp(): Promise<CapturingApp> {
  const config = loadConfig({
    ...process.env,
    APP_NOW: process.env.APP_NOW ?? SCALE_AS_OF,
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
    SESSION_SECRET: 'profile-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    BENCH_ROUTES: 'off',
  });
  if (!config.DATABASE_URL) throw new Error('Set DATABASE_URL to a seeded database (npm run seed:scale, or a cohort_bench_<N> database the bench made).');
  let logged: CapturedQuery[] = [];
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (e: LogEvent) => {
      logged.push({ sql: e.query.sql, parameters: e.query.parameters, ms: e.queryDurationMillis });
      if (e.level === 'error') console.error('query error:', (e.error as Error)?.message, e.query.sql);
    },
  });
  const ctx = buildContext(config, { db, kind: 'postgres', close: () => db.destroy() });
  const server = createApp(ctx).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pool,
    password: config.SEED_DEMO_PASSWORD ?? 'demo-password-1',
    take: () => {
      const out = logged;
      logged = [];
      return out;
    },
    close: async () => {
      await new Promise((r) => server.close(r));
      await db.destroy();
    },
  };
}
