import type { Fixture } from './fixtures';

/**
 * The authorization matrix: every route in src/http/route-table.ts, with what each persona gets.
 * A route missing here fails the security suite: declare who may call a new route. It is a
 * specification (what a careful reviewer expects), not a recording of what the code does.
 *   allow      the handler ran (2xx, or for a POST any 2xx–4xx answer but 401/403/404)
 *   login      303 to /login
 *   forbidden  403
 *   notfound   404 (a record the persona may not know exists)
 *   redirect   3xx somewhere other than /login (e.g. a signed-in user at /login)
 *   gone       410 (dead secret link)
 *   badrequest 400 (a GET a platform calls with parameters the matrix does not send, e.g. LTI login)
 *
 * The personas (see fixtures.ts): student A (student1, EDUC 551) owns the fixture records;
 * student B (student2, EDUC 639) is in another section and shares no team or peer assignment
 * with A on the fixture team; the teammate shares A's Lesson 02 Team Practice team; the peer
 * assessor is assigned to assess A for the LeadEd502x portfolio; the instructor sees all.
 * The product rules: a teammate sees the team's artifact but none of A's own work; the peer
 * assessor sees A's LeadEd502x study guides and team artifacts read-only, and nothing else of
 * A's; only the instructor grades.
 */
export type Outcome = 'allow' | 'login' | 'forbidden' | 'notfound' | 'redirect' | 'gone' | 'badrequest';
export type Persona = 'anonymous' | 'studentA' | 'studentB' | 'teammate' | 'peerAssessor' | 'community' | 'instructor';
export type SignedInPersona = Exclude<Persona, 'anonymous'>;
export const STUDENT_PERSONAS = ['studentA', 'studentB', 'teammate', 'peerAssessor'] as const;

/**
 * The order the suite calls each route in: the personas who must be refused go before student A,
 * so A's own destructive calls (delete, leave…) cannot hide a missing ownership check.
 */
export const PERSONA_ORDER: readonly Persona[] = ['anonymous', 'studentB', 'community', 'teammate', 'peerAssessor', 'studentA', 'instructor'];

export interface RouteExpectation {
  /** Path parameters beyond the defaults in fixtures.ts (e.g. a record that belongs to student A). */
  params?: (f: Fixture) => Record<string, string | number>;
  expect: Record<Persona, Outcome>;
}

type Students = Outcome | Partial<Record<(typeof STUDENT_PERSONAS)[number], Outcome>>;

/**
 * anonymous → `anonymous`, every student → `students` (one outcome, or per persona), instructor →
 * `instructor`, the community learner → `community`: by default what student B gets (a learner who
 * owns none of A's records and shares nothing with A). Campus-only routes say 'forbidden'.
 */
function outcomes(anonymous: Outcome, students: Students, instructor: Outcome, community?: Outcome): Record<Persona, Outcome> {
  const each = (p: (typeof STUDENT_PERSONAS)[number]) => (typeof students === 'string' ? students : (students[p] ?? 'notfound'));
  return {
    anonymous,
    studentA: each('studentA'),
    studentB: each('studentB'),
    teammate: each('teammate'),
    peerAssessor: each('peerAssessor'),
    community: community ?? each('studentB'),
    instructor,
  };
}

