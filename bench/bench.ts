import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PASSWORD, POOL_SIZE, root, startApp, type RunningApp } from './app-process';
import { downloadCsv } from './csv-export';
import { ensurePglite, ensurePostgres, withClient, ADMIN_URL, type Seeded } from './database';
import { calendarFeedPath, getPage, login } from './http';
import { CONNECTIONS, load } from './load';
import { reminderRun } from './reminder-run';
import { BARE_NAME, CEILING_NAME, isRun, renderReport, type BenchReport, type Group, type PageOutcome } from './report';

/**
 * `npm run bench`: the app against PostgreSQL with a seeded cohort, driven by autocannon on
 * loopback, compared with the framework's own ceiling served by the same process.
 *
 *   npm run bench -- [--learners 50000] [--compare 500] [--pglite 500] [--duration 10] [--rounds 2] [--reuse] [--no-reminders] [--no-hold-off]
 *
 * --compare N reruns the ceiling and the student pages at N learners (0: off); --pglite N runs
 * them on the embedded database at N learners (0: off); --reuse keeps databases seeded by an
 * earlier run. BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * the server; the bench creates cohort_bench_<N> there. Unless --no-hold-off, the ceilings and student pages also run on a
 * second app with SESSION_HOLD_MS=0 (every request reads its session, as distinct readers' views do). Every page runs --rounds times on each
 * database, back to back, and the best run is kept (see runInterleaved). Writes bench/results.md.
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
const ROUNDS = Math.max(1, opt('rounds', 2));
const REUSE = args.includes('--reuse');
const REMINDERS = !args.includes('--no-reminders');
const NO_HOLD = !args.includes('--no-hold-off');
/** learner1 is on pace (in a team for this week's lesson); learner2 is behind, with no team yet, so its lesson page lists the open teams to join. */
const STUDENT = 'learner1@scale.example';
const STUDENT_NO_TEAM = 'learner2@scale.example';
/** Community learners (issue 17), fixed by the seed the same way: learner3 on pace, in a team for this week's lesson beside thousands
 * of others on it; learner5 a lesson behind, so its lesson page offers the Team Practice teams to join (campus and community alike). */
const COMMUNITY = 'learner3@scale.example';
const COMMUNITY_NO_TEAM = 'learner5@scale.example';
const INSTRUCTOR = 'instructor@cohort.example';
const CEILING = CEILING_NAME;
const BARE = BARE_NAME;

interface Plan {
  name: string;
  group: Group;
  path: string | null;
  as: Signed | null;
  /** Polled with If-None-Match (every answer should be a 304). */
  conditional?: boolean;
}

type Signed = 'student' | 'studentNoTeam' | 'community' | 'communityNoTeam' | 'instructor';

/** The pages to load, found the way a user finds them: from the student's home page and calendar. */
async function planPages(app: RunningApp, student: string, community: string, instructor: string | null): Promise<Plan[]> {
  const home = (await getPage(app.base, '/', student)).text;
  const lesson = home.match(/href="(\/lessons\/\d+)"/)?.[1] ?? null;
  const communityLesson = (await getPage(app.base, '/', community)).text.match(/href="(\/lessons\/\d+)"/)?.[1] ?? null;
  const portfolio = home.match(/href="(\/portfolios\/\d+)"/)?.[1] ?? null;
  const feed = await calendarFeedPath(app.base, student);
  const plans: Plan[] = [
    { name: BARE, group: 'ceiling', path: '/__bench/bare', as: null },
    { name: CEILING, group: 'ceiling', path: '/__bench/ceiling', as: null },
    { name: 'Student: this week (/)', group: 'student', path: '/', as: 'student' },
    { name: `Student: lesson page (${lesson ?? 'none linked'})`, group: 'student', path: lesson, as: 'student' },
    { name: `Student: lesson page, no team yet (${lesson ?? 'none linked'})`, group: 'student', path: lesson, as: 'studentNoTeam' },
    { name: `Student: portfolio page (${portfolio ?? 'none linked'})`, group: 'student', path: portfolio, as: 'student' },
    { name: `Community learner: lesson page (${communityLesson ?? 'none linked'})`, group: 'student', path: communityLesson, as: 'community' },
    {
      name: `Community learner: lesson page, Team Practice offer (${communityLesson ?? 'none linked'})`,
      group: 'student',
      path: communityLesson,
      as: 'communityNoTeam',
    },
  ];
  if (instructor) {
    plans.push({ name: 'Instructor: gradebook, first page', group: 'instructor', path: '/instructor/gradebook', as: 'instructor' });
    plans.push({ name: 'Instructor: class overview, first page', group: 'instructor', path: '/instructor/overview', as: 'instructor' });
    plans.push({
      name: 'Instructor: class overview, community group (counts by country and zone)',
      group: 'instructor',
      path: '/instructor/overview?group=community',
      as: 'instructor',
    });
  }
  plans.push({ name: 'iCal feed (no session)', group: 'feed', path: feed, as: null });
  plans.push({ name: 'iCal feed, unchanged since the last poll (If-None-Match → 304)', group: 'feed', path: feed, as: null, conditional: true });
  return plans;
}

