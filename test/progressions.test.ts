import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { neutralizeFormula } from '../src/http/csv';
import { seedRubrics } from '../src/progressions/rubric.loader';
import { userIdOf } from './helpers/builders';
import { databaseFingerprint } from './helpers/fingerprint';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { withBase } from './helpers/versions';
import { step } from './helpers/story';

/**
 * The Developmental Progressions module through HTTP: the instructor creates a partnership, a
 * member records two dated assessments (the second from a copy), and sees the heat map, the change
 * over time and the comparison; CSV export; who may see what; bad input refused with nothing written.
 */
let t: TestApp;
let instructor: Session;
let ava: Session; // member
let miguel: Session; // member
let olivia: Session; // not a member
const ids: Record<string, number> = {};

const userId = (email: string) => userIdOf(t, email);
const count = async (table: 'progression_assessment' | 'progression_assessment_entry' | 'partnership') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const idFrom = (location: string | undefined, prefix: string) => {
  const m = (location ?? '').match(new RegExp(`^${prefix}(\\d+)$`));
  if (!m) throw new Error(`unexpected redirect ${location}`);
  return Number(m[1]);
};

/** A complete assessment form: every objective at `base` stage unless `stages` says otherwise. */
function assessmentForm(assessedOn: string, stages: Record<number, number>, base = 1, extra: Record<string, string> = {}): Record<string, string> {
  const form: Record<string, string> = { assessedOn };
  for (let n = 1; n <= 24; n++) {
    const stage = stages[n] ?? base;
    form[`stage_${n}`] = String(stage);
    form[`evidence_${n}`] = stage > 0 ? `Evidence for objective ${n} on ${assessedOn}` : '';
    form[`nextSteps_${n}`] = '';
  }
  return { ...form, ...extra };
}

/** The form as the assessment page sends it: with the version (latest assessment) it was opened on. */
async function recordable(s: Session, partnershipId: number, form: Record<string, string>): Promise<Record<string, string>> {
  const url = `/progressions/partnerships/${partnershipId}/assessments`;
  return withBase(s, `${url}/new`, url, form);
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-03-16T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  ava = await t.login('student1@cohort.example');
  miguel = await t.login('student2@cohort.example');
  olivia = await t.login('student3@cohort.example');
  ids.ava = await userId('student1@cohort.example');
  ids.miguel = await userId('student2@cohort.example');
  ids.olivia = await userId('student3@cohort.example');
});
afterAll(() => t.close());

