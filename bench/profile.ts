import { startCapturingApp } from './capture';
import { getPage, login } from './http';

/**
 * Where a page's time goes, query by query: the app in-process against DATABASE_URL, one
 * signed-in user, each path requested twice (the second, warm, is shown).
 *
 *   DATABASE_URL=postgres://…/cohort_bench_50000 npx tsx bench/profile.ts learner1@scale.example / /lessons/15
 *
 * Prints per path: status, bytes, time, queries, summed query time, and the slowest queries
 * (TOP=5, WIDTH=400 characters of SQL). bench/explain.ts shows their plans.
 */
async function main() {
  const [email, ...paths] = process.argv.slice(2);
  if (!email || paths.length === 0) throw new Error('Usage: tsx bench/profile.ts <email> <path> [<path> …]');
  const app = await startCapturingApp();
  try {
    const cookie = await login(app.base, email, app.password);
    for (const p of paths) {
      await getPage(app.base, p, cookie);
      app.take();
      const started = performance.now();
      const res = await getPage(app.base, p, cookie);
      const ms = performance.now() - started;
      const queries = app.take();
      const dbMs = queries.reduce((a, q) => a + q.ms, 0);
      console.log(
        `\n${p}: ${res.status}, ${Buffer.byteLength(res.text)} bytes, ${ms.toFixed(1)} ms, ${queries.length} queries, ${dbMs.toFixed(1)} ms in queries`,
      );
      for (const q of [...queries].sort((a, b) => b.ms - a.ms).slice(0, Number(process.env.TOP ?? 5))) {
        console.log(`  ${q.ms.toFixed(1).padStart(7)} ms  ${q.sql.replace(/\s+/g, ' ').slice(0, Number(process.env.WIDTH ?? 400))}`);
      }
    }
  } finally {
    await app.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
