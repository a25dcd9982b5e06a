import { samplePng } from '../helpers/sample-files';
import { startTestApp, type Session, type TestApp } from '../helpers/test-app';
import { loadFixture, PERSONA_EMAILS, type Fixture } from './fixtures';
import { ownedRowsFingerprint } from './owned-rows';
import type { Persona, SignedInPersona } from './route-matrix';
import { artifactFields, guideFields, withBase } from '../helpers/versions';

/**
 * IDOR: the other personas know (or guess) the ids of student A's records. What the matrix cannot
 * say in one cell per route: every kind of A's record under every other persona, hostile form
 * fields naming A, proof in the database that a refused or redirected write left A's rows as they
 * were, A's private text absent from everyone else's pages, and the peer assessor's reach being
 * A's work for the assessed course only, while the assignment is current.
 */
let t: TestApp;
let f: Fixture;
const s = {} as Record<Persona, Session>;
/** Records made in beforeAll, beyond the shared fixture. */
const x = {} as Record<'lesson02' | 'guide503' | 'guideFile503' | 'team503' | 'teamFile503', number>;

const MARKERS = {
  note: 'A-PRIVATE-NOTE-7731',
  learningCheck: 'A-PRIVATE-CHECK-7731',
  guide: 'A-PRIVATE-GUIDE-7731',
  reflection: 'What I learned this term (A only)',
  extension: 'A family matter',
  assessmentOfA: 'About A, submitted',
  assessmentByA: 'Written by A, submitted',
  draftByA: 'Written by A, a later draft',
} as const;

const png = samplePng();
const file = (field: string) => [{ field, buffer: png, filename: 'work.png', contentType: 'image/png' }];

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  f = await loadFixture(t);
  s.anonymous = t.anonymous();
  for (const [persona, email] of Object.entries(PERSONA_EMAILS)) s[persona as Persona] = await t.login(email);
  const a = s.studentA;
  const unit = f.ids.unit;
  x.lesson02 = (await t.db.selectFrom('team').select('unit_id').where('id', '=', f.ids.team).executeTakeFirstOrThrow()).unit_id;
  // A's private lesson work on the fixture unit (LeadEd502x Lesson 01), through the app.
  expect((await a.post(`/lessons/${unit}/note`, { note_body: MARKERS.note })).status).toBe(303);
  expect(
    (
      await a.post(
        `/lessons/${unit}/learning-check`,
        await withBase(a, `/lessons/${unit}`, `/lessons/${unit}/learning-check`, { understanding: MARKERS.learningCheck, strengths: 'x', weaknesses: 'y' }),
      )
    ).status,
  ).toBe(303);
  expect((await a.upload(`/lessons/${unit}/study-guide`, await guideFields(a, unit, { guide_body: MARKERS.guide }))).status).toBe(303);
  // A's work in the other edX course (LeadEd503x Lesson 01): a study guide with a file, and a team artifact with a file.
  const unit503 = (
    await t.db
      .selectFrom('unit')
      .innerJoin('edx_course as c', 'c.id', 'unit.edx_course_id')
      .select('unit.id')
      .where('c.code', '=', 'LeadEd503x')
      .where('unit.kind', '=', 'lesson')
      .orderBy('unit.position')
      .executeTakeFirstOrThrow()
  ).id;
  expect((await a.upload(`/lessons/${unit503}/study-guide`, await guideFields(a, unit503, { guide_body: 'A 503x guide' }), file('guide_file'))).status).toBe(
    303,
  );
  expect((await a.post(`/lessons/${unit503}/teams`, { team_name: 'A 503x team' })).status).toBe(303);
  expect(
    (await a.upload(`/lessons/${unit503}/team-artifact`, await artifactFields(a, unit503, { artifact_body: 'A 503x artifact' }), file('artifact_file'))).status,
  ).toBe(303);
  const guide = await t.db
    .selectFrom('study_guide as g')
    .innerJoin('study_guide_version as v', 'v.study_guide_id', 'g.id')
    .select(['g.id', 'v.attachment_id'])
    .where('g.user_id', '=', f.ids.studentA)
    .where('g.unit_id', '=', unit503)
    .executeTakeFirstOrThrow();
  const team = await t.db
    .selectFrom('team as tm')
    .innerJoin('team_artifact_version as v', 'v.team_id', 'tm.id')
    .select(['tm.id', 'v.attachment_id'])
    .where('tm.unit_id', '=', unit503)
    .executeTakeFirstOrThrow();
  Object.assign(x, { guide503: guide.id, guideFile503: guide.attachment_id!, team503: team.id, teamFile503: team.attachment_id! });
});
afterAll(() => t.close());

