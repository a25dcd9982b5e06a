import type { CsvResult } from './csv-export';
import type { LoadResult } from './load';
import type { ReminderResult } from './reminder-run';

/**
 * bench/results.md: the latest run's figures as Markdown tables, and every target (issue 19 for
 * pages: against the bare express + ejs ceiling; issue 9 for the export and the reminder run) with
 * whether this run met it (and, when it did not, the figure that missed).
 */
export const BARE_NAME = 'Bare ceiling (express + ejs alone: no middleware, no database)';
export const CEILING_NAME = 'Ceiling (express + ejs, no database)';
export type Group = 'ceiling' | 'student' | 'instructor' | 'feed';
export interface PageResult extends LoadResult {
  group: Group;
}
export interface Skipped {
  name: string;
  group: Group;
  skipped: string;
}
export type PageOutcome = PageResult | Skipped;

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: string;
  learners: number;
  duration: number;
  connections: number;
  rounds: number;
  poolSize: number;
  seeds: string[];
  pages: PageOutcome[];
  csv: CsvResult | { skipped: string };
  compare: { learners: number; pages: PageOutcome[] } | null;
  /** The same database and pages served with SESSION_HOLD_MS=0: every request reads its session, as distinct readers' first views do. */
  noHold: { pages: PageOutcome[] } | null;
  pglite: { learners: number; postgres: PageOutcome[]; pglite: PageOutcome[] } | null;
  reminders: ReminderResult | { skipped: string } | null;
}

export const isRun = (p: PageOutcome | undefined): p is PageResult => !!p && !('skipped' in p);
const byName = (list: PageOutcome[], name: string) => list.find((p) => p.name === name);
const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '–');
const within = (a: number, b: number, tolerance: number) => b > 0 && Math.abs(a - b) / b <= tolerance;
/** A run counts only if requests completed and every one of them succeeded. */
const clean = (p: PageResult) => p.requests > 0 && p.non2xx === 0 && p.errors === 0;
const failures = (p: PageResult) =>
  clean(p) ? '' : p.requests === 0 ? ' (no request completed within the run)' : ` (${p.non2xx} non-2xx, ${p.errors} errors)`;

const rpsOf = (pages: PageOutcome[], name: string) => {
  const p = byName(pages, name);
  return isRun(p) ? p.rps : 0;
};

function pageTable(pages: PageOutcome[]): string[] {
  const bareRps = rpsOf(pages, BARE_NAME);
  const ceilingRps = rpsOf(pages, CEILING_NAME);
  const rows = [
    '| Page | req/s | vs bare | vs middleware ceiling | p50 ms | p97.5 ms | p99 ms | SQL queries/req | WAL bytes/req | solo request ms | peak RSS MB | page bytes | unexpected status or errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of pages) {
    if (!isRun(p)) rows.push(`| ${p.name} | – | – | – | – | – | – | – | – | – | – | – | ${p.skipped} |`);
    else
      rows.push(
        `| ${p.name} | ${p.rps} | ${pct(p.rps, bareRps)} | ${pct(p.rps, ceilingRps)} | ${p.p50} | ${p.p975} | ${p.p99} | ${p.queriesPerRequest} | ${p.walBytesPerRequest ?? '–'} | ${p.soloMs ?? '–'} | ${p.peakRssMb} | ${p.bytes} | ${p.non2xx + p.errors}${p.requests === 0 ? ' (none completed)' : ''} |`,
      );
  }
  return rows;
}

interface Target {
  text: string;
  met: boolean | null;
  detail: string;
}

/** Student pages the issue 19 targets name (the community learner's pages are measured, not targeted). */
const targetedStudentPage = (name: string) => name.startsWith('Student: ');

