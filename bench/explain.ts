import fs from 'node:fs';
import path from 'node:path';
import { startCapturingApp, type CapturedQuery } from './capture';
import { calendarFeedPath, getPage, login } from './http';

/**
 * bench/EXPLAIN.md: the plans of the queries behind the benchmarked pages, as PostgreSQL runs
 * them on the seeded cohort. Each page is requested once warm, as the bench's users; every
 * SELECT it ran is re-run under EXPLAIN (ANALYZE, BUFFERS) with the same parameters.
 *
 *   DATABASE_URL=postgres://…/cohort_bench_50000 npx tsx bench/explain.ts
 *
 * Lists every query per page with its execution time and plan shape, then the full plans of
 * the slowest (TOP=3 per page) and of any that reads a large table sequentially.
 * `npx tsx bench/explain.ts <email> <path>` prints one page's plans instead of writing the file.
 */
interface Explained {
  sql: string;
  ms: number;
  plan: string;
  seqScans: string[];
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

async function explain(pool: import('pg').Pool, q: CapturedQuery): Promise<Explained | null> {
  if (!/^\s*(with|select)\b/i.test(q.sql)) return null;
  const res = await pool.query(`explain (analyze, buffers) ${q.sql}`, q.parameters as unknown[]);
  const plan = res.rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  const ms = Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? 0);
  const seqScans = [...plan.matchAll(/Seq Scan on (\w+)[^\n]*rows=(\d+) loops/g)].filter((m) => Number(m[2]) > 1000).map((m) => `${m[1]} (${m[2]} rows)`);
  return { sql: q.sql, ms, plan, seqScans };
}

async function main() {
  const top = Number(process.env.TOP ?? 3);
  const app = await startCapturingApp();
  const out: string[] = [];
  const learners = (await app.pool.query("select count(*)::int as n from app_user where email like 'learner%@scale.example'")).rows[0].n as number;
  try {
    const [email, onePath] = process.argv.slice(2);
    if (email && onePath) {
      const cookie = await login(app.base, email, app.password);
      await getPage(app.base, onePath, cookie);
      app.take();
      await getPage(app.base, onePath, cookie);
      for (const q of app.take()) {
        const e = await explain(app.pool, q);
        if (e) console.log(`\n${e.ms.toFixed(2)} ms  ${oneLine(e.sql).slice(0, 300)}\n${e.plan}`);
      }
      return;
    }
    const student = await login(app.base, 'learner1@scale.example', app.password);
    const noTeam = await login(app.base, 'learner2@scale.example', app.password);
    const instructor = await login(app.base, 'instructor@cohort.example', app.password);
    const home = (await getPage(app.base, '/', student)).text;
    const pages: [string, string, string][] = [
      ['Student: this week', '/', student],
      ['Student: lesson page', home.match(/href="(\/lessons\/\d+)"/)?.[1] ?? '/lessons', student],
      ['Student: lesson page, no team yet (the open teams to join)', home.match(/href="(\/lessons\/\d+)"/)?.[1] ?? '/lessons', noTeam],
      ['Student: portfolio page', home.match(/href="(\/portfolios\/\d+)"/)?.[1] ?? '/portfolios', student],
      ['iCal feed', await calendarFeedPath(app.base, student), ''],
      ['Instructor: gradebook, first page', '/instructor/gradebook', instructor],
      ['Instructor: class overview, first page', '/instructor/overview', instructor],
      ['Instructor: gradebook CSV', '/instructor/gradebook.csv', instructor],
      ['Instructor: home (class pace; not in the bench, shown because it grows with the class)', '/', instructor],
    ];
    for (const [name, urlPath, cookie] of pages) {
      await getPage(app.base, urlPath, cookie);
      app.take();
      const res = await getPage(app.base, urlPath, cookie);
      const queries = app.take();
      console.log(`${name} (${urlPath.replace(/feed\/[^/]+\.ics/, 'feed/<token>.ics')}): ${res.status}, ${queries.length} queries`);
      out.push(`## ${name}: \`GET ${urlPath.replace(/feed\/[^/]+\.ics/, 'feed/<token>.ics')}\``, '', `HTTP ${res.status}, ${queries.length} SQL queries.`, '');
      const explained: Explained[] = [];
      for (const q of queries) {
        const e = await explain(app.pool, q);
        if (e) explained.push(e);
      }
      // The same statement run many times (the CSV's batches) is one row: how often, and its slowest run.
      const shapes = new Map<string, Explained & { runs: number }>();
      for (const e of explained) {
        const key = oneLine(e.sql)
          .replace(/\$\d+(, \$\d+)*/g, '$n')
          .replace(/\d+(, \d+){3,}/g, '…ids…');
        const seen = shapes.get(key);
        if (!seen) shapes.set(key, { ...e, runs: 1 });
        else shapes.set(key, { ...(e.ms > seen.ms ? e : seen), runs: seen.runs + 1 });
      }
      out.push('| # | runs | execution ms (slowest) | plan (first line) | query |', '|---:|---:|---:|---|---|');
      [...shapes.values()].forEach((e, i) => {
        const head = oneLine(e.plan.split('\n')[0]).replace(/\|/g, '\\|').slice(0, 90);
        out.push(`| ${i + 1} | ${e.runs} | ${e.ms.toFixed(2)} | ${head} | \`${oneLine(e.sql).replace(/\|/g, '\\|').slice(0, 140)}…\` |`);
      });
      out.push('');
      const slow = [...shapes.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
      const shown = new Set([...slow, ...[...shapes.values()].filter((e) => e.seqScans.length)]);
      for (const e of shown) {
        out.push(
          `### ${e.ms.toFixed(2)} ms${e.seqScans.length ? ` (sequential scan of ${e.seqScans.join(', ')})` : ''}`,
          '',
          '```sql',
          oneLine(e.sql),
          '```',
          '',
          '```',
          e.plan,
          '```',
          '',
        );
      }
    }
  } finally {
    await app.close();
  }
  if (process.argv.length > 3) return;
  const file = path.join(__dirname, 'EXPLAIN.md');
  const header = [
    '# EXPLAIN (ANALYZE, BUFFERS) for the benchmarked pages',
    '',
    `Generated by \`npx tsx bench/explain.ts\` on ${new Date().toISOString()} against a database seeded by \`npm run seed:scale -- --learners ${learners}\`, as learner1 and the instructor, with the clock pinned to the seeded semester. Every SELECT a page ran is re-run under EXPLAIN with the same parameters. Times are from a shared 2-core machine: compare plans, not milliseconds.`,
    '',
    'The indexes added for these pages are in migrations/0090_scale_indexes.ts; the course (offering, units, weeks, events, requirements) comes from the course cache, checked per request against course_data_version (0095), and the class totals of the instructor pages against roster_version (0096): see docs/scale.md.',
    '',
  ];
  fs.writeFileSync(file, [...header, ...out].join('\n'));
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
