import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PASSWORD, root, startApp, type RunningApp } from './app-process';
import { downloadCsv } from './csv-export';
import { ensurePglite, ensurePostgres, withClient, ADMIN_URL, type Seeded } from './database';
import { calendarFeedPath, getPage, login } from './http';
import { CONNECTIONS, load } from './load';
import { reminderRun } from './reminder-run';
import { isRun, renderReport, type BenchReport, type Group, type PageOutcome } from './report';

/**
 * `npm run bench`: the app against PostgreSQL with a seeded cohort, driven by autocannon on
 * loopback, compared with the framework's own ceiling served by the same process.
 *
 *   npm run bench -- [--learners 50000] [--compare 500] [--pglite 500] [--duration 10] [--reuse] [--no-reminders]
 *
 * --compare N reruns the ceiling and the student pages at N learners (0: off); --pglite N runs
 * them on the embedded database at N learners (0: off); --reuse keeps databases seeded by an
 * earlier run. BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * the server; the bench creates cohort_bench_<N> there. Writes bench/results.md.
 */
const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : def;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number`);
  return v;
};
const LEARNERS = opt('learners', 50_000);
const COMPARE = opt('compare', 500);
const PGLITE = opt('pglite', 500);
const DURATION = opt('duration', 10);
const REUSE = args.includes('--reuse');
const REMINDERS = !args.includes('--no-reminders');
/** learner1 is on pace (in a team for this week's lesson); learner2 is behind, with no team yet, so its lesson page lists the open teams to join. */
const STUDENT = 'learner1@scale.example';
const STUDENT_NO_TEAM = 'learner2@scale.example';
const INSTRUCTOR = 'instructor@cohort.example';
const CEILING = 'Ceiling (express + ejs, no database)';

interface Plan {
  name: string;
  group: Group;
  path: string | null;
  as: 'student' | 'studentNoTeam' | 'instructor' | null;
}

/** The pages to load, found the way a user finds them: from the student's home page and calendar. */
async function planPages(app: RunningApp, student: string, instructor: string | null): Promise<Plan[]> {
  const home = (await getPage(app.base, '/', student)).text;
  const lesson = home.match(/href="(\/lessons\/\d+)"/)?.[1] ?? null;
  const portfolio = home.match(/href="(\/portfolios\/\d+)"/)?.[1] ?? null;
  const feed = await calendarFeedPath(app.base, student);
  const plans: Plan[] = [
    { name: CEILING, group: 'ceiling', path: '/__bench/ceiling', as: null },
    { name: 'Student: this week (/)', group: 'student', path: '/', as: 'student' },
    { name: `Student: lesson page (${lesson ?? 'none linked'})`, group: 'student', path: lesson, as: 'student' },
    { name: `Student: lesson page, no team yet (${lesson ?? 'none linked'})`, group: 'student', path: lesson, as: 'studentNoTeam' },
    { name: `Student: portfolio page (${portfolio ?? 'none linked'})`, group: 'student', path: portfolio, as: 'student' },
  ];
  if (instructor) {
    plans.push({ name: 'Instructor: gradebook, first page', group: 'instructor', path: '/instructor/gradebook', as: 'instructor' });
    plans.push({ name: 'Instructor: class overview, first page', group: 'instructor', path: '/instructor/overview', as: 'instructor' });
  }
  plans.push({ name: 'iCal feed (no session)', group: 'feed', path: feed, as: null });
  return plans;
}

async function runPages(app: RunningApp, plans: Plan[], cookies: Record<'student' | 'studentNoTeam' | 'instructor', string | null>): Promise<PageOutcome[]> {
  const out: PageOutcome[] = [];
  for (const p of plans) {
    const cookie = p.as ? cookies[p.as] : null;
    const name = p.name.replace(/\(\/(lessons|portfolios)\/\d+\)$/, `(/$1/:id)`);
    if (!p.path) {
      out.push({ name, group: p.group, skipped: 'no link to it on the student home page' });
      continue;
    }
    const probe = await getPage(app.base, p.path, cookie ?? '');
    if (probe.status !== 200) {
      out.push({ name, group: p.group, skipped: `GET ${p.path} answered ${probe.status} (${probe.status === 404 ? 'not built yet' : 'see the app'})` });
      console.log(`  ${name}: skipped, GET ${p.path} answered ${probe.status}`);
      continue;
    }
    out.push({ ...(await load(app, name, p.path, cookie, DURATION)), group: p.group });
  }
  return out;
}

async function benchAt(seeded: Seeded, label: string, groups: Group[], withCsv: boolean) {
  console.log(`\n${label}`);
  const app = await startApp(seeded.env);
  try {
    const student = await login(app.base, STUDENT, PASSWORD);
    const studentNoTeam = await login(app.base, STUDENT_NO_TEAM, PASSWORD);
    const instructor = groups.includes('instructor') ? await login(app.base, INSTRUCTOR, PASSWORD) : null;
    const plans = (await planPages(app, student, instructor)).filter((p) => groups.includes(p.group));
    const pages = await runPages(app, plans, { student, studentNoTeam, instructor });
    let csv: BenchReport['csv'] = { skipped: 'not run' };
    if (withCsv && instructor) {
      const download = await downloadCsv(app, '/instructor/gradebook.csv', instructor);
      csv = download.status === 200 ? download : { skipped: `GET /instructor/gradebook.csv answered ${download.status}${download.status === 404 ? ' (not built yet)' : ''}` };
    }
    return { pages, csv };
  } finally {
    await app.stop();
  }
}

async function machine(): Promise<string> {
  const cpu = os.cpus();
  const pgVersion = await withClient(ADMIN_URL, (c) => c.query('show server_version').then((r) => r.rows[0].server_version as string)).catch(() => '?');
  return `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, load average ${os.loadavg()[0].toFixed(1)} at start; Node ${process.version}; PostgreSQL ${pgVersion}.`;
}

const seedLine = (what: string, s: Seeded) => `${what}: ${s.seedSeconds === null ? 'reused from an earlier run (--reuse)' : `seeded in this run in ${s.seedSeconds} s`}`;

async function main() {
  const startedAt = new Date().toISOString();
  const report: BenchReport = {
    startedAt,
    finishedAt: '',
    machine: await machine(),
    learners: LEARNERS,
    duration: DURATION,
    connections: CONNECTIONS,
    seeds: [],
    pages: [],
    csv: { skipped: 'not run' },
    compare: null,
    pglite: null,
    reminders: null,
  };
  const cohort = await ensurePostgres(LEARNERS, REUSE);
  report.seeds.push(seedLine(`PostgreSQL, ${LEARNERS} learners`, cohort));
  const all: Group[] = ['ceiling', 'student', 'instructor', 'feed'];
  const big = await benchAt(cohort, `${LEARNERS} learners, PostgreSQL`, all, true);
  report.pages = big.pages;
  report.csv = big.csv;

  let smallPg: PageOutcome[] | null = null;
  if (COMPARE > 0) {
    const small = await ensurePostgres(COMPARE, REUSE);
    report.seeds.push(seedLine(`PostgreSQL, ${COMPARE} learners`, small));
    smallPg = (await benchAt(small, `${COMPARE} learners, PostgreSQL`, ['ceiling', 'student', 'feed'], false)).pages;
    report.compare = { learners: COMPARE, pages: smallPg };
  }
  if (PGLITE > 0) {
    const pgPages = PGLITE === COMPARE && smallPg ? smallPg : (await benchAt(await ensurePostgres(PGLITE, REUSE), `${PGLITE} learners, PostgreSQL`, ['ceiling', 'student'], false)).pages;
    const lite = await ensurePglite(PGLITE, REUSE);
    report.seeds.push(seedLine(`PGlite, ${PGLITE} learners`, lite));
    const litePages = (await benchAt(lite, `${PGLITE} learners, embedded PGlite`, ['ceiling', 'student'], false)).pages;
    report.pglite = { learners: PGLITE, postgres: pgPages, pglite: litePages };
  }
  if (REMINDERS) {
    console.log(`\nReminder run, ${LEARNERS} learners`);
    report.reminders = await reminderRun(cohort.url!).catch((err) => ({ skipped: `failed: ${(err as Error).message}` }));
  }
  report.finishedAt = new Date().toISOString();
  report.machine += ` Load average at the end: ${os.loadavg()[0].toFixed(1)} (other work on the machine shares its 2 cores).`;
  const file = path.join(root, 'bench', 'results.md');
  fs.writeFileSync(file, renderReport(report));
  const missed = report.pages.filter((p) => isRun(p) && (p.non2xx > 0 || p.errors > 0));
  console.log(`\nWrote ${path.relative(process.cwd(), file)}${missed.length ? ` (non-2xx responses on: ${missed.map((p) => p.name).join(', ')})` : ''}.`);
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
