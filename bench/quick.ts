import autocannon from 'autocannon';
import { PASSWORD, startApp } from './app-process';
import { PROXY_HEADERS, login } from './http';

/**
 * A quick look at a few pages under load without the whole bench: the app against DATABASE_URL
 * (or PGlite with DATA_DIR), one user, autocannon with 50 connections for N seconds per path
 * (BENCH_POOL_SIZE sets the app's pool, as in the bench).
 *
 *   DATABASE_URL=postgres://…/cohort_bench_50000 npx tsx bench/quick.ts learner1@scale.example 8 / /lessons/15
 */
async function main() {
  const [email, seconds, ...paths] = process.argv.slice(2);
  const app = await startApp(
    process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { DATABASE_URL: undefined, DATA_DIR: process.env.DATA_DIR },
  );
  try {
    const cookie = email === '-' ? '' : await login(app.base, email, PASSWORD);
    for (const p of paths) {
      const opts = { url: `${app.base}${p}`, connections: 50, headers: { ...PROXY_HEADERS, cookie } };
      await autocannon({ ...opts, duration: 2 });
      const r = await autocannon({ ...opts, duration: Number(seconds) });
      console.log(`${p}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
    }
  } finally {
    await app.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