function targets(r: BenchReport): Target[] {
  const out: Target[] = [];
  const bareRps = rpsOf(r.pages, BARE_NAME);
  const studentTargets = (pages: PageOutcome[], how: string, bare: number) => {
    for (const p of pages.filter((x) => x.group === 'student' && targetedStudentPage(x.name))) {
      if (!isRun(p)) {
        out.push({ text: `${p.name}${how}: ≥ 30% of the bare ceiling, p99 ≤ 100 ms`, met: null, detail: p.skipped });
        continue;
      }
      out.push({
        text: `${p.name}${how}: ≥ 30% of the bare ceiling's req/s`,
        met: clean(p) && p.rps >= bare * 0.3,
        detail: `${p.rps} req/s = ${pct(p.rps, bare)} of ${bare}${failures(p)}`,
      });
      out.push({
        text: `${p.name}${how}: p99 ≤ 100 ms at ${r.connections} connections`,
        met: clean(p) && p.p99 <= 100,
        detail: `p99 ${p.p99} ms${failures(p)}`,
      });
    }
  };
  studentTargets(r.pages, '', bareRps);
  if (r.noHold) studentTargets(r.noHold.pages, ', session read on every request', rpsOf(r.noHold.pages, BARE_NAME) || bareRps);
  for (const p of r.pages.filter((x) => x.group === 'student' && targetedStudentPage(x.name))) {
    if (!isRun(p)) continue;
    const small = r.compare ? byName(r.compare.pages, p.name) : undefined;
    if (r.compare && isRun(small)) {
      out.push({
        text: `${p.name}: same SQL queries per request at ${r.compare.learners} and ${r.learners} learners (no N+1)`,
        met: Math.abs(small.queriesPerRequest - p.queriesPerRequest) < 0.5,
        detail: `${small.queriesPerRequest} vs ${p.queriesPerRequest}`,
      });
      out.push({
        text: `${p.name}: req/s and p99 within 20% at ${r.compare.learners} and ${r.learners} learners`,
        met: within(p.rps, small.rps, 0.2) && within(p.p99, small.p99, 0.2),
        detail: `${small.rps} → ${p.rps} req/s, p99 ${small.p99} → ${p.p99} ms`,
      });
    }
  }
  for (const p of r.pages.filter((x) => x.group === 'feed')) {
    out.push(
      isRun(p)
        ? {
            text: `${p.name}: ≥ 25% of the bare ceiling's req/s`,
            met: clean(p) && p.rps >= bareRps * 0.25,
            detail: `${p.rps} req/s = ${pct(p.rps, bareRps)} of ${bareRps}${failures(p)}`,
          }
        : { text: `${p.name}: ≥ 25% of the bare ceiling`, met: null, detail: p.skipped },
    );
  }
  const pagesRun = r.pages.filter(isRun).filter((p) => p.group !== 'ceiling');
  const writing = pagesRun.filter((p) => p.walBytesPerRequest !== null && p.walBytesPerRequest > 16);
  out.push({
    text: 'No write on a page view (PostgreSQL WAL ≤ 16 bytes per request on every page)',
    met: pagesRun.some((p) => p.walBytesPerRequest !== null) ? writing.length === 0 : null,
    detail: writing.length
      ? writing.map((p) => `${p.name}: ${p.walBytesPerRequest} B/req`).join('; ')
      : 'every page 0–16 B/req (background checkpoints and autovacuum included)',
  });
  for (const p of r.pages.filter((x) => x.group === 'instructor')) {
    out.push(
      isRun(p)
        ? { text: `${p.name}: p99 ≤ 150 ms`, met: clean(p) && p.p99 <= 150, detail: `p99 ${p.p99} ms, ${p.rps} req/s${failures(p)}` }
        : { text: `${p.name}: p99 ≤ 150 ms`, met: null, detail: p.skipped },
    );
  }
  if ('skipped' in r.csv) out.push({ text: 'Gradebook CSV streamed, < 10 s, constant memory', met: null, detail: r.csv.skipped });
  else {
    const growth = r.csv.peakRssMb - r.csv.rssBeforeMb;
    out.push({
      text: `Gradebook CSV of ${r.learners} students in < 10 s`,
      met: r.csv.status === 200 && r.csv.seconds < 10 && r.csv.rows >= r.learners,
      detail: `${r.csv.rows} rows in ${r.csv.seconds} s`,
    });
    out.push({
      text: 'Gradebook CSV streamed in constant memory (peak RSS grows < 50 MB)',
      met: growth < 50,
      detail: `RSS ${r.csv.rssBeforeMb} → peak ${r.csv.peakRssMb} MB`,
    });
  }
  if (r.reminders && 'skipped' in r.reminders) out.push({ text: 'Reminder run: < 2 minutes, 0 duplicates, 0 lost', met: null, detail: r.reminders.skipped });
  else if (r.reminders) {
    const m = r.reminders;
    out.push({
      text: `Reminder run for ${r.learners} learners in < 2 minutes`,
      met: m.seconds < 120 && m.received >= m.learnersDue,
      detail: `${m.received} emails in ${m.seconds} s`,
    });
    out.push({
      text: 'Reminder run: 0 duplicates, 0 lost',
      met: m.duplicates === 0 && m.lost === 0 && m.failed === 0,
      detail: `${m.duplicates} duplicates, ${m.lost} lost, ${m.failed} failed`,
    });
  }
  if (r.pglite) {
    for (const lite of r.pglite.pglite.filter((x) => x.group === 'student')) {
      const pgPage = byName(r.pglite.postgres, lite.name);
      if (!isRun(lite) || !isRun(pgPage)) continue;
      out.push({
        text: `PGlite, ${lite.name} at ${r.pglite.learners} learners: p99 within 3× of PostgreSQL`,
        met: clean(lite) && lite.p99 <= pgPage.p99 * 3,
        detail: `${lite.rps} vs ${pgPage.rps} req/s, p99 ${lite.p99} vs ${pgPage.p99} ms`,
      });
    }
  }
  return out;
}

