import { isDerangement } from '../src/peer-assessment/assignment';
import { portfolioChecklist } from '../src/portfolio/checklist';
import { samplePdf } from './helpers/sample-files';
import { lessonUnitId } from './helpers/course';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { artifactFields, guideFields } from './helpers/versions';
import { step } from './helpers/story';

/**
 * Peer assessment through HTTP: the instructor's seeded assignment (teammates preferred,
 * reproducible), roster changes and hand swaps; the assessor's page (the assessee's work and
 * nobody else's), drafts and submission; the assessee sees it only once submitted.
 * Seeded LeadEd502x teams: Lesson 1 {1,2,3} {4,5,6,7} {8,9}, Lesson 2 {1,4,8}; 10–12 have none.
 */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const nameOf: Record<number, string> = {};
let req502: number;
let req503: number;
let lesson1: number;
let offeringId: number;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-10T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  for (const u of await t.db.selectFrom('app_user').select(['id', 'email', 'name', 'offering_id']).execute()) {
    ids[u.email.split('@')[0]] = u.id;
    nameOf[u.id] = u.name;
    offeringId = u.offering_id;
  }
  const reqs = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.code'])
    .execute();
  req502 = reqs.find((r) => r.code === 'LeadEd502x')!.id;
  req503 = reqs.find((r) => r.code === 'LeadEd503x')!.id;
  lesson1 = await lessonUnitId(t.db, 'LeadEd502x', 1);
});
afterAll(() => t.close());

const TEAMS = [
  ['student1', 'student2', 'student3'],
  ['student4', 'student5', 'student6', 'student7'],
  ['student8', 'student9'],
  ['student1', 'student4', 'student8'],
];
const teammates = (a: number, b: number) => TEAMS.some((team) => team.some((x) => ids[x] === a) && team.some((x) => ids[x] === b));

