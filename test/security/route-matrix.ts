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
/** A partnership's members (studentA) and the instructor; anyone else is told it does not exist. */
const partnershipMembers: Record<Persona, Outcome> = { anonymous: 'login', studentA: 'allow', studentB: 'notfound', instructor: 'allow' };
/** Student A's own record: B may not know it exists; the instructor sees all. */
const ownerOnly: Record<Persona, Outcome> = { anonymous: 'login', studentA: 'allow', studentB: 'notfound', instructor: 'allow' };
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
  // progressions (issue 7): studentA is the fixture partnership's member, studentB is not.
  'GET /progressions': { expect: signedIn },
  'GET /progressions/rubric': { expect: signedIn },
  'GET /progressions/partnerships/new': { expect: instructorOnly },
  'POST /progressions/partnerships': { expect: instructorOnly },
  'GET /progressions/partnerships/:partnershipId': { expect: partnershipMembers },
  'POST /progressions/partnerships/:partnershipId': { expect: instructorOnly },
  'GET /progressions/partnerships/:partnershipId/edit': { expect: instructorOnly },
  'GET /progressions/partnerships/:partnershipId/assessments/new': { expect: partnershipMembers },
  'POST /progressions/partnerships/:partnershipId/assessments': { expect: partnershipMembers },
  'GET /progressions/partnerships/:partnershipId/history': { expect: partnershipMembers },
  'GET /progressions/partnerships/:partnershipId/compare': { expect: partnershipMembers },
  'GET /progressions/assessments/:assessmentId': { expect: partnershipMembers },
  'GET /progressions/assessments/:assessmentId/export.csv': { expect: partnershipMembers },
  // calendar feed (issue 3): a guessed token finds nothing.
  'POST /calendar/feed/regenerate': { expect: signedIn },
  'POST /calendar/feed/revoke': { expect: signedIn },
  'GET /calendar/feed/:token.ics': { expect: everyone('notfound') },
  // portfolios and extensions (issue 4): the fixture submission and extension request are student A's.
  'GET /portfolios': { expect: studentsOnly },
  'GET /portfolios/:requirementId': { expect: studentsOnly },
  'POST /portfolios/:requirementId/reflection': { expect: studentsOnly },
  'GET /portfolios/:requirementId/reflection/versions': { expect: studentsOnly },
  'POST /portfolios/:requirementId/submit': { expect: studentsOnly },
  'GET /portfolios/:requirementId/submissions/:submissionId': { expect: ownerOnly },
  'GET /instructor/students/:userId/portfolios/:requirementId': { expect: instructorOnly },
  'GET /portfolios/:requirementId/extension': { expect: studentsOnly },
  'POST /portfolios/:requirementId/extension': { expect: studentsOnly },
  'GET /instructor/extensions': { expect: instructorOnly },
  'GET /instructor/extensions/:extensionId': { expect: instructorOnly },
  'POST /instructor/extensions/:extensionId/decide': { expect: instructorOnly },
  // lesson work (issue 3): the fixture study guide, file, Enrichment entry and share are student A's;
  // A and B share a seeded Lesson 01 team; the fixture :teamId is A's Lesson 02 team (B is not in it).
  'GET /lessons': { expect: signedIn },
  'GET /lessons/:unitId': { expect: signedIn },
  'POST /lessons/:unitId/components/:componentId': { expect: studentsOnly },
  'POST /lessons/:unitId/learning-check': { expect: studentsOnly },
  'POST /lessons/:unitId/note': { expect: studentsOnly },
  'POST /lessons/:unitId/enrichment': { expect: studentsOnly },
  'POST /lessons/:unitId/enrichment/:entryId/delete': { expect: { anonymous: 'login', studentA: 'allow', studentB: 'notfound', instructor: 'forbidden' } },
  'POST /lessons/:unitId/celebrate': { expect: studentsOnly },
  'POST /lessons/:unitId/celebrate/:shareId/delete': { expect: { anonymous: 'login', studentA: 'allow', studentB: 'notfound', instructor: 'forbidden' } },
  'POST /lessons/:unitId/celebrate/:shareId/hide': { params: (f) => ({ shareId: f.ids.shareToModerate }), expect: instructorOnly },
  'POST /lessons/:unitId/celebrate/:shareId/show': { params: (f) => ({ shareId: f.ids.shareToModerate }), expect: instructorOnly },
  'GET /instructor/students/:userId/lessons/:unitId': { expect: instructorOnly },
  'POST /lessons/:unitId/study-guide': { expect: studentsOnly },
  // B has no study guide for the unit to delete or restore.
  'POST /lessons/:unitId/study-guide/delete': { expect: { anonymous: 'login', studentA: 'allow', studentB: 'notfound', instructor: 'forbidden' } },
  'POST /lessons/:unitId/study-guide/restore': { expect: { anonymous: 'login', studentA: 'allow', studentB: 'notfound', instructor: 'forbidden' } },
  'GET /study-guides/:guideId/versions': { expect: ownerOnly },
  'GET /study-guides/:guideId/versions/:versionNo': { expect: ownerOnly },
  'POST /lessons/:unitId/teams': { expect: studentsOnly },
  'POST /lessons/:unitId/teams/join': { expect: studentsOnly },
  'POST /lessons/:unitId/team-artifact': { expect: studentsOnly },
  'POST /lessons/:unitId/teams/leave': { expect: studentsOnly },
  'GET /teams/:teamId/artifact': { expect: ownerOnly },
  'GET /attachments/:attachmentId': { expect: ownerOnly },
};

export const personaPresets = { everyone, signedIn, instructorOnly, studentsOnly, guestPage };
