import type { Fixture } from './fixtures';

/**
 * The authorization matrix: every route in src/http/route-table.ts, with what each persona gets.
 * A route missing here fails the security suite: declare who may call a new route.
 *   allow      the handler ran (2xx, or for a POST any 2xx–4xx answer but 401/403/404)
 *   login      303 to /login
 *   forbidden  403
 *   notfound   404 (a record the persona may not know exists)
 *   redirect   3xx somewhere other than /login (e.g. a signed-in user at /login)
 *   gone       410 (dead secret link)
 */
export type Outcome = 'allow' | 'login' | 'forbidden' | 'notfound' | 'redirect' | 'gone';
export type Persona = 'anonymous' | 'studentA' | 'studentB' | 'instructor';

export interface RouteExpectation {
  /** Path parameters beyond the defaults in fixtures.ts (e.g. a record that belongs to student A). */
  params?: (f: Fixture) => Record<string, string | number>;
  expect: Record<Persona, Outcome>;
}

const everyone = (o: Outcome): Record<Persona, Outcome> => ({ anonymous: o, studentA: o, studentB: o, instructor: o });
const signedIn: Record<Persona, Outcome> = { anonymous: 'login', studentA: 'allow', studentB: 'allow', instructor: 'allow' };
const instructorOnly: Record<Persona, Outcome> = { anonymous: 'login', studentA: 'forbidden', studentB: 'forbidden', instructor: 'allow' };
const studentsOnly: Record<Persona, Outcome> = { anonymous: 'login', studentA: 'allow', studentB: 'allow', instructor: 'forbidden' };
const guestPage: Record<Persona, Outcome> = { anonymous: 'allow', studentA: 'redirect', studentB: 'redirect', instructor: 'redirect' };

export const routeMatrix: Record<string, RouteExpectation> = {
  'GET /healthz': { expect: everyone('allow') },
  'GET /readyz': { expect: everyone('allow') },
  'GET /login': { expect: guestPage },
  'POST /login': { expect: everyone('allow') },
  // Signed-in users are logged out and sent to /login; anonymous visitors are sent there too.
  'POST /logout': { expect: everyone('login') },
  'GET /set-password/:token': { expect: everyone('gone') },
  'POST /set-password/:token': { expect: everyone('allow') },
  'GET /forgot-password': { expect: everyone('allow') },
  'POST /forgot-password': { expect: everyone('allow') },
  'GET /settings': { expect: signedIn },
  'POST /settings': { expect: signedIn },
  'GET /': { expect: signedIn },
  'GET /calendar': { expect: signedIn },
  'GET /instructor/roster': { expect: instructorOnly },
  'POST /instructor/roster/import': { expect: instructorOnly },
};

export const personaPresets = { everyone, signedIn, instructorOnly, studentsOnly, guestPage };