/** A's records as the URLs that read them. */
const reads = {
  guideVersions: () => `/study-guides/${f.ids.studyGuide}/versions`,
  guideVersion: () => `/study-guides/${f.ids.studyGuide}/versions/1`,
  guideFile: () => `/attachments/${f.ids.attachment}`,
  teamArtifact: () => `/teams/${f.ids.team}/artifact`,
  teamFile: () => `/attachments/${f.ids.teamAttachment}`,
  submission: () => `/portfolios/${f.ids.requirement}/submissions/${f.ids.submission}`,
  assessmentOfA: () => `/peer-assessments/${f.ids.peerAssignment}`,
  assessmentByA: () => `/peer-assessments/${f.ids.aAssignment}`,
  partnership: () => `/progressions/partnerships/${f.ids.partnership}`,
  progressionAssessment: () => `/progressions/assessments/${f.ids.assessment}`,
  guide503: () => `/study-guides/${x.guide503}/versions`,
  guideFile503: () => `/attachments/${x.guideFile503}`,
  team503: () => `/teams/${x.team503}/artifact`,
  teamFile503: () => `/attachments/${x.teamFile503}`,
} as const;
type Read = keyof typeof reads;

/** Who may read what of A's (everything else: 404). The peer assessor assesses A for LeadEd502x only. */
const mayRead: Record<SignedInPersona, readonly Read[]> = {
  studentA: [
    'guideVersions',
    'guideVersion',
    'guideFile',
    'teamArtifact',
    'teamFile',
    'submission',
    'assessmentByA',
    'partnership',
    'progressionAssessment',
    'guide503',
    'guideFile503',
    'team503',
    'teamFile503',
  ],
  studentB: [],
  // A community learner who shares no team with A (issue 17): nothing of A's.
  community: [],
  teammate: ['teamArtifact', 'teamFile'],
  peerAssessor: ['guideVersions', 'guideVersion', 'guideFile', 'teamArtifact', 'teamFile', 'assessmentOfA'],
  instructor: Object.keys(reads) as Read[],
};

describe.each(['studentB', 'community', 'teammate', 'peerAssessor', 'instructor', 'studentA'] as const)('reading A’s records by id as %s', (persona) => {
  test.each(Object.keys(reads) as Read[])('%s', async (record) => {
    const res = await s[persona].get(reads[record]());
    expect([record, res.status]).toEqual([record, mayRead[persona].includes(record) ? 200 : 404]);
  });
});

