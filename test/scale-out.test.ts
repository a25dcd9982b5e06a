import crypto from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../src/app';
import { buildContext } from '../src/bootstrap';
import { SettableClock } from '../src/clock';
import { loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { postgresDatabase, type DatabaseHandle } from '../src/db/connect';
import { enqueueEmail } from '../src/mail/outbox';
import { smtpSender } from '../src/mail/transport';
import { runJobsOnce } from '../src/worker/worker';
import { adminQuery, DEMO_PASSWORD, freshDatabase, templateName, testDatabaseUrl, urlForDatabase } from './helpers/db';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';
import { ENV_FOR_TESTS, extractCsrf } from './helpers/test-app';

/**
 * Scale-out: two app instances on one database, as behind a load balancer. On PostgreSQL each
 * instance has its own connection pool (as two processes would); PGlite allows one process per
 * data dir, so there the two instances share the one embedded database.
 * Sessions and CSRF tokens live in the database, so either instance serves either request;
 * two workers running the job loop at once deliver every queued email, and every reminder,
 * exactly once.
 */
const SECRET = 'scale-out-shared-session-secret-0123456789';
/** Each instance holds a session's read for its page views this long (production: 2 s); what another instance changes shows after it. */
const HOLD_MS = 300;
let handles: DatabaseHandle[] = [];
let dropDatabase: (() => Promise<void>) | null = null;
let smtp: SmtpSink;
let clock: SettableClock;
let a: { app: Express; ctx: AppContext };
let b: { app: Express; ctx: AppContext };

async function openTwo(): Promise<[DatabaseHandle, DatabaseHandle]> {
  const url = testDatabaseUrl();
  if (!url) {
    const one = await freshDatabase();
    return [one, { ...one, close: async () => undefined }];
  }
  const name = `cc_test_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(url, `create database ${name} template ${templateName()}`);
  dropDatabase = () => adminQuery(url, `drop database if exists ${name} with (force)`);
  return [postgresDatabase(urlForDatabase(url, name), 5), postgresDatabase(urlForDatabase(url, name), 5)];
}

function instance(handle: DatabaseHandle, secret = SECRET) {
  const config = loadConfig({ ...ENV_FOR_TESTS, SESSION_SECRET: secret, SESSION_HOLD_MS: String(HOLD_MS) } as NodeJS.ProcessEnv);
  const ctx = buildContext(config, handle, { clock, mail: smtpSender(smtp.url) });
  return { app: createApp(ctx), ctx };
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  clock = new SettableClock('2020-01-06T12:00:00Z'); // before any reminder is due
  handles = await openTwo();
  a = instance(handles[0]);
  b = instance(handles[1]);
});

afterAll(async () => {
  for (const x of [a, b]) x?.ctx.mail.close();
  for (const h of handles) await h.close();
  await dropDatabase?.();
  await smtp?.close();
});

/** Logs in through `app`; returns the session cookie. */
async function loginVia(app: Express, email: string): Promise<string> {
  const page = await request(app).get('/login').expect(200);
  const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0];
  const res = await request(app)
    .post('/login')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: extractCsrf(page.text), email, password: DEMO_PASSWORD });
  expect(res.status).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0];
}

test('each instance has its own connection pool on PostgreSQL (one shared database)', async () => {
  if (testDatabaseUrl()) expect(a.ctx.db).not.toBe(b.ctx.db);
  const marker = `scale-out-${crypto.randomUUID()}`;
  await a.ctx.db
    .insertInto('http_session')
    .values({ sid: marker, sess: JSON.stringify({ cookie: {} }), expires_at: new Date(Date.now() + 60_000) })
    .execute();
  expect(await b.ctx.db.selectFrom('http_session').select('sid').where('sid', '=', marker).executeTakeFirst()).toEqual({ sid: marker });
});

test('a session made on one instance works on the other: pages, CSRF-checked forms, logout', async () => {
  const cookie = await loginVia(a.app, 'student3@cohort.example');
  const home = await request(b.app).get('/').set('Cookie', cookie).expect(200);
  expect(home.text).toContain('Olivia Bennett');

  // A form rendered by instance A, posted to instance B: the CSRF token lives in the shared session.
  const calendar = await request(a.app).get('/calendar').set('Cookie', cookie).expect(200);
  const made = await request(b.app)
    .post('/calendar/feed/regenerate')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: extractCsrf(calendar.text) });
  expect(made.status).toBe(303);
  const after = await request(a.app).get('/calendar').set('Cookie', cookie).expect(200);
  expect(after.text).toMatch(/\/calendar\/feed\/[A-Za-z0-9_-]{32,}\.ics/);

  // Logging out on B ends the session on A too: A's forms at once (a post always reads the session), its pages once the hold has passed.
  const out = await request(b.app)
    .post('/logout')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: extractCsrf(after.text) });
  expect(out.status).toBe(303);
  const refused = await request(a.app)
    .post('/calendar/feed/regenerate')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: extractCsrf(after.text) });
  expect(refused.status).toBe(403); // no session: its CSRF token went with it
  await new Promise((r) => setTimeout(r, HOLD_MS + 100));
  const gone = await request(a.app).get('/').set('Cookie', cookie);
  expect(gone.status).toBe(303);
  expect(gone.headers.location).toMatch(/^\/login/);
});

test('every instance needs the same SESSION_SECRET: a cookie signed with another is not a session', async () => {
  const other = instance(handles[1], 'a-different-secret-for-this-instance-0123456789');
  try {
    const cookie = await loginVia(a.app, 'student5@cohort.example');
    expect((await request(b.app).get('/').set('Cookie', cookie)).status).toBe(200);
    const res = await request(other.app).get('/').set('Cookie', cookie);
    expect(res.status).toBe(303);
  } finally {
    other.ctx.mail.close();
  }
});

test('two workers running the job loop at once deliver each queued email once', async () => {
  smtp.clear();
  const n = 130; // more than two delivery batches of 50, so both workers claim at the same time
  await a.ctx.db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i++) {
      await enqueueEmail(trx, {
        kind: 'scale_out_test',
        userId: null,
        to: `reader${i}@cohort.example`,
        subject: `Scale-out message ${i}`,
        text: `Message ${i}`,
        dedupeKey: `scale-out:${i}`,
      });
    }
  });
  for (let round = 0; round < 4; round++) await Promise.all([runJobsOnce(a.ctx), runJobsOnce(b.ctx)]);

  const received = smtp.messages.filter((m) => m.subject.startsWith('Scale-out message'));
  expect(received).toHaveLength(n);
  expect(new Set(received.map((m) => m.messageId)).size).toBe(n);
  const rows = await b.ctx.db.selectFrom('outbound_email').select(['status', 'attempts']).where('kind', '=', 'scale_out_test').execute();
  expect(rows).toHaveLength(n);
  expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
});

test('two workers running the job loop at once send each due reminder once', async () => {
  smtp.clear();
  // 2020-02-27 03:00 UTC, two hours before the LeadEd502x deadline (the end of Feb 26 in Detroit):
  // every offset's reminder is due in every demo student's zone; each student gets the latest one.
  clock.set('2020-02-27T03:00:00Z');
  for (let round = 0; round < 4; round++) await Promise.all([runJobsOnce(a.ctx), runJobsOnce(b.ctx)]);

  const reminders = smtp.messages.filter((m) => m.headers.get('x-cohort-reminder'));
  const students = await a.ctx.db.selectFrom('app_user').select('email').where('role', '=', 'student').where('deactivated_at', 'is', null).execute();
  expect(reminders.length).toBeGreaterThanOrEqual(students.length);
  const perReminder = new Map<string, number>();
  for (const m of reminders)
    perReminder.set(String(m.headers.get('x-cohort-reminder')), (perReminder.get(String(m.headers.get('x-cohort-reminder'))) ?? 0) + 1);
  expect([...perReminder.values()].every((count) => count === 1)).toBe(true);
  const perStudent = new Map<string, number>();
  for (const m of reminders.filter((x) => x.subject.includes('Portfolio'))) for (const to of m.to) perStudent.set(to, (perStudent.get(to) ?? 0) + 1);
  expect([...perStudent.keys()].sort()).toEqual(students.map((s) => s.email).sort());
  expect([...perStudent.values()].every((count) => count === 1)).toBe(true);
});
