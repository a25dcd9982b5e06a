import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { PASSWORD, startApp } from './app-process';
import { PROXY_HEADERS, login } from './http';

/**
 * Where the app's CPU goes under load: starts the app with --cpu-prof, logs in, drives one path
 * with autocannon for a few seconds, stops the app and prints the self time by package/file.
 *
 *   DATABASE_URL=postgres://…/cohort_bench_50000 npx tsx bench/cpu-profile.ts learner1@scale.example /
 *   DATA_DIR=/tmp/cohort-bench-pglite-500 npx tsx bench/cpu-profile.ts learner2@scale.example /lessons/15   (embedded PGlite)
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
async function main() {
  const [email, urlPath = '/', seconds = '8'] = process.argv.slice(2);
  const dir = fs.mkdtempSync('/tmp/cpuprof-');
  const db = process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { DATABASE_URL: undefined, DATA_DIR: process.env.DATA_DIR };
  const app = await startApp(db, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const cookie = email === '-' ? '' : await login(app.base, email, PASSWORD);
  const r = await autocannon({ url: `${app.base}${urlPath}`, connections: 50, duration: Number(seconds), headers: { ...PROXY_HEADERS, cookie } });
  console.log(`${r.requests.average} req/s, p99 ${r.latency.p99} ms, non2xx ${r.non2xx}`);
  await app.stop();
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byKey = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    const u = n.callFrame.url;
    const key = u.includes('node_modules')
      ? u.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
      : u
        ? u.replace(/.*\/work\/[^/]+\//, '').replace(/^file:\/\//, '')
        : `(${n.callFrame.functionName || 'program'})`;
    byKey.set(key, (byKey.get(key) ?? 0) + t);
    const fk = `${n.callFrame.functionName || '(anon)'} ${key}:${n.callFrame.lineNumber}`;
    byFn.set(fk, (byFn.get(fk) ?? 0) + t);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([n, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${n}`)
      .join('\n');
  console.log(`\nby file/package (self time, ${(total / 1e6).toFixed(1)} s sampled)\n${top(byKey, 40)}\n\nby function\n${top(byFn, 50)}`);
  console.log(`\nprofile: ${path.join(dir, file)}`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
