import { routeTable } from '../../src/http/route-table';
import type { RouteDef } from '../../src/http/routing';
import { databaseFingerprint } from '../helpers/fingerprint';
import { startTestApp, type Session, type TestApp } from '../helpers/test-app';
import { fillPath, keepFixture, loadFixture, PERSONA_EMAILS, type Fixture } from './fixtures';
import { PERSONA_ORDER, routeMatrix, STUDENT_PERSONAS, type Outcome, type Persona } from './route-matrix';

/** Every route × every persona, generated from the route table. */
const routes: RouteDef[] = routeTable(() => {
  throw new Error('not used');
});
const key = (r: RouteDef) => `${r.method.toUpperCase()} ${r.path}`;

let t: TestApp;
let f: Fixture;
let fixture: Awaited<ReturnType<typeof keepFixture>>;
const sessions = {} as Record<Persona, Session>;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  f = await loadFixture(t);
  sessions.anonymous = t.anonymous();
  for (const [persona, email] of Object.entries(PERSONA_EMAILS)) sessions[persona as Persona] = await t.login(email);
  fixture = await keepFixture(t);
});
afterAll(() => t.close());

test('every route in the route table has an entry in the authorization matrix, and no entry is stale', () => {
  const inTable = routes.map(key);
  expect(inTable.filter((k) => !(k in routeMatrix))).toEqual([]);
  expect(Object.keys(routeMatrix).filter((k) => !inTable.includes(k))).toEqual([]);
});

test('the matrix agrees with each route’s declared access', () => {
  for (const r of routes) {
    const e = routeMatrix[key(r)]?.expect;
    if (!e) continue;
    if (Array.isArray(r.access)) {
      expect([key(r), e.anonymous]).toEqual([key(r), 'login']);
      if (!r.access.includes('student')) expect([key(r), ...STUDENT_PERSONAS.map((p) => e[p])]).toEqual([key(r), ...STUDENT_PERSONAS.map(() => 'forbidden')]);
      if (!r.access.includes('community')) expect([key(r), e.community]).toEqual([key(r), 'forbidden']);
      if (!r.access.includes('instructor')) expect([key(r), e.instructor]).toEqual([key(r), 'forbidden']);
    }
    if (r.access === 'authenticated') expect([key(r), e.anonymous]).toEqual([key(r), 'login']);
  }
});

function classify(res: { status: number; headers: Record<string, string> }, method: string): Outcome | `status ${number}` {
  const s = res.status;
  if (s === 303 || s === 302) return /^\/login(\?|$)/.test(res.headers.location ?? '') ? 'login' : method === 'post' ? 'allow' : 'redirect';
  if (s === 403) return 'forbidden';
  if (s === 404) return 'notfound';
  if (s === 410) return 'gone';
  if (s === 400 && method === 'get') return 'badrequest';
  if (s >= 500) return `status ${s}`;
  if (method === 'get') return s >= 200 && s < 300 ? 'allow' : `status ${s}`;
  return s === 401 || s === 429 || (s >= 200 && s < 500) ? 'allow' : `status ${s}`;
}

describe.each(routes.map((r) => [key(r), r] as const))('%s', (_name, route) => {
  test.each([...PERSONA_ORDER])('as %s', async (persona) => {
    const expectation = routeMatrix[key(route)];
    if (!expectation) throw new Error(`${key(route)} is missing from the matrix`);
    const path = fillPath(route.path, f, expectation.params?.(f) ?? {});
    // Logging out would end the shared sessions: use a throwaway one for it.
    const s = route.path === '/logout' && persona !== 'anonymous' ? await t.login(PERSONA_EMAILS[persona]) : sessions[persona];
    // A write the route table let through but the service refused (not theirs) must change nothing.
    const expected = expectation.expect[persona];
    const role = persona === 'instructor' ? 'instructor' : persona === 'community' ? 'community' : 'student';
    const passesGuard = persona !== 'anonymous' && (route.access === 'authenticated' || (Array.isArray(route.access) && route.access.includes(role)));
    const before = route.method === 'post' && passesGuard && (expected === 'notfound' || expected === 'forbidden') ? await databaseFingerprint(t.db) : null;
    try {
      const res = route.method === 'get' ? await s.get(path) : await s.post(path, {});
      expect([persona, classify(res as never, route.method)]).toEqual([persona, expected]);
      if (before) expect(await databaseFingerprint(t.db)).toEqual(before);
    } finally {
      if (route.method === 'post' && passesGuard) await fixture.restore();
    }
  });
});