/**
 * One app under test: a database, the groups of pages it serves in this run, and (once started)
 * its signed-in users and the pages found from them.
 */
interface Target {
  label: string;
  seeded: Seeded;
  groups: Group[];
  app?: RunningApp;
  cookies?: Record<Signed, string | null>;
  plans?: Plan[];
  /** Best run of each page over the rounds, by page name. */
  best: Map<string, PageOutcome>;
}

const pageName = (p: Plan) => p.name.replace(/\(\/(lessons|portfolios)\/\d+\)$/, `(/$1/:id)`);

async function prepare(t: Target): Promise<void> {
  t.app = await startApp(t.seeded.env);
  const student = await login(t.app.base, STUDENT, PASSWORD);
  const studentNoTeam = await login(t.app.base, STUDENT_NO_TEAM, PASSWORD);
  const community = await login(t.app.base, COMMUNITY, PASSWORD);
  const communityNoTeam = await login(t.app.base, COMMUNITY_NO_TEAM, PASSWORD);
  const instructor = t.groups.includes('instructor') ? await login(t.app.base, INSTRUCTOR, PASSWORD) : null;
  t.cookies = { student, studentNoTeam, community, communityNoTeam, instructor };
  t.plans = (await planPages(t.app, student, community, instructor)).filter((p) => t.groups.includes(p.group));
}

async function runPage(t: Target, p: Plan, round: number): Promise<void> {
  const name = pageName(p);
  const cookie = p.as ? t.cookies![p.as] : null;
  if (!p.path) {
    t.best.set(name, { name, group: p.group, skipped: 'no link to it on the student home page' });
    return;
  }
  const probe = await getPage(t.app!.base, p.path, cookie ?? '');
  if (probe.status !== 200) {
    t.best.set(name, { name, group: p.group, skipped: `GET ${p.path} answered ${probe.status} (${probe.status === 404 ? 'not built yet' : 'see the app'})` });
    console.log(`  ${name}: skipped, GET ${p.path} answered ${probe.status}`);
    return;
  }
  process.stdout.write(`  [${t.label}, round ${round}] `);
  const run = { ...(await load(t.app!, name, p.path, cookie, DURATION, { conditional: p.conditional, walUrl: t.seeded.url })), group: p.group };
  const kept = t.best.get(name);
  if (!kept || !isRun(kept) || run.rps > kept.rps) t.best.set(name, run);
}

/**
 * Every page, ROUNDS times, on every target that serves it, back to back (the 50,000-learner
 * database, then the 500-learner one, then the embedded one, for the same page): what a shared
 * machine does to one run it does to its neighbours too, and the best of the rounds is kept.
 */
async function runInterleaved(targets: Target[]): Promise<void> {
  const order: Plan[] = [];
  for (const t of targets) for (const p of t.plans!) if (!order.some((o) => pageName(o) === pageName(p))) order.push(p);
  for (const page of order) {
    console.log(`\n${pageName(page)}`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        const p = t.plans!.find((x) => pageName(x) === pageName(page));
        if (p) await runPage(t, p, round);
      }
    }
  }
}