const everyone = (o: Outcome) => outcomes(o, o, o);
const signedIn = outcomes('login', 'allow', 'allow');
const instructorOnly = outcomes('login', 'forbidden', 'allow');
/** Every learner's (campus students and the community learner). */
const studentsOnly = outcomes('login', 'allow', 'forbidden');
/** The campus cohort's only: grades, attendance, extensions, portfolio submission, peer assessment, announcements (issue 17). */
const campusOnly = outcomes('login', 'allow', 'forbidden', 'forbidden');
const guestPage = outcomes('allow', 'redirect', 'redirect');
/** A's partnership (progressions): A and the instructor; anyone else is told it does not exist. */
const partnershipMembers = outcomes('login', { studentA: 'allow' }, 'allow');
/** A's own record: nobody else may know it exists; the instructor sees all. */
const ownerOnly = outcomes('login', { studentA: 'allow' }, 'allow');
/** A's own record changed by a student-only route: the instructor is refused by the route table. */
const ownerOnlyStudentRoute = outcomes('login', { studentA: 'allow' }, 'forbidden');
/** A's LeadEd502x lesson work: A, A's peer assessor (read-only) and the instructor. */
const ownerAssessorInstructor = outcomes('login', { studentA: 'allow', peerAssessor: 'allow' }, 'allow');
/** The team's shared artifact: its members (A, the teammate), A's peer assessor, the instructor. */
const teamReaders = outcomes('login', { studentA: 'allow', teammate: 'allow', peerAssessor: 'allow' }, 'allow');
/** The peer assessment of A: its assessor writes it; the instructor reads it; A reads it only once submitted, elsewhere. */
const assessorPage = outcomes('login', { peerAssessor: 'allow' }, 'allow');
const assessorWrites = outcomes('login', { peerAssessor: 'allow' }, 'forbidden');

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
  // a staged roster import (preview): only the instructor of its offering sees or confirms it
  'GET /instructor/roster/imports/:rosterImportId': { expect: instructorOnly },
  'POST /instructor/roster/imports/:rosterImportId/confirm': { expect: instructorOnly },
  // the instructor keeps the roster (issue 13): a bystander student, so the personas stay enrolled
  'GET /instructor/roster/students/:userId': { params: (f) => ({ userId: f.ids.bystander }), expect: instructorOnly },
  'POST /instructor/roster/students/:userId': { params: (f) => ({ userId: f.ids.bystander }), expect: instructorOnly },
  'POST /instructor/roster/students/:userId/drop': { params: (f) => ({ userId: f.ids.bystander }), expect: instructorOnly },
  'POST /instructor/roster/students/:userId/re-enroll': { params: (f) => ({ userId: f.ids.bystander }), expect: instructorOnly },
  // bounce handling (issue 16): the instructor clears a student's "Email undeliverable" mark
  'POST /instructor/roster/students/:userId/retry-email': { params: (f) => ({ userId: f.ids.bystander }), expect: instructorOnly },
  // the community (issue 17): :code is an open join link; a made-up confirmation token is gone; the
  // instructor removes and restores a community learner who is not the community persona.
  'GET /join/:code': { expect: everyone('allow') },
  'POST /join/:code': { expect: everyone('allow') },
  'GET /join/confirm/:token': { expect: everyone('gone') },
  'POST /join/confirm/:token': { expect: everyone('allow') },
  'POST /instructor/roster/join-links': { expect: instructorOnly },
  'POST /instructor/roster/join-links/:linkId/revoke': { expect: instructorOnly },
  'GET /instructor/community': { expect: instructorOnly },
  'POST /instructor/community/:userId/remove': { params: (f) => ({ userId: f.ids.communityBystander }), expect: instructorOnly },
  'POST /instructor/community/:userId/restore': { params: (f) => ({ userId: f.ids.communityBystander }), expect: instructorOnly },
  'GET /confirm-email/:token': { expect: everyone('gone') },
  'POST /confirm-email/:token': { expect: everyone('gone') },
  // attendance and events (issue 5): :eventId is a campus meeting; edit/cancel use the fixture office hours.
  'GET /instructor/attendance': { expect: instructorOnly },
  'GET /instructor/attendance/:eventId': { expect: instructorOnly },
  'POST /instructor/attendance/:eventId': { expect: instructorOnly },
  'GET /attendance': { expect: campusOnly },
  'POST /attendance/:eventId/absence-notice': { params: (f) => ({ eventId: f.ids.upcomingMeeting }), expect: campusOnly },
  'GET /instructor/events': { expect: instructorOnly },
  'POST /instructor/events': { expect: instructorOnly },
  'GET /instructor/events/:eventId/edit': { params: (f) => ({ eventId: f.ids.officeHours }), expect: instructorOnly },
  'POST /instructor/events/:eventId/edit': { params: (f) => ({ eventId: f.ids.officeHours }), expect: instructorOnly },
  'POST /instructor/events/:eventId/cancel': { params: (f) => ({ eventId: f.ids.officeHours }), expect: instructorOnly },
  'GET /instructor/overview': { expect: instructorOnly },
  // lesson work (issue 3): the fixture study guide, file, Enrichment entry and share are student A's
  // (LeadEd502x Lesson 01); A and B share a seeded Lesson 01 team; :teamId is A's Lesson 02 team
  // ("Reason and Rationality", with the teammate; B and the peer assessor are not in it).
  'GET /lessons': { expect: signedIn },
  'GET /lessons/:unitId': { expect: signedIn },
  'POST /lessons/:unitId/components/:componentId': { expect: studentsOnly },
  'POST /lessons/:unitId/learning-check': { expect: studentsOnly },
  'POST /lessons/:unitId/note': { expect: studentsOnly },
  'POST /lessons/:unitId/enrichment': { expect: studentsOnly },
  'POST /lessons/:unitId/enrichment/:entryId/delete': { expect: ownerOnlyStudentRoute },
  'POST /lessons/:unitId/celebrate': { expect: studentsOnly },
  'POST /lessons/:unitId/celebrate/:shareId/delete': { expect: ownerOnlyStudentRoute },
  'POST /lessons/:unitId/celebrate/:shareId/hide': { params: (f) => ({ shareId: f.ids.shareToModerate }), expect: instructorOnly },
  'POST /lessons/:unitId/celebrate/:shareId/show': { params: (f) => ({ shareId: f.ids.shareToModerate }), expect: instructorOnly },
  'GET /instructor/students/:userId/lessons/:unitId': { expect: instructorOnly },
  'POST /lessons/:unitId/study-guide': { expect: studentsOnly },
  // Only A has a study guide for the unit to delete or restore (each acts on their own guide).
  'POST /lessons/:unitId/study-guide/delete': { expect: ownerOnlyStudentRoute },
  'POST /lessons/:unitId/study-guide/restore': { expect: ownerOnlyStudentRoute },
  'GET /study-guides/:guideId/versions': { expect: ownerAssessorInstructor },
  'GET /study-guides/:guideId/versions/:versionNo': { expect: ownerAssessorInstructor },
  'POST /lessons/:unitId/teams': { expect: studentsOnly },
  'POST /lessons/:unitId/teams/join': { expect: studentsOnly },
  'POST /lessons/:unitId/team-artifact': { expect: studentsOnly },
  // The community learner is in no team on the unit: nothing to leave.
  'POST /lessons/:unitId/teams/leave': { expect: { ...studentsOnly, community: 'notfound' } },
  'GET /teams/:teamId/artifact': { expect: teamReaders },
  // :attachmentId is the file on A's study guide (not on a team artifact): the teammate may not have it.
  'GET /attachments/:attachmentId': { expect: ownerAssessorInstructor },
  // progressions (issue 7): A is the fixture partnership's only member.
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
  // A signed one-click link (src/mail/unsubscribe.ts); the matrix's made-up token is tampered: a 404 for all, the POST too (no CSRF 403).
  'GET /unsubscribe/:token': { expect: everyone('notfound') },
  'POST /unsubscribe/:token': { expect: everyone('notfound') },
  // portfolios and extensions (issue 4): each student's own portfolio pages; the fixture
  // submission and extension request are A's (the peer assessor does not see A's portfolio).
  'GET /portfolios': { expect: studentsOnly },
  'GET /portfolios/:requirementId': { expect: studentsOnly },
  'POST /portfolios/:requirementId/reflection': { expect: studentsOnly },
  'GET /portfolios/:requirementId/reflection/versions': { expect: studentsOnly },
  'POST /portfolios/:requirementId/submit': { expect: campusOnly },
  'GET /portfolios/:requirementId/submissions/:submissionId': { expect: ownerOnly },
  'GET /instructor/students/:userId/portfolios/:requirementId': { expect: instructorOnly },
  'GET /portfolios/:requirementId/extension': { expect: campusOnly },
  'POST /portfolios/:requirementId/extension': { expect: campusOnly },
  'GET /instructor/extensions': { expect: instructorOnly },
  // instructor-initiated extensions (issue 13)
  'GET /instructor/extensions/grant': { expect: instructorOnly },
  'POST /instructor/extensions/grant': { expect: instructorOnly },
  'GET /instructor/extensions/:extensionId': { expect: instructorOnly },
  'POST /instructor/extensions/:extensionId/decide': { expect: instructorOnly },
  // peer assessment, grading, certificates (issue 6): :assignmentId is the peer assessor's
  // assignment to assess A; only the instructor grades.
  'GET /instructor/peer-assignments/:requirementId': { expect: instructorOnly },
  'POST /instructor/peer-assignments/:requirementId': { expect: instructorOnly },
  'GET /peer-assessments': { expect: campusOnly },
  'GET /peer-assessments/received/:requirementId': { expect: campusOnly },
  'GET /peer-assessments/:assignmentId': { expect: assessorPage },
  'POST /peer-assessments/:assignmentId': { expect: { ...assessorWrites, community: 'forbidden' } },
  'GET /instructor/gradebook': { expect: instructorOnly },
  'GET /instructor/gradebook.csv': { expect: instructorOnly },
  'GET /instructor/submissions/:submissionId/grade': { expect: instructorOnly },
  'POST /instructor/submissions/:submissionId/grade': { expect: instructorOnly },
  'GET /portfolios/:requirementId/feedback': { expect: campusOnly },
  'GET /certificates': { expect: campusOnly },
  // reminders and announcements (issue 5): :reminderId is one of A's reminders.
  'GET /instructor/reminders': { expect: instructorOnly },
  // The fixture announcement went to everyone in the course: every student and the instructor read it.
  // Announcements are the campus cohort's (issue 17): the community learner is refused by the route table.
  'GET /announcements': { expect: outcomes('login', 'allow', 'allow', 'forbidden') },
  // The inbox (issue 16): a student's own; :noticeId is A's notice (opening it leads to the page it is about: a redirect).
  'GET /inbox': { expect: studentsOnly },
  'GET /inbox/notices/:noticeId': { expect: outcomes('login', { studentA: 'redirect' }, 'forbidden') },
  'POST /inbox/read-all': { expect: studentsOnly },
  'GET /announcements/:announcementId': { expect: outcomes('login', 'allow', 'allow', 'forbidden') },
  'GET /instructor/reminders/:reminderId/preview': { expect: instructorOnly },
  'GET /instructor/announcements': { expect: instructorOnly },
  'POST /instructor/announcements': { expect: instructorOnly },
  // edX import (issue 5): :importId is the fixture import of a LeadEd502x grade report.
  'GET /instructor/edx-import': { expect: instructorOnly },
  'POST /instructor/edx-import': { expect: instructorOnly },
  'GET /instructor/edx-import/imports/:importId': { expect: instructorOnly },
  'POST /instructor/edx-import/imports/:importId/link': { expect: instructorOnly },
  'GET /instructor/edx-import/mapping/:edxCourseId': { expect: instructorOnly },
  'POST /instructor/edx-import/mapping/:edxCourseId': { expect: instructorOnly },
  'GET /instructor/edx-import/progress/:edxCourseId': { expect: instructorOnly },
  'GET /progress/edx': { expect: campusOnly },
  // insights (issue 5)
  'GET /instructor/insights': { expect: instructorOnly },
  'GET /instructor/insights/learning-check/:unitId.csv': { expect: instructorOnly },
  'GET /instructor/insights/learning-check/:unitId': { expect: instructorOnly },
  'GET /instructor/run-charts': { expect: instructorOnly },
  // the LTI tool (issue 18, in progress): its public keys are public; the registered platforms are the instructor's
  'GET /lti/jwks': { expect: everyone('allow') },
  'GET /instructor/lti': { expect: instructorOnly },
  'POST /instructor/lti/platforms': { expect: instructorOnly },
  // The LTI endpoints a platform calls (src/lti/launch.routes.ts): public, each authorized by a single-use
  // secret it carries, which the matrix does not have: refused alike for everyone, never a 5xx.
  'GET /lti/login': { expect: everyone('badrequest') },
  'POST /lti/login': { expect: everyone('allow') },
  'POST /lti/launch': { expect: everyone('allow') },
  'GET /lti/continue': { expect: everyone('badrequest') },
  'POST /lti/open': { expect: everyone('allow') },
  'POST /lti/link': { expect: everyone('allow') },
  'POST /lti/deep-link': { expect: everyone('allow') },
};

/** The persona a test acting as "someone allowed" should use for a route (instructor first, then A, then the others). */
export function allowedPersona(e: RouteExpectation | undefined): Persona {
  const order: Persona[] = ['instructor', 'studentA', 'peerAssessor', 'teammate', 'studentB'];
  return order.find((p) => e?.expect[p] === 'allow') ?? 'anonymous';
}

export const personaPresets = { everyone, signedIn, instructorOnly, studentsOnly, guestPage };