test('the progressions story: the seeded rubric, a partnership, its assessments, comparison, history, CSV, access and a rubric revision', async () => {
  await step('the seeded rubric: one version, 24 objectives, 96 cells, four empty cells not described and one marked incomplete', async () => {
    const rubrics = await t.db.selectFrom('progression_rubric').select(['key', 'label']).execute();
    expect(rubrics).toEqual([{ key: 'ilead-draft-02-18', label: 'draft 02/18' }]);
    const cells = await t.db.selectFrom('progression_descriptor').select(['body', 'status']).execute();
    expect(cells).toHaveLength(96);
    expect(cells.filter((c) => c.body === null)).toHaveLength(4);
    expect(cells.filter((c) => c.status === 'empty')).toHaveLength(4);
    expect(cells.filter((c) => c.status === 'incomplete')).toEqual([{ body: 'courses and programs.', status: 'incomplete' }]);
    expect(await seedRubrics(t.db)).toEqual([]); // idempotent

    const page = await ava.get('/progressions/rubric').expect(200);
    expect(page.text).toContain('iLEAD Developmental Progressions');
    expect(page.text).toContain('draft 02/18');
    expect(page.text.match(/class="pg-row"/g)).toHaveLength(24);
    expect(page.text.match(/not described in this draft<\/em>/g)).toHaveLength(4);
    // Objective 8, stage 1: the fragment the draft has, marked in words (not only by colour), unlike the empty cells.
    const row8 = page.text.slice(page.text.indexOf('id="objective-8"'), page.text.indexOf('id="objective-9"'));
    expect(row8).toMatch(/courses and programs\.\s*<strong class="pg-incomplete-note">\(incomplete in the draft\)<\/strong>/);
    expect(row8).not.toContain('not described in this draft');
    const row16 = page.text.slice(page.text.indexOf('id="objective-16"'), page.text.indexOf('id="objective-17"'));
    expect(row16).toContain('not described in this draft');
    expect(row16).not.toContain('incomplete in the draft');
    expect(page.text.match(/\(incomplete in the draft\)/g)).toHaveLength(1);
    for (const name of [
      'The IHE',
      'The LEA',
      'The partnership',
      'Exploring change ideas',
      'Institutionalizing and sustaining the work',
      'Commitment to the Idea of Improvement',
    ]) {
      expect(page.text).toContain(name);
    }
    expect(page.text).toContain('<li>courses/modules are being piloted.</li>'); // the draft's bullet list
  });

  await step('the instructor creates a partnership of students; bad input is kept and explained', async () => {
    const form = await instructor.get('/progressions/partnerships/new').expect(200);
    expect(form.text).toContain('Ava Thompson');
    expect(form.text).toContain('name="_csrf"');

    const bad = await instructor.post('/progressions/partnerships', { name: '', ihe: 'Riverside University', lea: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Name the partnership.');
    expect(bad.text).toContain('Name the local education agency (LEA).');
    expect(bad.text).toContain('Choose at least one member.');
    expect(bad.text).toContain('value="Riverside University"');

    const notStudent = await instructor.post('/progressions/partnerships', {
      name: 'X',
      ihe: 'I',
      lea: 'L',
      members: String(await userId('instructor@cohort.example')),
    });
    expect(notStudent.status).toBe(422);
    expect(notStudent.text).toContain('Choose members from the list of learners in this course.');
    expect(await count('partnership')).toBe(0);

    const res = await instructor.post('/progressions/partnerships', {
      name: 'Riverside – Lakeview',
      ihe: 'Riverside University',
      lea: 'Lakeview Public Schools',
      members: [String(ids.ava), String(ids.miguel)],
    });
    expect(res.status).toBe(303);
    ids.partnership = idFrom(res.headers.location, '/progressions/partnerships/');
    expect((await t.db.selectFrom('partnership').select('name').executeTakeFirstOrThrow()).name).toBe('Riverside – Lakeview');
    const members = await t.db.selectFrom('partnership_member').select('user_id').where('partnership_id', '=', ids.partnership).orderBy('user_id').execute();
    expect(members.map((m) => m.user_id)).toEqual([ids.ava, ids.miguel].sort((a, b) => a - b));

    const dup = await instructor.post('/progressions/partnerships', { name: 'riverside – lakeview', ihe: 'A', lea: 'B', members: String(ids.olivia) });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Another partnership already has this name.');

    const student = await ava.post('/progressions/partnerships', { name: 'Mine', ihe: 'A', lea: 'B', members: String(ids.ava) });
    expect(student.status).toBe(403);
    expect(await count('partnership')).toBe(1);
  });

  await step('a member records a dated assessment and sees the heat map', async () => {
    const form = await ava.get(`/progressions/partnerships/${ids.partnership}/assessments/new`).expect(200);
    expect(form.text.match(/class="pg-objective-fieldset/g)).toHaveLength(24);
    expect(form.text).toContain('value="2020-03-16"'); // today, in Ava's zone

    const res = await ava.post(
      `/progressions/partnerships/${ids.partnership}/assessments`,
      await recordable(
        ava,
        ids.partnership,
        assessmentForm('2020-02-03', { 1: 2, 2: 3, 16: 0, 24: 0 }, 1, { nextSteps_1: 'Bring two more faculty to the Summit.' }),
      ),
    );
    expect(res.status).toBe(303);
    ids.first = idFrom(res.headers.location, '/progressions/assessments/');
    const entries = await t.db.selectFrom('progression_assessment_entry').select(['stage']).where('assessment_id', '=', ids.first).execute();
    expect(entries).toHaveLength(24);

    const page = await ava.get(res.headers.location!).expect(200);
    expect(page.text).toContain('Assessment recorded.');
    expect(page.text.match(/class="pg-row"/g)).toHaveLength(24);
    expect(page.text.match(/Current stage<\/strong>/g)).toHaveLength(22); // objectives 16 and 24 not yet started
    const row1 = page.text.slice(page.text.indexOf('id="objective-1"'), page.text.indexOf('id="objective-2"'));
    expect(row1).toContain('Stage 2 · Small change implementation');
    expect(row1.match(/pg-cell pg-(\w+)/g)).toEqual(['pg-cell pg-reached', 'pg-cell pg-current', 'pg-cell pg-ahead', 'pg-cell pg-ahead']);
    const row16 = page.text.slice(page.text.indexOf('id="objective-16"'), page.text.indexOf('id="objective-17"'));
    expect(row16).toContain('Not yet started');
    expect(row16).toContain('not described in this draft');
    expect(page.text).toContain('Bring two more faculty to the Summit.');
    for (const group of ['The IHE', 'The LEA', 'The partnership']) expect(page.text).toContain(group);
    expect(page.text).not.toMatch(/\sstyle=/);
  });

  await step('invalid input is refused with messages, the input kept, and nothing written', async () => {
    const before = await databaseFingerprint(t.db);
    const url = `/progressions/partnerships/${ids.partnership}/assessments`;

    const form = assessmentForm('2020-02-10', {}, 1, { stage_3: '7', evidence_3: 'Our provost signed off', evidence_5: '' });
    const res = await ava.post(url, await withBase(ava, `${url}/new`, url, form));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Objective 3: choose a stage from 1 to 4, or “Not yet started”.');
    expect(res.text).toContain('Objective 5: note the evidence for this stage.');
    expect(res.text).toContain('Our provost signed off</textarea>');
    expect(res.text).toContain('value="2020-02-10"');
    expect(res.text).toMatch(/id="stage_4_1" name="stage_4" value="1" checked/);

    for (const [field, value, message] of [
      ['stage_9', '', 'Objective 9: choose a stage'],
      ['stage_9', '-1', 'Objective 9: choose a stage'],
      ['stage_9', '2.5', 'Objective 9: choose a stage'],
      ['assessedOn', '2020-03-17', 'The date cannot be in the future.'],
      ['assessedOn', '2020-02-30', 'That is not a real date.'],
      ['assessedOn', '2020-02-03', 'already has an assessment dated Mon, Feb 3, 2020'],
      ['assessedOn', '0000-01-01', 'Enter a date from 2000 on.'],
      ['copiedFrom', '99999999999', 'Please fix the following'],
      ['evidence_2', 'x'.repeat(4001), 'Objective 2: use at most 4000 characters.'],
    ] as const) {
      const r = await ava.post(url, await withBase(ava, `${url}/new`, url, assessmentForm('2020-02-10', {}, 1, { [field]: value })));
      expect([field, value, r.status]).toEqual([field, value, 422]);
      expect(r.text).toContain(message);
    }
    const copiedFromElsewhere = await ava.post(url, await withBase(ava, `${url}/new`, url, assessmentForm('2020-02-10', {}, 1, { copiedFrom: '999999' })));
    expect(copiedFromElsewhere.status).toBe(422);
    expect(await databaseFingerprint(t.db)).toEqual(before);
  });

  await step('a new assessment can start from a copy of the last', async () => {
    const form = await miguel.get(`/progressions/partnerships/${ids.partnership}/assessments/new?from=${ids.first}`).expect(200);
    expect(form.text).toContain('Starting from a copy of the assessment of Mon, Feb 3, 2020');
    expect(form.text).toContain(`name="copiedFrom" value="${ids.first}"`);
    expect(form.text).toMatch(/id="stage_1_2" name="stage_1" value="2" checked/);
    expect(form.text).toMatch(/id="stage_16" name="stage_16" value="0" checked/);
    expect(form.text).toContain('Evidence for objective 7 on 2020-02-03</textarea>');
    expect(form.text).toContain('Bring two more faculty to the Summit.</textarea>');

    // Miguel changes what moved and records it.
    const res = await miguel.post(
      `/progressions/partnerships/${ids.partnership}/assessments`,
      await recordable(miguel, ids.partnership, assessmentForm('2020-03-02', { 1: 3, 2: 2, 16: 1, 24: 0 }, 1, { copiedFrom: String(ids.first) })),
    );
    expect(res.status).toBe(303);
    ids.second = idFrom(res.headers.location, '/progressions/assessments/');
    const row = await t.db
      .selectFrom('progression_assessment')
      .select(['copied_from', 'assessed_on', 'created_by'])
      .where('id', '=', ids.second)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ copied_from: ids.first, assessed_on: '2020-03-02', created_by: ids.miguel });
    // The first assessment is kept as it was.
    const first = await t.db.selectFrom('progression_assessment_entry').select('stage').where('assessment_id', '=', ids.first).execute();
    expect(first.filter((e) => e.stage === 3)).toHaveLength(1);
  });

  await step('the comparison shows what moved between any two assessments', async () => {
    const page = await ava.get(`/progressions/partnerships/${ids.partnership}/compare`).expect(200);
    expect(page.text).toContain('From Mon, Feb 3, 2020 to Mon, Mar 2, 2020');
    expect(page.text).toContain('2 objectives moved forward, 1 moved back, 21 did not change.');
    const moved = page.text.slice(page.text.indexOf('What moved'), page.text.indexOf('Unchanged ('));
    expect(moved).toContain('1. Commitment to the Idea of Improvement');
    expect(moved).toContain('Moved forward 1 stage');
    expect(moved).toContain('2. Curriculum/Program Development');
    expect(moved).toContain('Moved back 1 stage');
    expect(moved).toContain('16. IS/NIC Expertise Integrated into Promotion and Hiring Decisions');
    expect(moved).not.toContain('24. Public Communications');

    // Either order: the earlier one is always "from".
    const reversed = await ava.get(`/progressions/partnerships/${ids.partnership}/compare?from=${ids.second}&to=${ids.first}`).expect(200);
    expect(reversed.text).toContain('From Mon, Feb 3, 2020 to Mon, Mar 2, 2020');
    const same = await ava.get(`/progressions/partnerships/${ids.partnership}/compare?from=${ids.first}&to=${ids.first}`).expect(200);
    expect(same.text).toContain('Choose two different assessments.');
    await ava.get(`/progressions/partnerships/${ids.partnership}/compare?from=999999&to=${ids.first}`).expect(404);
  });

  await step('change over time: one SVG per objective with a point per dated assessment', async () => {
    const page = await ava.get(`/progressions/partnerships/${ids.partnership}/history`).expect(200);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text.match(/<svg /g)).toHaveLength(24);
    const svg = (n: number) => page.text.match(new RegExp(`<svg [^>]*data-objective="objective-${n}"[\\s\\S]*?</svg>`))![0];
    const points = (n: number) =>
      [...svg(n).matchAll(/<circle [^>]*cx="([\d.]+)" cy="([\d.]+)"[^>]*data-on="([\d-]+)" data-stage="(\d)"/g)].map((m) => ({
        x: Number(m[1]),
        y: Number(m[2]),
        on: m[3],
        stage: Number(m[4]),
      }));
    const p1 = points(1);
    expect(p1.map((p) => [p.on, p.stage])).toEqual([
      ['2020-02-03', 2],
      ['2020-03-02', 3],
    ]);
    expect(p1[1].x).toBeGreaterThan(p1[0].x);
    expect(p1[1].y).toBeLessThan(p1[0].y); // a higher stage is drawn higher
    const p2 = points(2);
    expect(p2[1].y).toBeGreaterThan(p2[0].y);
    expect(points(24).map((p) => p.stage)).toEqual([0, 0]);
    expect(points(24)[0].y).toBe(points(24)[1].y);
    expect(svg(1)).toMatch(/<polyline class="pg-chart-line" fill="none" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
    expect(svg(1)).toContain('>Feb 3, 2020</text>');
    expect(page.text).toContain('Feb 3, 2020: Stage 2 · Small change implementation; Mar 2, 2020: Stage 3 · Integrating IS/NIC into the core work');
  });

  await step('CSV export parses back, one row per objective, with formulas neutralized', async () => {
    const tricky = ['=HYPERLINK("http://evil.example","click")', '+1+1', '-2+3', '@SUM(A1)', '\uff1d1+1', 'Plain, with "quotes"\nand a second line'];
    const form = assessmentForm('2020-03-09', {}, 2);
    tricky.forEach((text, i) => (form[`evidence_${i + 1}`] = text));
    form.nextSteps_1 = '=cmd|"/c calc"!A1';
    const res = await ava.post(`/progressions/partnerships/${ids.partnership}/assessments`, await recordable(ava, ids.partnership, form));
    expect(res.status).toBe(303);
    ids.third = idFrom(res.headers.location, '/progressions/assessments/');

    const csv = await ava.get(`/progressions/assessments/${ids.third}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="?riverside-lakeview-2020-03-09\.csv"?$/);
    const rows: Record<string, string>[] = parse(csv.text, { bom: true, columns: true });
    expect(Object.keys(rows[0])).toEqual(['objective_number', 'objective_title', 'stage_number', 'stage_name', 'evidence', 'next_steps', 'assessed_at']);
    expect(rows).toHaveLength(24);
    expect(rows.map((r) => Number(r.objective_number))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(rows[0]).toMatchObject({
      objective_title: 'Commitment to the Idea of Improvement',
      stage_number: '2',
      stage_name: 'Small change implementation',
      assessed_at: '2020-03-09',
    });
    expect(rows.slice(0, 6).map((r) => r.evidence)).toEqual(["'" + tricky[0], "'+1+1", "'-2+3", "'@SUM(A1)", "'\uff1d1+1", tricky[5]]);
    expect(rows[0].next_steps).toBe(`'=cmd|"/c calc"!A1`);
    expect(rows[6].evidence).toBe('Evidence for objective 7 on 2020-03-09');
    // Cells a form can't produce (the form trims): leading blanks before a formula, tabs, carriage returns.
    expect(['  =1+1', '\t=1', '\r@x', '\u00a0+1', 'ok', '', 'a=b'].map(neutralizeFormula)).toEqual(["'  =1+1", "'\t=1", "'\r@x", "'\u00a0+1", 'ok', '', 'a=b']);

    const notStarted: Record<string, string>[] = parse((await ava.get(`/progressions/assessments/${ids.first}/export.csv`)).text, { bom: true, columns: true });
    expect(notStarted[15]).toMatchObject({ objective_number: '16', stage_number: '0', stage_name: 'Not yet started', evidence: '' });
  });

  await step('members see their partnership, the instructor sees all, anyone else is told it does not exist', async () => {
    const p = ids.partnership;
    const pages = [
      `/progressions/partnerships/${p}`,
      `/progressions/partnerships/${p}/history`,
      `/progressions/partnerships/${p}/compare`,
      `/progressions/partnerships/${p}/assessments/new`,
      `/progressions/assessments/${ids.first}`,
      `/progressions/assessments/${ids.first}/export.csv`,
    ];
    for (const url of pages) {
      expect([url, (await miguel.get(url)).status]).toEqual([url, 200]);
      expect([url, (await instructor.get(url)).status]).toEqual([url, 200]);
      expect([url, (await olivia.get(url)).status]).toEqual([url, 404]);
    }
    expect((await olivia.get('/progressions')).text).not.toContain('Riverside – Lakeview');
    expect((await miguel.get('/progressions')).text).toContain('Riverside – Lakeview');
    expect((await instructor.get('/progressions')).text).toContain('Riverside – Lakeview');
    expect((await t.anonymous().get('/progressions')).status).toBe(303);

    const before = await databaseFingerprint(t.db);
    const intrude = await olivia.post(`/progressions/partnerships/${p}/assessments`, assessmentForm('2020-03-10', {}));
    expect(intrude.status).toBe(404);
    expect((await olivia.post(`/progressions/partnerships/${p}`, { name: 'Mine now', ihe: 'A', lea: 'B', members: String(ids.olivia) })).status).toBe(403);
    expect((await olivia.get(`/progressions/partnerships/${p}/edit`)).status).toBe(403);
    expect(await databaseFingerprint(t.db)).toEqual(before);

    // The instructor records too, and changes the members: Olivia in, Miguel out.
    const byInstructor = await instructor.post(
      `/progressions/partnerships/${p}/assessments`,
      await recordable(instructor, p, assessmentForm('2020-03-10', {}, 0)),
    );
    expect(byInstructor.status).toBe(303);
    const edit = await instructor.get(`/progressions/partnerships/${p}/edit`).expect(200);
    expect(edit.text).toMatch(new RegExp(`value="${ids.miguel}" checked`));
    const saved = await instructor.post(`/progressions/partnerships/${p}`, {
      name: 'Riverside – Lakeview',
      ihe: 'Riverside University',
      lea: 'Lakeview Public Schools',
      members: [String(ids.ava), String(ids.olivia)],
    });
    expect(saved.status).toBe(303);
    expect((await olivia.get(`/progressions/partnerships/${p}`)).status).toBe(200);
    expect((await miguel.get(`/progressions/partnerships/${p}`)).status).toBe(404);
    expect((await miguel.get('/progressions/not-a-page')).status).toBe(404);
    expect((await instructor.get('/progressions/assessments/abc')).status).toBe(404);
  });

  await step('a later rubric revision loads beside the draft without touching past assessments', async () => {
    const draft = JSON.parse(fs.readFileSync(path.join(__dirname, '../seeds/progressions/ilead-draft-02-18.json'), 'utf8'));
    const revision = {
      ...draft,
      key: 'ilead-revision-test',
      label: 'revision (test)',
      objectives: draft.objectives.map((o: { number: number; title: string }) => (o.number === 2 ? { ...o, title: 'Curriculum and Program Development' } : o)),
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rubric-'));
    const file = path.join(dir, 'z-revision.json');
    fs.writeFileSync(file, JSON.stringify(revision));
    const pastEntries = await t.db
      .selectFrom('progression_assessment_entry')
      .select(['assessment_id', 'objective_id', 'stage'])
      .orderBy('assessment_id')
      .orderBy('objective_id')
      .execute();

    expect(await t.db.transaction().execute((trx) => seedRubrics(trx, [file]))).toEqual(['ilead-revision-test']);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(
      await t.db
        .selectFrom('progression_assessment_entry')
        .select(['assessment_id', 'objective_id', 'stage'])
        .orderBy('assessment_id')
        .orderBy('objective_id')
        .execute(),
    ).toEqual(pastEntries);

    const old = await ava.get(`/progressions/assessments/${ids.first}`).expect(200);
    expect(old.text).toContain('rubric draft 02/18');
    expect(old.text).toContain('2. Curriculum/Program Development');
    const rubricPage = await ava.get('/progressions/rubric?version=ilead-draft-02-18').expect(200);
    expect(rubricPage.text).toContain('Curriculum/Program Development');

    const res = await ava.post(
      `/progressions/partnerships/${ids.partnership}/assessments`,
      await recordable(ava, ids.partnership, assessmentForm('2020-03-16', { 1: 4 })),
    );
    expect(res.status).toBe(303);
    const latest = await ava.get(res.headers.location!).expect(200);
    expect(latest.text).toContain('rubric revision (test)');
    expect(latest.text).toContain('2. Curriculum and Program Development');
    // The history follows objectives across versions by number and title: objective 1 has 5 points.
    const history = await ava.get(`/progressions/partnerships/${ids.partnership}/history`).expect(200);
    const objective1 = history.text.match(/<svg [^>]*data-objective="objective-1"[\s\S]*?<\/svg>/)![0];
    expect(objective1.match(/<circle /g)).toHaveLength(5);
    const objective2 = history.text.match(/<svg [^>]*data-objective="objective-2"[\s\S]*?<\/svg>/)![0];
    expect(objective2.match(/<circle /g)).toHaveLength(1); // renamed: a new objective
  });
});
