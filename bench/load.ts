import autocannon from 'autocannon';
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

export async function load(app: RunningApp, name: string, urlPath: string, cookie: string | null, duration: number): Promise<LoadResult> {
  const headers: Record<string, string> = { ...PROXY_HEADERS, ...(cookie ? { cookie } : {}) };
  const probe = await fetch(`${app.base}${urlPath}`, { headers, redirect: 'manual' });
  const bytes = (await probe.arrayBuffer()).byteLength;
  if (probe.status !== 200) throw new Error(`${name}: GET ${urlPath} answered ${probe.status}`);
  const solo = await soloRequests(app, urlPath, headers);
  await autocannon({ url: `${app.base}${urlPath}`, connections: 10, duration: Math.min(2, duration), headers });
  await settle(app);
  resetPeakRss(app.pid);
  const r = await autocannon({ url: `${app.base}${urlPath}`, connections: CONNECTIONS, duration, headers });
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
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
  console.log(
    `  ${name.padEnd(34)} ${String(result.rps).padStart(6)} req/s  p50 ${result.p50} ms  p97.5 ${result.p975} ms  p99 ${result.p99} ms  ` +
      `${result.queriesPerRequest} queries/req  solo ${result.soloMs} ms  ${result.peakRssMb} MB  ${result.bytes} B${result.non2xx || result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : ''}`,
  );
  return result;
}