export function renderReport(r: BenchReport): string {
  const lines = [
    '# Benchmark results (latest run)',
    '',
    `Written by \`npm run bench\` (bench/bench.ts) on ${r.finishedAt}; started ${r.startedAt}. ${r.machine}`,
    `Load: autocannon on loopback, ${r.connections} connections, ${r.duration} s per page after a warm-up, best of ${r.rounds} rounds (each page runs on every database back to back, round after round, so a busy moment on this shared machine hits all of them); the app is one process (NODE_ENV=production, a pool of ${r.poolSize} connections: best of 2–50 tried on this 2-core machine, where PostgreSQL shares the cores — docs/scale.md) on PostgreSQL with ${r.learners} seeded learners. Two ceilings, served by the same process in the same run: the *bare* ceiling is the page through express + ejs alone (mounted before every middleware: no helmet, session, passport or csrf), the *middleware ceiling* the same page through the same layout and middleware as every page, with no database work; "vs bare" is the page's req/s as a share of the bare ceiling. "WAL bytes/req" is what PostgreSQL wrote to its log during the run, per request (a page view should write nothing). "Solo request" is the median of 20 requests made one at a time before the load (what one user waits when nothing else runs).`,
    '',
    ...r.seeds.map((s) => `- ${s}`),
    '',
    `## ${r.learners} learners, PostgreSQL`,
    '',
    ...pageTable(r.pages),
    '',
  ];
  if (!('skipped' in r.csv)) {
    lines.push('| Export | status | rows | MB | seconds | first byte ms | RSS before MB | peak RSS MB |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    lines.push(
      `| ${r.csv.path} | ${r.csv.status} | ${r.csv.rows} | ${(r.csv.bytes / 1e6).toFixed(1)} | ${r.csv.seconds} | ${r.csv.firstByteMs} | ${r.csv.rssBeforeMb} | ${r.csv.peakRssMb} |`,
      '',
    );
  } else lines.push(`Gradebook CSV: ${r.csv.skipped}`, '');
  if (r.noHold) {
    lines.push(
      `## ${r.learners} learners, PostgreSQL, every request reads its session (SESSION_HOLD_MS=0)`,
      '',
      "Above, the 50 connections share one signed-in session per page, so the session hold (src/http/session-store.ts: an instance keeps a session's read for its next page views for 2 s) serves nearly every request. Here the same pages are served by a second app process with the hold off, as when every request is a different reader's first view.",
      '',
      ...pageTable(r.noHold.pages),
      '',
    );
  }
  if (r.compare) {
    lines.push(`## ${r.compare.learners} learners, PostgreSQL (same run, for comparison)`, '', ...pageTable(r.compare.pages), '');
  }
  if (r.pglite) {
    lines.push(`## ${r.pglite.learners} learners, embedded PGlite (no DATABASE_URL)`, '', ...pageTable(r.pglite.pglite), '');
  }
  if (r.reminders && !('skipped' in r.reminders)) {
    const m = r.reminders;
    lines.push(
      '## Reminder run',
      '',
      `The worker's reminder and delivery jobs through their own API (bench/reminder-worker.ts) in ${m.workers} processes at once, as ${m.workers} worker instances would: each runs ${m.queuers} reminder run(s) and ${m.lanes} delivery lanes draining the outbox while it fills, with a pooled SMTP transport, to an smtp-server in the bench process. As of 2020-04-23 03:00 UTC every student's LeadEd503x reminder is due; earlier offsets are skipped as superseded. Timed from the first worker's start to the last one's end (process start-up excluded).`,
      '',
      '| students due | reminder rows planned | emails received | unique | duplicates | lost | failed | total s | planned + queued in s | sent over s | emails/s |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${m.learnersDue} | ${m.planned} | ${m.received} | ${m.unique} | ${m.duplicates} | ${m.lost} | ${m.failed} | ${m.seconds} | ${m.queueSeconds} | ${m.deliverSeconds} | ${m.perSecond} |`,
      '',
    );
  } else if (r.reminders) lines.push(`Reminder run: ${r.reminders.skipped}`, '');
  lines.push('## Targets (issue 19 for pages and the feed; issue 9 for the export and the reminder run)', '', '| Target | Met? | Figure |', '|---|---|---|');
  for (const t of targets(r)) lines.push(`| ${t.text} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} | ${t.detail} |`);
  lines.push('', 'What limits the targets that are not met, and what would lift them: docs/scale.md.', '');
  return lines.join('\n');
}
