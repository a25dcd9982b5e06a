import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SCALE_AS_OF } from '../src/scale/scale-sql';

/**
 * The app (and the seed) as child processes: `node --import tsx …`, so the pid we watch is the
 * app itself (the `tsx` launcher would put a wrapper process in between). The app runs as in
 * production (NODE_ENV=production: view cache, no dev logging) with the clock pinned to the
 * seeded semester and BENCH_ROUTES=on (/__bench/ceiling, /__bench/stats).
 */
export const root = path.join(__dirname, '..');
export const PASSWORD = 'demo-password-1';
/** The app's pg pool in the bench (BENCH_POOL_SIZE): about twice the cores, as PostgreSQL runs on the same two (docs/scale.md). */
export const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 4);

/** Children still running: stopped if the bench itself is stopped (Ctrl-C) or fails. */
const running = new Set<ChildProcess>();
const stopAll = () => {
  for (const c of running) c.kill('SIGTERM');
};
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAll();
    process.exit(130);
  });
}

export function tsNode(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  output: 'inherit' | 'quiet' | 'capture' = 'inherit',
  nodeArgs: string[] = [],
): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd: root,
    env: childEnv,
    stdio: output === 'inherit' ? 'inherit' : ['ignore', output === 'capture' ? 'pipe' : 'ignore', 'inherit'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Waits for a child to exit successfully; returns what it wrote to stdout when captured. */
export async function runToEnd(child: ChildProcess): Promise<string> {
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`child process exited with ${code}`);
  return Buffer.concat(chunks).toString('utf8');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningApp {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the app; `env` picks the database (DATABASE_URL, or DATA_DIR with DATABASE_URL unset for PGlite). */
export async function startApp(env: Record<string, string | undefined>, nodeArgs: string[] = []): Promise<RunningApp> {
  const port = await freePort();
  const child = tsNode(
    'src/server.ts',
    [],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: `http://127.0.0.1:${port}`,
      WORKER: 'off',
      APP_NOW: SCALE_AS_OF,
      BENCH_ROUTES: 'on',
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      SEED_DEMO_PASSWORD: PASSWORD,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      // The worker is off and no page under load sends mail: production's SMTP requirement is waived knowingly.
      MAIL_WITHOUT_SMTP: 'log-links',
      ...env,
    },
    'quiet',
    nodeArgs,
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (exited) throw new Error('The app exited during start-up (see its output above).');
    if (i > 600) throw new Error('The app did not become ready within two minutes.');
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    pid: child.pid!,
    stop: async () => {
      if (exited) return;
      const done = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** Peak resident memory (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0) / 1024);
}

/** Resets VmHWM to the current RSS (Linux: `echo 5 > /proc/<pid>/clear_refs`), so the next peak is one scenario's own. */
export function resetPeakRss(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    /* not Linux, or not allowed: the peak then covers the process's whole life */
  }
}

export async function appStats(base: string): Promise<{ queries: number; rss: number }> {
  return (await fetch(`${base}/__bench/stats`)).json() as Promise<{ queries: number; rss: number }>;
}