async function activePairs(requirementId = req502): Promise<Map<number, number>> {
  const rows = await t.db
    .selectFrom('peer_assignment')
    .select(['assessor_id', 'assessee_id'])
    .where('portfolio_requirement_id', '=', requirementId)
    .where('replaced_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.assessor_id, r.assessee_id]));
}

const activeStudents = async () =>
  (await t.db.selectFrom('app_user').select('id').where('role', '=', 'student').where('deactivated_at', 'is', null).execute()).map((r) => r.id);

async function assignmentId(assessor: number, requirementId = req502): Promise<number> {
  const row = await t.db
    .selectFrom('peer_assignment')
    .select('id')
    .where('assessor_id', '=', assessor)
    .where('portfolio_requirement_id', '=', requirementId)
    .where('replaced_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.id;
}

const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);

test('peer assessment of LeadEd502x: assignment with a seed, access to current work, no rerun after assessments start, hand swaps', async () => {
  await step('the instructor assigns peers with a seed: a derangement, teammates preferred, reproducible; students get 403', async () => {
    const empty = await instructor.get(`/instructor/peer-assignments/${req502}`).expect(200);
    expect(empty.text).toContain('No pairs yet');

    const res = await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'winter-2020' });
    expect(res.status).toBe(303);
    const page = (await instructor.get(`/instructor/peer-assignments/${req502}`).expect(200)).text;
    // Students 1–9 can all assess a teammate; 10–12 never shared a team, so 9 is the maximum.
    expect(page).toContain('Assigned 12 students with seed “winter-2020”: 9 assess a teammate');
    expect(page).toContain('12 pairs');

    const pairs = await activePairs();
    expect(isDerangement(pairs, await activeStudents())).toBe(true);
    for (const [a, b] of pairs) {
      const inTeams = TEAMS.flat().some((x) => ids[x] === a);
      expect([nameOf[a], teammates(a, b)]).toEqual([nameOf[a], inTeams]);
    }
    const seeds = await t.db.selectFrom('peer_assignment').select('seed').distinct().where('portfolio_requirement_id', '=', req502).execute();
    expect(seeds).toEqual([{ seed: 'winter-2020' }]);

    // The same seed again changes nothing; another seed changes pairs; the first seed brings them back.
    await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'winter-2020' });
    expect(sorted(await activePairs())).toEqual(sorted(pairs));
    expect((await t.db.selectFrom('peer_assignment').select('id').where('portfolio_requirement_id', '=', req502).execute()).length).toBe(12);
    await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'another-seed' });
    const other = await activePairs();
    expect(isDerangement(other, await activeStudents())).toBe(true);
    await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'winter-2020' });
    expect(sorted(await activePairs())).toEqual(sorted(pairs));
    const retired = await t.db
      .selectFrom('peer_assignment')
      .select('id')
      .where('portfolio_requirement_id', '=', req502)
      .where('replaced_at', 'is not', null)
      .execute();
    expect(retired.length).toBeGreaterThan(0); // replaced rows are kept, never deleted

    const bad = await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'no spaces please' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Use letters, digits');
    expect(bad.text).toContain('value="no spaces please"');

    const student = await t.login('student1@cohort.example');
    expect((await student.get(`/instructor/peer-assignments/${req502}`)).status).toBe(403);
    expect((await student.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: '' })).status).toBe(403);
    expect((await instructor.get('/instructor/peer-assignments/999999')).status).toBe(404);
  });

  await step('the assessor sees the assessee’s current work and nobody else’s; drafts stay private; the assessee sees the submitted version', async () => {
    const pairs = await activePairs();
    const assessorId = ids.student1;
    const assesseeId = pairs.get(assessorId)!;
    const assesseeEmail = `${Object.keys(ids).find((k) => ids[k] === assesseeId)}@cohort.example`;
    const outsider = [...pairs.keys()].find((id) => id !== assessorId && id !== assesseeId && pairs.get(id) !== assesseeId)!;
    const outsiderEmail = `${Object.keys(ids).find((k) => ids[k] === outsider)}@cohort.example`;

    const assessee = await t.login(assesseeEmail);
    expect((await assessee.upload(`/lessons/${lesson1}/study-guide`, await guideFields(assessee, lesson1, { guide_body: 'ASSESSEE-GUIDE-v1' }))).status).toBe(
      303,
    );
    expect(
      (
        await assessee.upload(`/lessons/${lesson1}/study-guide`, await guideFields(assessee, lesson1, { guide_body: 'ASSESSEE-GUIDE-v2' }), [
          { field: 'guide_file', buffer: samplePdf(), filename: 'guide.pdf' },
        ])
      ).status,
    ).toBe(303);
    expect(
      (await assessee.upload(`/lessons/${lesson1}/team-artifact`, await artifactFields(assessee, lesson1, { artifact_body: 'TEAM-ARTIFACT-TEXT' }))).status,
    ).toBe(303);
    const other = await t.login(outsiderEmail);
    await other.upload(`/lessons/${lesson1}/study-guide`, await guideFields(other, lesson1, { guide_body: 'OUTSIDER-GUIDE' }));

    const assessor = await t.login('student1@cohort.example');
    const list = (await assessor.get('/peer-assessments').expect(200)).text;
    const id = await assignmentId(assessorId);
    expect(list).toContain(`href="/peer-assessments/${id}"`);
    expect(list).toContain(nameOf[assesseeId]);

    const page = (await assessor.get(`/peer-assessments/${id}`).expect(200)).text;
    expect(page).toContain('ASSESSEE-GUIDE-v2');
    expect(page).not.toContain('ASSESSEE-GUIDE-v1'); // the current version
    expect(page).not.toContain('OUTSIDER-GUIDE');
    expect(page).toContain('Lesson 01 Team Practice artifact');
    expect(page).toContain('TEAM-ARTIFACT-TEXT');
    const file = page.match(/href="\/attachments\/(\d+)"/);
    expect(file).not.toBeNull();
    expect((await assessor.get(`/attachments/${file![1]}`)).status).toBe(200);

    // Nobody else opens the assignment: not the assessee, not another student; the instructor may.
    expect((await assessee.get(`/peer-assessments/${id}`)).status).toBe(404);
    expect((await other.get(`/peer-assessments/${id}`)).status).toBe(404);
    expect(
      (
        await other.post(`/peer-assessments/${id}`, {
          action: 'draft',
          collegial_interactions: 'x',
          work_products: '',
          strength: '',
          suggestion: '',
          comments: '',
        })
      ).status,
    ).toBe(404);
    expect((await instructor.get(`/peer-assessments/${id}`).expect(200)).text).toContain('Not submitted yet');
    expect((await instructor.post(`/peer-assessments/${id}`, { action: 'draft' })).status).toBe(403);

    // A draft: saved as version 1, invisible to the assessee.
    const draft = { collegial_interactions: 'DRAFT-COLLEGIAL', work_products: '', strength: '', suggestion: '', comments: '' };
    expect((await assessor.post(`/peer-assessments/${id}`, { ...draft, action: 'draft' })).status).toBe(303);
    expect((await assessee.get(`/peer-assessments/received/${req502}`).expect(200)).text).toContain('No peer assessment of your work has been submitted yet');
    expect((await assessee.get(`/peer-assessments/received/${req502}`)).text).not.toContain('DRAFT-COLLEGIAL');

    // Submitting needs the four structured answers; the input is kept.
    const missing = await assessor.post(`/peer-assessments/${id}`, { ...draft, work_products: 'Thorough guides', action: 'submit' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Write about one strength before submitting');
    expect(missing.text).toContain('Thorough guides');

    const full = {
      collegial_interactions: 'Listens first & builds on others’ ideas',
      work_products: 'Study guides are thorough; artifacts clear',
      strength: 'SUBMITTED-STRENGTH',
      suggestion: 'Summarize team decisions',
      comments: '<script>alert(1)</script>',
    };
    expect((await assessor.post(`/peer-assessments/${id}`, { ...full, action: 'submit' })).status).toBe(303);
    const versions = await t.db
      .selectFrom('peer_assessment')
      .select(['version_no', 'status'])
      .where('peer_assignment_id', '=', id)
      .orderBy('version_no')
      .execute();
    expect(versions).toEqual([
      { version_no: 1, status: 'draft' },
      { version_no: 2, status: 'submitted' },
    ]);
    const received = (await assessee.get(`/peer-assessments/received/${req502}`).expect(200)).text;
    expect(received).toContain('SUBMITTED-STRENGTH');
    expect(received).toContain(`From ${nameOf[assessorId]}`);
    expect(received).toContain('Listens first &amp; builds');
    expect(received).not.toContain('<script>alert(1)');
    expect((await portfolioChecklist(t.db, req502, assesseeId)).items.find((i) => i.kind === 'peer_assessment')!.present).toBe(true);

    // A later draft does not replace what the assessee reads.
    await assessor.post(`/peer-assessments/${id}`, { ...full, strength: 'LATER-DRAFT', action: 'draft' });
    const still = (await assessee.get(`/peer-assessments/received/${req502}`)).text;
    expect(still).toContain('SUBMITTED-STRENGTH');
    expect(still).not.toContain('LATER-DRAFT');
    expect((await assessor.get(`/peer-assessments/${id}`)).text).toContain('A newer draft is below');

    // Another student's received page shows only assessments of them; the other portfolio has none.
    expect((await other.get(`/peer-assessments/received/${req502}`)).text).not.toContain('SUBMITTED-STRENGTH');
    expect((await assessee.get(`/peer-assessments/received/${req503}`)).text).not.toContain('SUBMITTED-STRENGTH');
    expect((await instructor.get(`/peer-assignments/${req502}`)).status).toBe(404);
    const overview = (await instructor.get(`/instructor/peer-assignments/${req502}`)).text;
    expect(overview).toContain('Submitted');
  });

  await step('the assignment is not rerun once assessments started; a late joiner and a dropout leave everyone else’s pair alone', async () => {
    const rerun = await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'again' });
    expect(rerun.status).toBe(422);
    expect(rerun.text).toContain('already been started');

    const before = await activePairs();
    const section = await t.db.selectFrom('section').select('id').where('code', 'like', '%551%').executeTakeFirstOrThrow();
    const newcomer = await t.db
      .insertInto('app_user')
      .values({
        email: 'latecomer@cohort.example',
        name: 'Late Comer',
        role: 'student',
        offering_id: offeringId,
        section_id: section.id,
        time_zone: 'America/Detroit',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const dropped = ids.student12;
    await t.db
      .updateTable('app_user')
      .set({ deactivated_at: new Date('2020-02-09T12:00:00Z') })
      .where('id', '=', dropped)
      .execute();

    const notice = (await instructor.get(`/instructor/peer-assignments/${req502}`)).text;
    expect(notice).toContain('The roster changed since the assignment');
    expect((await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'reconcile' })).status).toBe(303);

    const after = await activePairs();
    const roster = await activeStudents();
    expect(roster).toContain(newcomer.id);
    expect(isDerangement(after, roster)).toBe(true);
    const droppedAssessor = [...before].find(([, b]) => b === dropped)![0];
    expect(after.get(droppedAssessor) === before.get(dropped) || after.get(droppedAssessor) === newcomer.id).toBe(true);
    const kept = [...before].filter(([a, b]) => after.get(a) === b);
    // Only the dropped student's two links and the one link the newcomer joined changed.
    expect(kept.length).toBeGreaterThanOrEqual(before.size - 3);
    const untouched = [...before].filter(([a, b]) => a !== dropped && b !== dropped);
    expect(untouched.filter(([a, b]) => after.get(a) !== b).length).toBeLessThanOrEqual(1);

    expect((await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'reconcile' })).status).toBe(303);
    expect((await instructor.get(`/instructor/peer-assignments/${req502}`)).text).toContain('nothing changed');
  });

  await step('a hand swap keeps a derangement and moves access with it; impossible swaps are refused with 422', async () => {
    const before = await activePairs();
    const assessor = ids.student2;
    const target = [...before.values()].find((b) => b !== assessor && b !== before.get(assessor) && before.get(b) !== assessor)!;
    const formerAssessor = [...before].find(([, b]) => b === target)![0];
    const formerId = await assignmentId(formerAssessor);
    const emailOf = (id: number) => `${Object.keys(ids).find((k) => ids[k] === id) ?? 'latecomer'}@cohort.example`;

    const res = await instructor.post(`/instructor/peer-assignments/${req502}`, {
      action: 'swap',
      assessor: 'student2@cohort.example',
      assessee: emailOf(target),
    });
    expect(res.status).toBe(303);
    const after = await activePairs();
    expect(after.get(assessor)).toBe(target);
    expect(isDerangement(after, await activeStudents())).toBe(true);
    const former = await t.login(emailOf(formerAssessor));
    expect((await former.get(`/peer-assessments/${formerId}`)).status).toBe(404); // that pair was replaced

    const self = await instructor.post(`/instructor/peer-assignments/${req502}`, {
      action: 'swap',
      assessor: 'student2@cohort.example',
      assessee: 'student2@cohort.example',
    });
    expect(self.status).toBe(422);
    expect(self.text).toContain('cannot assess themself');
    const unknown = await instructor.post(`/instructor/peer-assignments/${req502}`, {
      action: 'swap',
      assessor: 'nobody@cohort.example',
      assessee: 'student3@cohort.example',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Enter the email of an active student');
    expect(unknown.text).toContain('value="nobody@cohort.example"');
    const droppedOne = await instructor.post(`/instructor/peer-assignments/${req502}`, {
      action: 'swap',
      assessor: 'student2@cohort.example',
      assessee: 'student12@cohort.example',
    });
    expect(droppedOne.status).toBe(422);
    expect(sorted(await activePairs())).toEqual(sorted(after));
    // The other portfolio's assignment is separate and still empty.
    expect((await activePairs(req503)).size).toBe(0);
  });
});