describe('A’s private text appears on no one else’s pages', () => {
  const pages = (f: Fixture) => [
    '/',
    '/calendar',
    '/lessons',
    `/lessons/${f.ids.unit}`,
    `/lessons/${x.lesson02}`,
    '/portfolios',
    `/portfolios/${f.ids.requirement}`,
    `/portfolios/${f.ids.requirement}/reflection/versions`,
    `/portfolios/${f.ids.requirement}/extension`,
    `/portfolios/${f.ids.requirement}/feedback`,
    '/peer-assessments',
    `/peer-assessments/received/${f.ids.requirement}`,
    '/attendance',
    '/certificates',
    '/progress/edx',
    '/progressions',
  ];
  test.each(['studentB', 'teammate', 'peerAssessor'] as const)('as %s', async (persona) => {
    // A's submitted assessment of the peer assessor is theirs to read; nothing else of A's is.
    const hidden = [
      ...Object.entries(MARKERS)
        .filter(([k]) => !(persona === 'peerAssessor' && k === 'assessmentByA'))
        .map(([, v]) => v),
      f.values.feedToken,
    ];
    for (const page of pages(f)) {
      const res = await s[persona].get(page);
      expect([page, res.status]).toEqual([page, 200]);
      for (const secret of hidden) expect([page, res.text.includes(secret)]).toEqual([page, false]);
    }
  });
  test('as the community learner, on every page a community learner has', async () => {
    const campusOnly = new Set(['/peer-assessments', '/attendance', '/certificates', '/progress/edx']);
    const theirs = pages(f).filter((p) => !campusOnly.has(p) && !/\/(extension|feedback)$|\/peer-assessments\/received\//.test(p));
    expect(theirs.length).toBeGreaterThanOrEqual(9);
    for (const page of theirs) {
      const res = await s.community.get(page);
      expect([page, res.status]).toEqual([page, 200]);
      for (const secret of [...Object.values(MARKERS), f.values.feedToken]) expect([page, res.text.includes(secret)]).toEqual([page, false]);
      // Nor a campus student's grade, attendance or extension facts: those pages are refused outright.
    }
    for (const page of pages(f).filter((p) => !theirs.includes(p))) expect([page, (await s.community.get(page)).status]).toEqual([page, 403]);
  });
  test('A sees them (the markers are real)', async () => {
    const lesson = await s.studentA.get(`/lessons/${f.ids.unit}`);
    expect(lesson.text).toContain(MARKERS.note);
    expect(lesson.text).toContain(MARKERS.guide);
    expect((await s.studentA.get(`/peer-assessments/received/${f.ids.requirement}`)).text).toContain(MARKERS.assessmentOfA);
    expect((await s.studentA.get('/calendar')).text).toContain(f.values.feedToken);
  });
});

interface Attack {
  name: string;
  as: SignedInPersona;
  path: (f: Fixture) => string;
  form?: (f: Fixture) => Record<string, string>;
  multipart?: boolean;
  status: number;
  /** What the attacker has first, made by the attacker through HTTP (so the attack does not depend on another test running before it). */
  given?: (f: Fixture) => Promise<void>;
}

/** Hostile extra fields: a handler that read any of these would act on A's records. */
const namingA = (f: Fixture): Record<string, string> => ({
  user_id: String(f.ids.studentA),
  userId: String(f.ids.studentA),
  owner_user_id: String(f.ids.studentA),
  email: PERSONA_EMAILS.studentA,
});

const answers = { collegial_interactions: 'x', work_products: 'x', strength: 'x', suggestion: 'x', comments: 'overwritten' };

const attacks: Attack[] = [
  { name: 'B deletes A’s Enrichment entry', as: 'studentB', path: (f) => `/lessons/${f.ids.unit}/enrichment/${f.ids.enrichmentEntry}/delete`, status: 404 },
  {
    name: 'the teammate deletes A’s Enrichment entry',
    as: 'teammate',
    path: (f) => `/lessons/${f.ids.unit}/enrichment/${f.ids.enrichmentEntry}/delete`,
    status: 404,
  },
  {
    name: 'B deletes A’s Celebrate Success share',
    as: 'studentB',
    path: (f) => `/lessons/${f.ids.unit}/celebrate/${f.ids.celebrateShare}/delete`,
    status: 404,
  },
  { name: 'B hides A’s share (moderation)', as: 'studentB', path: (f) => `/lessons/${f.ids.unit}/celebrate/${f.ids.celebrateShare}/hide`, status: 403 },
  {
    name: 'B saves a study guide naming A’s guide',
    as: 'studentB',
    multipart: true,
    path: (f) => `/lessons/${f.ids.unit}/study-guide`,
    form: (f) => ({ ...namingA(f), guide_body: 'B was here', base_version: '', guideId: String(f.ids.studyGuide), study_guide_id: String(f.ids.studyGuide) }),
    status: 303,
  },
  {
    name: 'B deletes a study guide naming A',
    as: 'studentB',
    path: (f) => `/lessons/${f.ids.unit}/study-guide/delete`,
    form: (f) => ({ ...namingA(f), guideId: String(f.ids.studyGuide) }),
    status: 303,
    // B deletes B's own guide (303) whichever attack ran first: B writes one here (the same text as
    // the save attack's, so neither save is a stale edit of the other, in either order).
    given: async (f) => {
      expect((await s.studentB.upload(`/lessons/${f.ids.unit}/study-guide`, { guide_body: 'B was here', base_version: '' })).status).toBe(303);
    },
  },
  {
    name: 'the peer assessor deletes a study guide naming A',
    as: 'peerAssessor',
    path: (f) => `/lessons/${f.ids.unit}/study-guide/delete`,
    form: namingA,
    status: 404,
  },
  {
    name: 'B saves a team artifact into A’s Lesson 02 team',
    as: 'studentB',
    multipart: true,
    path: () => `/lessons/${x.lesson02}/team-artifact`,
    form: (f) => ({ ...namingA(f), artifact_body: 'B was here', base_version: '', team_id: String(f.ids.team), teamId: String(f.ids.team) }),
    status: 403,
  },
  {
    name: 'B leaves A’s team for A',
    as: 'studentB',
    path: () => `/lessons/${x.lesson02}/teams/leave`,
    form: (f) => ({ ...namingA(f), team_id: String(f.ids.team) }),
    status: 404,
  },
  {
    name: 'B saves a reflection naming A',
    as: 'studentB',
    path: (f) => `/portfolios/${f.ids.requirement}/reflection`,
    form: (f) => ({ ...namingA(f), reflection_body: 'B was here', base_version: '' }),
    status: 303,
  },
  {
    name: 'B submits a portfolio naming A',
    as: 'studentB',
    path: (f) => `/portfolios/${f.ids.requirement}/submit`,
    form: (f) => ({ ...namingA(f), confirm: 'yes', submissionId: String(f.ids.submission) }),
    status: 303,
  },
  {
    name: 'B requests an extension naming A’s request',
    as: 'studentB',
    path: (f) => `/portfolios/${f.ids.requirement}/extension`,
    form: (f) => ({ ...namingA(f), reason: 'B was here', proposed_due_on: '2020-03-05', extensionId: String(f.ids.extension) }),
    status: 303,
  },
  {
    name: 'B decides A’s extension request',
    as: 'studentB',
    path: (f) => `/instructor/extensions/${f.ids.extension}/decide`,
    form: () => ({ decision: 'approve', granted_due_on: '2020-03-04', message: '' }),
    status: 403,
  },
  {
    name: 'B writes into the peer assessment of A',
    as: 'studentB',
    path: (f) => `/peer-assessments/${f.ids.peerAssignment}`,
    form: () => ({ ...answers, action: 'submit' }),
    status: 404,
  },
  {
    name: 'the teammate writes into the peer assessment of A',
    as: 'teammate',
    path: (f) => `/peer-assessments/${f.ids.peerAssignment}`,
    form: () => ({ ...answers, action: 'draft' }),
    status: 404,
  },
  {
    name: 'B rewrites A’s own peer assessment',
    as: 'studentB',
    path: (f) => `/peer-assessments/${f.ids.aAssignment}`,
    form: () => ({ ...answers, action: 'submit' }),
    status: 404,
  },
  {
    name: 'the peer assessor (A’s assessee there) rewrites A’s peer assessment',
    as: 'peerAssessor',
    path: (f) => `/peer-assessments/${f.ids.aAssignment}`,
    form: () => ({ ...answers, action: 'submit' }),
    status: 404,
  },
  {
    name: 'B grades A’s submission',
    as: 'studentB',
    path: (f) => `/instructor/submissions/${f.ids.submission}/grade`,
    form: () => ({ grade: 'U', feedback: 'B was here' }),
    status: 403,
  },
  {
    name: 'the peer assessor grades A’s submission',
    as: 'peerAssessor',
    path: (f) => `/instructor/submissions/${f.ids.submission}/grade`,
    form: () => ({ grade: 'U', feedback: 'P was here' }),
    status: 403,
  },
  { name: 'B revokes a feed link naming A', as: 'studentB', path: () => '/calendar/feed/revoke', form: namingA, status: 303 },
  { name: 'B regenerates a feed link naming A', as: 'studentB', path: () => '/calendar/feed/regenerate', form: namingA, status: 303 },
  {
    name: 'B saves settings naming A (reminders follow settings)',
    as: 'studentB',
    path: () => '/settings',
    form: (f) => ({ ...namingA(f), timeZone: 'Pacific/Auckland', meetingReminders: '' }),
    status: 303,
  },
  {
    name: 'B records an assessment in A’s partnership',
    as: 'studentB',
    path: (f) => `/progressions/partnerships/${f.ids.partnership}/assessments`,
    form: () => ({ assessedOn: '2020-01-20' }),
    status: 404,
  },
  {
    name: 'B notifies an absence naming A',
    as: 'studentB',
    path: (f) => `/attendance/${f.ids.upcomingMeeting}/absence-notice`,
    form: (f) => ({ ...namingA(f), reason: 'B away' }),
    status: 303,
  },
];

describe('writes aimed at A’s records change none of A’s rows', () => {
  test.each(attacks.map((a) => [a.name, a] as const))('%s', async (_name, attack) => {
    await attack.given?.(f);
    const before = await ownedRowsFingerprint(t.db, f.ids.studentA);
    const who = s[attack.as];
    const form = attack.form?.(f) ?? {};
    const res = attack.multipart ? await who.upload(attack.path(f), form) : await who.post(attack.path(f), form);
    expect(res.status).toBe(attack.status);
    expect(await ownedRowsFingerprint(t.db, f.ids.studentA)).toEqual(before);
  });

  test('A’s feed link still works after B’s attempts; a guessed or altered token finds nothing', async () => {
    const token = f.values.feedToken;
    expect((await s.anonymous.get(`/calendar/feed/${token}.ics`)).status).toBe(200);
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const guess of [altered, token.slice(0, -1), token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase(), `${token}x`]) {
      expect([guess, (await s.studentB.get(`/calendar/feed/${guess}.ics`)).status]).toEqual([guess, 404]);
    }
  });
});

