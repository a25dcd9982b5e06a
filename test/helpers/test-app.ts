import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { buildContext } from '../../src/bootstrap';
import { SettableClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import type { DatabaseHandle } from '../../src/db/connect';
import { smtpSender } from '../../src/mail/transport';
import { runJobsOnce } from '../../src/worker/worker';
import { DEMO_PASSWORD, freshDatabase } from './db';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

/**
 * Everything a test file needs: its own database (cloned from the seeded template), the app,
 * a real in-process SMTP server, and a clock it can move. Call `close()` in afterAll.
 *
 *   const t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
 *   const ava = await t.login('student1@cohort.example');
 *   const res = await ava.get('/');
 *   await ava.post('/settings', { timeZone: 'Asia/Manila' });   // CSRF token added for you
 */
export interface TestApp {
  app: Express;
  ctx: AppContext;
  db: AppContext['db'];
  handle: DatabaseHandle;
  clock: SettableClock;
  /** The instant the clock was pinned to at start (restoreClockAfterEach puts it back). */
  startedAt: string;
  smtp: SmtpSink;
  /** Runs the worker's jobs once (e.g. delivers queued email to `smtp`). */
  runWorker(): Promise<void>;
  login(email: string, password?: string): Promise<Session>;
  anonymous(): Session;
  close(): Promise<void>;
}

export interface Session {
  agent: ReturnType<typeof request.agent>;
  csrf(): Promise<string>;
  /** Forget the cached token (the session id, and so the token, changes at login). */
  forgetCsrf(): void;
  get(path: string): request.Test;
  /** POST a url-encoded form with a valid CSRF token (pass `_csrf` yourself to override). */
  post(path: string, form?: Record<string, string | string[]>): Promise<request.Response>;
  /** POST multipart: fields plus optional file attachments. */
  upload(
    path: string,
    fields: Record<string, string>,
    files?: { field: string; buffer: Buffer; filename: string; contentType?: string }[],
  ): Promise<request.Response>;
}

export const ENV_FOR_TESTS = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'error',
  BASE_URL: 'http://cohort.test',
  MAIL_FROM: 'EDUC 551/639 Cohort Companion <cohort@cohort.example>',
} as const;

export function extractCsrf(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('No CSRF token on the page');
  return m[1];
}

function session(app: Express): Session {
  const agent = request.agent(app);
  let token: string | null = null;
  const csrf = async () => {
    if (!token) {
      const res = await agent.get('/login');
      // logged in users are redirected from /login; take the token from the home page then
      token = res.status === 200 ? extractCsrf(res.text) : extractCsrf((await agent.get('/settings')).text);
    }
    return token;
  };
  return {
    agent,
    csrf,
    forgetCsrf: () => {
      token = null;
    },
    get: (path) => agent.get(path),
    post: async (path, form = {}) => {
      const body = { _csrf: await csrf(), ...form };
      return agent.post(path).type('form').send(body);
    },
    upload: async (path, fields, files = []) => {
      let req = agent.post(path).field('_csrf', await csrf());
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      for (const f of files) req = req.attach(f.field, f.buffer, { filename: f.filename, contentType: f.contentType ?? 'application/octet-stream' });
      return req;
    },
  };
}

export async function startTestApp(opts: { now?: string; env?: Record<string, string> } = {}): Promise<TestApp> {
  const handle = await freshDatabase();
  const smtp = await startSmtpSink();
  const startedAt = opts.now ?? '2020-01-27T15:00:00Z';
  const clock = new SettableClock(startedAt);
  const config = loadConfig({ ...ENV_FOR_TESTS, ...opts.env } as NodeJS.ProcessEnv);
  const ctx = buildContext(config, handle, { clock, mail: smtpSender(smtp.url) });
  const app = createApp(ctx);
  return {
    app,
    ctx,
    db: ctx.db,
    handle,
    clock,
    startedAt,
    smtp,
    runWorker: () => runJobsOnce(ctx),
    login: async (email, password = DEMO_PASSWORD) => {
      const s = session(app);
      const res = await s.post('/login', { email, password });
      if (res.status !== 303) throw new Error(`login as ${email} failed: ${res.status}`);
      s.forgetCsrf();
      return s;
    },
    anonymous: () => session(app),
    close: async () => {
      ctx.mail.close();
      await smtp.close();
      await handle.close();
    },
  };
}
