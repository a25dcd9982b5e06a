import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PASSWORD, runToEnd, tsNode } from './app-process';

/**
 * The bench's databases: cohort_bench_<N> on the PostgreSQL server named by BENCH_DATABASE_URL
 * (default: the local one), and an embedded PGlite data dir per N under the OS temp dir. Both
 * are seeded by `npm run seed:scale` in a child process and kept, so `--reuse` skips seeding.
 */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The application_name of the bench's reminder workers' connections (so a stopped run can stop their statements). */
export const BENCH_APPLICATION_NAME = 'cohort-bench-reminders';

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface Seeded {
  /** DATABASE_URL for the app, or DATA_DIR for PGlite. */
  env: Record<string, string | undefined>;
  /** Seconds the seed took in this run; null when an earlier run's database was reused. */
  seedSeconds: number | null;
  url?: string;
}

async function seed(learners: number, env: Record<string, string | undefined>): Promise<number> {
  const started = Date.now();
  console.log(`Seeding ${learners} learners (${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})…`);
  await runToEnd(tsNode('scripts/seed-scale.ts', ['--learners', String(learners)], { ...env, SEED_DEMO_PASSWORD: PASSWORD, LOG_LEVEL: 'error' }));
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`Seeded ${learners} learners in ${seconds} s.`);
  return seconds;
}

/** A PostgreSQL database with N seeded learners; with `reuse`, an existing complete one is kept. */
export async function ensurePostgres(learners: number, reuse: boolean): Promise<Seeded> {
  const name = `cohort_bench_${learners}`;
  const url = dbUrl(name);
  const exists = (await withClient(ADMIN_URL, (c) => c.query('select 1 from pg_database where datname = $1', [name]))).rowCount;
  if (exists && reuse) {
    const complete = await withClient(url, (c) =>
      c
        .query("select count(*)::int as n from app_user where email like 'learner%@scale.example'")
        .then((r) => r.rows[0].n === learners)
        .catch(() => false),
    );
    if (complete) return { env: { DATABASE_URL: url }, seedSeconds: null, url };
  }
  if (exists) await withClient(ADMIN_URL, (c) => c.query(`drop database ${name} with (force)`));
  await withClient(ADMIN_URL, (c) => c.query(`create database ${name}`));
  const seedSeconds = await seed(learners, { DATABASE_URL: url });
  return { env: { DATABASE_URL: url }, seedSeconds, url };
}

/** An embedded PGlite data dir with N seeded learners (one process at a time: seed first, then start the app). */
export async function ensurePglite(learners: number, reuse: boolean): Promise<Seeded> {
  const dir = path.join(os.tmpdir(), `cohort-bench-pglite-${learners}`);
  const marker = path.join(dir, 'seeded');
  const env = { DATABASE_URL: undefined, DATA_DIR: dir };
  if (reuse && fs.existsSync(marker)) return { env, seedSeconds: null };
  fs.rmSync(dir, { recursive: true, force: true });
  const seedSeconds = await seed(learners, env);
  fs.writeFileSync(marker, new Date().toISOString());
  return { env, seedSeconds };
}