describe('peer assessment of A', () => {
  test('the assessor’s draft stays private to the assessor; A reads only the submitted version', async () => {
    const draft = 'P-DRAFT-PRIVATE-7731';
    const res = await s.peerAssessor.post(`/peer-assessments/${f.ids.peerAssignment}`, { ...answers, comments: draft, action: 'draft' });
    expect(res.status).toBe(303);
    expect((await s.peerAssessor.get(`/peer-assessments/${f.ids.peerAssignment}`)).text).toContain(draft);
    const received = await s.studentA.get(`/peer-assessments/received/${f.ids.requirement}`);
    expect(received.text).toContain(MARKERS.assessmentOfA);
    expect(received.text).not.toContain(draft);
    for (const p of ['studentB', 'teammate'] as const)
      expect((await s[p].get(`/peer-assessments/received/${f.ids.requirement}`)).text).not.toContain(MARKERS.assessmentOfA);
  });

  test('a study guide A deleted is out of the assessor’s reach; A and the instructor still read it, and restoring brings it back', async () => {
    const guideReads = ['guideVersions', 'guideVersion', 'guideFile'] as const;
    for (const record of guideReads) expect([record, (await s.peerAssessor.get(reads[record]())).status]).toEqual([record, 200]);
    expect((await s.studentA.post(`/lessons/${f.ids.unit}/study-guide/delete`, {})).status).toBe(303);
    for (const record of guideReads) {
      expect([record, (await s.peerAssessor.get(reads[record]())).status]).toEqual([record, 404]);
      expect([record, (await s.studentA.get(reads[record]())).status]).toEqual([record, 200]);
      expect([record, (await s.instructor.get(reads[record]())).status]).toEqual([record, 200]);
    }
    expect((await s.studentA.post(`/lessons/${f.ids.unit}/study-guide/restore`, {})).status).toBe(303);
    for (const record of guideReads) expect([record, (await s.peerAssessor.get(reads[record]())).status]).toEqual([record, 200]);
  });

  // It retires the fixture assignment, and puts it back afterwards so the tests after it (in any order) have it.
  test('once the assignment is replaced, the former assessor reaches nothing of A’s', async () => {
    const retire = (at: Date | null) => t.db.updateTable('peer_assignment').set({ replaced_at: at }).where('id', '=', f.ids.peerAssignment).execute();
    await retire(t.clock.now());
    try {
      for (const record of ['guideVersions', 'guideVersion', 'guideFile', 'teamArtifact', 'teamFile', 'assessmentOfA'] as const) {
        expect([record, (await s.peerAssessor.get(reads[record]())).status]).toEqual([record, 404]);
      }
      const before = await ownedRowsFingerprint(t.db, f.ids.studentA);
      expect((await s.peerAssessor.post(`/peer-assessments/${f.ids.peerAssignment}`, { ...answers, action: 'submit' })).status).toBe(404);
      expect(await ownedRowsFingerprint(t.db, f.ids.studentA)).toEqual(before);
    } finally {
      await retire(null);
    }
  });
});
