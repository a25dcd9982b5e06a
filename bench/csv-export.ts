import fs from 'node:fs';
import { peakRssMb, resetPeakRss, type RunningApp } from './app-process';
import { PROXY_HEADERS } from './http';

/**
 * A CSV export read to the end as a client would, counting bytes and lines as they stream:
 * time to the first byte, total time, rows, and the app's peak RSS during the download
 * compared with its RSS before (a streamed export keeps memory flat whatever the row count).
 */
export interface CsvResult {
  path: string;
  status: number;
  seconds: number;
  firstByteMs: number;
  rows: number;
  bytes: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024);
}

export async function downloadCsv(app: RunningApp, urlPath: string, cookie: string): Promise<CsvResult> {
  resetPeakRss(app.pid);
  const rssBeforeMb = rssMb(app.pid);
  const started = performance.now();
  const res = await fetch(`${app.base}${urlPath}`, { headers: { ...PROXY_HEADERS, cookie }, redirect: 'manual' });
  let firstByteMs = 0;
  let bytes = 0;
  let lines = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!firstByteMs) firstByteMs = Math.round(performance.now() - started);
      bytes += value.byteLength;
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    }
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const result: CsvResult = {
    path: urlPath,
    status: res.status,
    seconds,
    firstByteMs,
    rows: Math.max(0, lines - 1),
    bytes,
    rssBeforeMb,
    peakRssMb: peakRssMb(app.pid),
  };
  console.log(
    `  ${urlPath}: ${res.status}, ${result.rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds} s (first byte ${firstByteMs} ms), RSS ${rssBeforeMb} → peak ${result.peakRssMb} MB`,
  );
  return result;
}
