import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { routeTable } from '../../src/http/route-table';
import type { RouteDef } from '../../src/http/routing';
import { databaseFingerprint } from '../helpers/fingerprint';
import { startTestApp, type Session, type TestApp } from '../helpers/test-app';
import { fillPath, loadFixture, PERSONA_EMAILS, type Fixture } from './fixtures';
import { allowedPersona, routeMatrix, type Persona } from './route-matrix';

/**
 * Property: hostile input to any form never gets a 500, and a refused request (4xx) changes
 * nothing in the database. Field names come from the app's own forms (every name="…" in views).
 */
const posts: RouteDef[] = routeTable(() => {
  throw new Error('not used');
}).filter((r) => r.method === 'post');

function formFieldNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ejs')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/name="([A-Za-z_][\w[\]]*)"/g)) names.add(m[1]);
    }
  };
  walk(path.join(__dirname, '..', '..', 'views'));
  names.delete('_csrf');
  return [...names].sort();
}

const fields = formFieldNames();
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'; drop table app_user; --",
    '=HYPERLINK("http://evil")',
    '../../etc/passwd',
    '9'.repeat(400),
    '-1',
    '0',
    '1e309',
    'NaN',
    '2020-02-30',
    '25:99',
    'Mars/Base',
    'S',
    'U',
    'yes',
  ),
  fc.constant('x'.repeat(200_000)),
);
const hostileValue = fc.oneof(hostileString, fc.array(hostileString, { minLength: 2, maxLength: 3 }));
const hostileForm = fc.dictionary(fc.constantFrom(...fields, 'unexpected', '__proto__', 'constructor'), hostileValue, { maxKeys: 8 });

let t: TestApp;
let f: Fixture;
let student: Session;
const sessions = {} as Record<Persona, Session>;
beforeAll(async () => {
  t = await startTestApp();
  f = await loadFixture(t);
  sessions.anonymous = t.anonymous();
  for (const [persona, email] of Object.entries(PERSONA_EMAILS)) sessions[persona as Persona] = await t.login(email);
  student = sessions.studentA;
});
afterAll(() => t.close());

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

describe.each(posts.filter((r) => r.path !== '/logout').map((r) => [`POST ${r.path}`, r] as const))('%s', (name, route) => {
  test('hostile forms: never a 500, and a refused request writes nothing', async () => {
    const e = routeMatrix[name];
    const url = fillPath(route.path, f, e?.params?.(f) ?? {});
    const who = sessions[allowedPersona(e)];
    const csrf = await who.csrf();
    // A refused request leaves the database as it was, so its fingerprint is the next "before".
    let known: Record<string, string> | null = null;
    await fc.assert(
      fc.asyncProperty(hostileForm, async (form) => {
        const before = known ?? (await databaseFingerprint(t.db));
        known = null;
        const res = route.multipart
          ? await Object.entries(form).reduce(
              (req, [k, v]) => (Array.isArray(v) ? v.reduce((r2, one) => r2.field(k, one), req) : req.field(k, v)),
              who.agent.post(url).field('_csrf', csrf),
            )
          : await who.agent
              .post(url)
              .type('form')
              .send({ ...form, _csrf: csrf });
        if (res.status >= 500) throw new Error(`${name} answered ${res.status} to ${JSON.stringify(form).slice(0, 300)}`);
        if (res.status >= 400) {
          expect(await databaseFingerprint(t.db)).toEqual(before);
          known = before;
        }
      }),
      { numRuns: RUNS, seed: 551639 },
    );
  });
});

/** Hostile path parameters (not a number, zero, past int4 and past a safe integer), two per slot in rotation. */
const HOSTILE_PARAMS = ['x', '0', '2147483648', '99999999999999999999'];

test('hostile path parameters on every route never get a 500', async () => {
  const all: RouteDef[] = routeTable(() => {
    throw new Error('not used');
  }).filter((r) => r.path !== '/logout');
  const answers: string[] = [];
  let slot = 0;
  for (const route of all) {
    const e = routeMatrix[`${route.method.toUpperCase()} ${route.path}`];
    const who = sessions[allowedPersona(e)];
    for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
      for (const value of [HOSTILE_PARAMS[slot % 4], HOSTILE_PARAMS[(slot + 1) % 4]]) {
        const url = fillPath(route.path, f, { ...(e?.params?.(f) ?? {}), [name]: value });
        const res = route.method === 'get' ? await who.get(url) : await who.post(url, {});
        if (res.status >= 500) answers.push(`${route.method.toUpperCase()} ${url} → ${res.status}`);
      }
      slot++;
    }
  }
  expect(answers).toEqual([]);
});

test('malformed encodings are refused with a 4xx, never a 500', async () => {
  const csrf = await student.csrf();
  for (const body of [`_csrf=${csrf}&timeZone=%FF%FE%00`, `_csrf=${csrf}&timeZone=%E0%A4%A`, `_csrf=${csrf}&${'a=1&'.repeat(2000)}`]) {
    const res = await student.agent.post('/settings').set('Content-Type', 'application/x-www-form-urlencoded').send(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  }
  const huge = await student.agent
    .post('/settings')
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .send(`_csrf=${csrf}&x=${'y'.repeat(3 * 1024 * 1024)}`);
  expect(huge.status).toBe(413);
});
