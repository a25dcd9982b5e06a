import autocannon from 'autocannon';
import pg from 'pg';
import { appStats, peakRssMb, resetPeakRss, type RunningApp } from './app-process';
import { PROXY_HEADERS } from './http';

/**
 * One page under load: a short warm-up, then `duration` seconds of autocannon with 50
 * connections on loopback. SQL queries per request come from the app's own query counter
 * (/__bench/stats) over sequential requests, which also give the time of one request on its
 * own; peak RSS is the app's VmHWM over the measured run.
 */
export interface LoadResult {
  name: string;
  path: string;
  rps: number;
  p50: number;
  p975: number;
  p99: number;
  queriesPerRequest: number;
  peakRssMb: number;
  /** Median time of one request with nothing else running (the sequential requests that count queries). */
  soloMs: number;
  bytes: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** PostgreSQL WAL written per request during the measured run (a page view should write nothing); null on PGlite. */
  walBytesPerRequest: number | null;
  /** The status every request should get: 200, or 304 for a conditional poll (If-None-Match). */
  expected: number;
}

export interface LoadOptions {
  /** Poll with If-None-Match set to the page's ETag: every answer should be 304. */
  conditional?: boolean;
  /** PostgreSQL URL of the app's database, to measure the WAL written during the run. */
  walUrl?: string;
}

async function walLsn(url: string): Promise<bigint> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as b");
    return BigInt(String(r.rows[0].b).split('.')[0]);
  } finally {
    await c.end();
  }
}

export const CONNECTIONS = 50;

/** Waits until the app has finished what earlier requests left in flight (its query counter stops moving). */
async function settle(app: RunningApp): Promise<void> {
  let last = (await appStats(app.base)).queries;
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = (await appStats(app.base)).queries;
    if (now === last) return;
    last = now;
  }
}

/**
 * SQL queries per request, exactly: 20 requests one after another on an idle app, counted by
 * the app's own query counter (under load, requests still in flight when a run ends would blur
 * it); and the median time of those solo requests.
 */
async function soloRequests(app: RunningApp, urlPath: string, headers: Record<string, string>): Promise<{ queries: number; ms: number }> {
  const n = 20;
  await settle(app);
  const before = (await appStats(app.base)).queries;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await (await fetch(`${app.base}${urlPath}`, { headers, redirect: 'manual' })).arrayBuffer();
    times.push(performance.now() - started);
  }
  await settle(app);
  times.sort((a, b) => a - b);
  return { queries: Math.round((((await appStats(app.base)).queries - before) / n) * 10) / 10, ms: Math.round(times[n / 2] * 10) / 10 };
}

export async function load(
  app: RunningApp,
  name: string,
  urlPath: string,
  cookie: string | null,
  duration: number,
  opts: LoadOptions = {},
): Promise<LoadResult> {
  const headers: Record<string, string> = { ...PROXY_HEADERS, ...(cookie ? { cookie } : {}) };
  const first = await fetch(`${app.base}${urlPath}`, { headers, redirect: 'manual' });
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  if (opts.conditional) {
    if (!etag) throw new Error(`${name}: GET ${urlPath} sent no ETag`);
    headers['if-none-match'] = etag;
  }
  const expected = opts.conditional ? 304 : 200;
  const probe = await fetch(`${app.base}${urlPath}`, { headers, redirect: 'manual' });
  const bytes = (await probe.arrayBuffer()).byteLength;
  if (probe.status !== expected) throw new Error(`${name}: GET ${urlPath} answered ${probe.status}, not ${expected}`);
  const solo = await soloRequests(app, urlPath, headers);
  await autocannon({ url: `${app.base}${urlPath}`, connections: 10, duration: Math.min(2, duration), headers });
  await settle(app);
  resetPeakRss(app.pid);
  const walBefore = opts.walUrl ? await walLsn(opts.walUrl) : null;
  const r = await autocannon({ url: `${app.base}${urlPath}`, connections: CONNECTIONS, duration, headers });
  const walAfter = opts.walUrl ? await walLsn(opts.walUrl) : null;
  const answered = r.requests.total;
  // autocannon counts a 304 as "non-2xx": for a conditional poll, what is not a 3xx is the failure.
  const wrong = opts.conditional ? answered - ((r as unknown as Record<string, number>)['3xx'] ?? 0) : r.non2xx;
  const result: LoadResult = {
    name,
    path: urlPath,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p975: r.latency.p97_5,
    p99: r.latency.p99,
    queriesPerRequest: solo.queries,
    peakRssMb: peakRssMb(app.pid),
    soloMs: solo.ms,
    bytes,
    requests: r.requests.total,
    non2xx: Math.max(0, wrong),
    errors: r.errors + r.timeouts,
    walBytesPerRequest: walBefore !== null && walAfter !== null && answered > 0 ? Math.round(Number(walAfter - walBefore) / answered) : null,
    expected,
  };
  console.log(
    `  ${name.padEnd(34)} ${String(result.rps).padStart(6)} req/s  p50 ${result.p50} ms  p97.5 ${result.p975} ms  p99 ${result.p99} ms  ` +
      `${result.queriesPerRequest} queries/req${result.walBytesPerRequest !== null ? `  WAL ${result.walBytesPerRequest} B/req` : ''}  solo ${result.soloMs} ms  ${result.peakRssMb} MB  ${result.bytes} B${result.non2xx || result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : ''}`,
  );
  return result;
}