const outcomes = (t: Target): PageOutcome[] => t.plans!.map((p) => t.best.get(pageName(p))!).filter(Boolean);

async function machine(): Promise<string> {
  const cpu = os.cpus();
  const pgVersion = await withClient(ADMIN_URL, (c) => c.query('show server_version').then((r) => r.rows[0].server_version as string)).catch(() => '?');
  return `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, load average ${os.loadavg()[0].toFixed(1)} at start; Node ${process.version}; PostgreSQL ${pgVersion}.`;
}

const seedLine = (what: string, s: Seeded) =>
  `${what}: ${s.seedSeconds === null ? 'reused from an earlier run (--reuse)' : `seeded in this run in ${s.seedSeconds} s`}`;

async function main() {
  const startedAt = new Date().toISOString();
  const report: BenchReport = {
    startedAt,
    finishedAt: '',
    machine: await machine(),
    learners: LEARNERS,
    duration: DURATION,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    poolSize: POOL_SIZE,
    seeds: [],
    pages: [],
    csv: { skipped: 'not run' },
    compare: null,
    noHold: null,
    pglite: null,
    reminders: null,
  };
  const cohort = await ensurePostgres(LEARNERS, REUSE);
  report.seeds.push(seedLine(`PostgreSQL, ${LEARNERS} learners`, cohort));
  const big: Target = { label: `${LEARNERS}, PostgreSQL`, seeded: cohort, groups: ['ceiling', 'student', 'instructor', 'feed'], best: new Map() };
  const targets: Target[] = [big];
  // The same database with the session hold off: what the pages cost when every request is a different reader's (see the report).
  const noHold: Target | null = NO_HOLD
    ? {
        label: `${LEARNERS}, PostgreSQL, no session hold`,
        seeded: { ...cohort, env: { ...cohort.env, SESSION_HOLD_MS: '0' } },
        groups: ['ceiling', 'student'],
        best: new Map(),
      }
    : null;
  if (noHold) targets.push(noHold);
  let small: Target | null = null;
  if (COMPARE > 0 || PGLITE > 0) {
    const n = COMPARE > 0 ? COMPARE : PGLITE;
    const seeded = await ensurePostgres(n, REUSE);
    report.seeds.push(seedLine(`PostgreSQL, ${n} learners`, seeded));
    small = { label: `${n}, PostgreSQL`, seeded, groups: COMPARE > 0 ? ['ceiling', 'student'] : ['ceiling', 'student'], best: new Map() };
    targets.push(small);
  }
  let lite: Target | null = null;
  if (PGLITE > 0) {
    const seeded = await ensurePglite(PGLITE, REUSE);
    report.seeds.push(seedLine(`PGlite, ${PGLITE} learners`, seeded));
    lite = { label: `${PGLITE}, PGlite`, seeded, groups: ['ceiling', 'student'], best: new Map() };
    targets.push(lite);
  }
  try {
    for (const t of targets) await prepare(t);
    await runInterleaved(targets);
    report.pages = outcomes(big);
    const download = await downloadCsv(big.app!, '/instructor/gradebook.csv', big.cookies!.instructor!);
    report.csv =
      download.status === 200
        ? download
        : { skipped: `GET /instructor/gradebook.csv answered ${download.status}${download.status === 404 ? ' (not built yet)' : ''}` };
  } finally {
    for (const t of targets) await t.app?.stop();
  }
  if (noHold) report.noHold = { pages: outcomes(noHold) };
  if (small && COMPARE > 0) report.compare = { learners: COMPARE, pages: outcomes(small) };
  if (lite) {
    // the embedded figures are compared with PostgreSQL at the same size, measured beside them
    const pgPages = small && (COMPARE === PGLITE || COMPARE === 0) ? outcomes(small) : [];
    report.pglite = { learners: PGLITE, postgres: pgPages, pglite: outcomes(lite) };
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
