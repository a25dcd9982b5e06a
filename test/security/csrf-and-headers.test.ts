import request from 'supertest';
import { isCsrfExempt } from '../../src/http/csrf';
import { routeTable } from '../../src/http/route-table';
import type { RouteDef } from '../../src/http/routing';
import { databaseFingerprint } from '../helpers/fingerprint';
import { startTestApp, type Session, type TestApp } from '../helpers/test-app';
import { fillPath, loadFixture, PERSONA_EMAILS, type Fixture } from './fixtures';
import { allowedPersona, routeMatrix, type Persona } from './route-matrix';

const posts: RouteDef[] = routeTable(() => {
  throw new Error('not used');
}).filter((r) => r.method === 'post');

let t: TestApp;
let f: Fixture;
const sessions = {} as Record<Persona, Session>;
beforeAll(async () => {
  t = await startTestApp();
  f = await loadFixture(t);
  sessions.anonymous = t.anonymous();
  for (const [persona, email] of Object.entries(PERSONA_EMAILS)) sessions[persona as Persona] = await t.login(email);
});
afterAll(() => t.close());

// The exempt routes (src/http/csrf.ts), posted from another site: RFC 8058 one-click unsubscribe (its
// signed URL is the authority) and the LTI 1.3 endpoints (each authorized by a single-use secret it posts).
const exempt = posts.filter((r) => isCsrfExempt('post', r.path));

test('only one-click unsubscribe and the LTI endpoints are exempt from CSRF, and a forged secret there changes nothing', async () => {
  expect(exempt.map((r) => r.path).sort()).toEqual(['/lti/deep-link', '/lti/launch', '/lti/link', '/lti/login', '/lti/open', '/unsubscribe/:token']);
  const before = await databaseFingerprint(t.db);
  const res = await t.anonymous().agent.post('/unsubscribe/1.reminder_meeting.forged').type('form').send('List-Unsubscribe=One-Click');
  expect(res.status).toBe(404);
  const forged = {
    state: 'forged',
    id_token: 'forged',
    code: 'forged',
    token: 'forged',
    email: 'student1@cohort.example',
    password: 'x',
    choice: 'unit:LeadEd502x-01',
  };
  for (const path of ['/lti/launch', '/lti/open', '/lti/link', '/lti/deep-link']) {
    const answer = await sessions.studentA.agent.post(path).type('form').send(forged);
    expect([path, answer.status >= 400 && answer.status < 500]).toEqual([path, true]);
  }
  expect(await databaseFingerprint(t.db)).toEqual(before);
});

describe.each(posts.filter((r) => !exempt.includes(r)).map((r) => [`POST ${r.path}`, r] as const))('%s', (name, route) => {
  test('refuses a request without a valid CSRF token and changes nothing', async () => {
    const e = routeMatrix[name];
    const path = fillPath(route.path, f, e?.params?.(f) ?? {});
    const who = sessions[allowedPersona(e)];
    const before = await databaseFingerprint(t.db);
    const missing = route.multipart ? await who.agent.post(path).field('x', 'y') : await who.agent.post(path).type('form').send({ x: 'y' });
    const forged = route.multipart ? await who.agent.post(path).field('_csrf', 'forged') : await who.agent.post(path).type('form').send({ _csrf: 'forged' });
    expect([missing.status, forged.status]).toEqual([403, 403]);
    expect(await databaseFingerprint(t.db)).toEqual(before);
  });
});

test('security headers: a strict CSP with no inline script, nosniff, no framing, no x-powered-by', async () => {
  const res = await request(t.app).get('/login');
  const csp = res.headers['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // no inline script blocks
  expect(res.text).not.toMatch(/\sstyle="/i); // no inline style attributes
});

test('the session cookie is HttpOnly and SameSite=Lax; Secure in production', async () => {
  const res = await request(t.app).get('/login');
  const cookie = String(res.headers['set-cookie']);
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  expect(cookie).not.toMatch(/Secure/);
  const prod = await startTestApp({
    env: {
      NODE_ENV: 'production',
      SESSION_SECRET: 'f3a9c1d7e5b2a8c4d6e0f1a3b5c7d9e2f4a6b8c0',
      SMTP_URL: 'smtp://mail:1025',
      BASE_URL: 'https://cohort.example',
    },
  });
  try {
    const secure = await request(prod.app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(String(secure.headers['set-cookie'])).toMatch(/Secure/);
    expect(secure.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
    expect(secure.headers['strict-transport-security']).toBeDefined();
    // Over plain HTTP a Secure session cookie is never set: no session, no login.
    expect((await request(prod.app).get('/login')).headers['set-cookie']).toBeUndefined();
  } finally {
    await prod.close();
  }
});

test('the production build tried on plain http://localhost (docker compose as shipped) still logs in: BASE_URL http:// turns the HTTPS-only settings off', async () => {
  const prod = await startTestApp({
    env: {
      NODE_ENV: 'production',
      SESSION_SECRET: 'f3a9c1d7e5b2a8c4d6e0f1a3b5c7d9e2f4a6b8c0',
      SMTP_URL: 'smtp://mail:1025',
      BASE_URL: 'http://localhost:3000',
    },
  });
  try {
    const res = await request(prod.app).get('/login');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/cc\.sid=.*HttpOnly/);
    expect(cookie).not.toMatch(/Secure/);
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const student = await prod.login('student1@cohort.example');
    expect((await student.get('/')).status).toBe(200);
  } finally {
    await prod.close();
  }
});
