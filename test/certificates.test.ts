import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { courseDefinitionSchema } from '../src/course/course.definition';
import { userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { withBase } from './helpers/versions';

/**
 * MichiganX certificate eligibility (issue 13) through HTTP: every requirement the course data
 * lists (all lesson components, a study guide and a team artifact per lesson, the portfolio
 * submitted complete and graded S, the edX grade report's standing where one was imported), what
 * the pages say is still missing, an unenrolled edX learner, the rule changed as course data, an
 * S without feedback, and the gradebook CSV against the page. Now: Mon 2020-04-27, after both
 * portfolios were due.
 */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const courses: Record<string, { id: number; requirementId: number; lessons: { id: number; n: number }[] }> = {};
let components: { id: number; name: string }[] = [];
let offeringId: number;

const at = new Date('2020-04-01T15:00:00Z');

/** A student's lesson work for one edX course: every component done, a study guide and a team artifact per lesson (except `skip`). */
async function lessonWork(userId: number, code: string, skip: { lesson: number; guide?: boolean; artifact?: boolean; components?: string[] }[] = []) {
  for (const l of courses[code].lessons) {
    const gap = skip.find((s) => s.lesson === l.n);
    const done = components.filter((c) => !gap?.components?.includes(c.name));
    if (done.length)
      await t.db
        .insertInto('component_completion')
        .values(done.map((c) => ({ user_id: userId, unit_id: l.id, component_id: c.id, completed_at: at })))
        .execute();
    if (!gap?.guide) {
      const g = await t.db
        .insertInto('study_guide')
        .values({ user_id: userId, unit_id: l.id, created_at: at, deleted_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('study_guide_version')
        .values({ study_guide_id: g.id, version_no: 1, body_md: `Lesson ${l.n} key terms`, attachment_id: null, created_at: at })
        .execute();
    }
    if (!gap?.artifact) {
      const existing = await t.db
        .selectFrom('team_membership')
        .select('team_id')
        .where('user_id', '=', userId)
        .where('unit_id', '=', l.id)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      const teamId =
        existing?.team_id ??
        (
          await t.db
            .insertInto('team')
            .values({ unit_id: l.id, name: `Team ${userId}-${l.id}`, created_by: userId, created_at: at })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      if (!existing)
        await t.db.insertInto('team_membership').values({ team_id: teamId, user_id: userId, unit_id: l.id, joined_at: at, left_at: null }).execute();
      const { n } = await t.db
        .selectFrom('team_artifact_version')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('team_id', '=', teamId)
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('team_artifact_version')
        .values({ team_id: teamId, version_no: Number(n) + 1, body_md: 'Our artifact', attachment_id: null, uploaded_by: userId, created_at: at })
        .execute();
    }
  }
}

/** A portfolio submission as the submit action records it (complete or not, on time). */
async function submission(userId: number, code: string, complete = true): Promise<number> {
  const { id } = await t.db
    .insertInto('portfolio_submission')
    .values({
      user_id: userId,
      portfolio_requirement_id: courses[code].requirementId,
      submitted_at: at,
      due_at: new Date('2020-04-29T04:00:00Z'),
      is_late: false,
      late_by_seconds: 0,
      is_complete: complete,
      missing: JSON.stringify(complete ? [] : [{ key: 'reflection', label: 'Personal reflection' }]),
      snapshot: JSON.stringify({ requirementId: courses[code].requirementId, takenAt: at.toISOString(), items: [] }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

const grade = async (submissionId: number, g: 'S' | 'U', feedback = 'Satisfactory work.') => {
  const path = `/instructor/submissions/${submissionId}/grade`;
  return instructor.post(path, await withBase(instructor, path, path, { grade: g, feedback }));
};

const REPORT = fs
  .readFileSync(path.join(__dirname, 'fixtures', 'edx', 'MichiganX_LeadEd502x_1T2020_grade_report_2020-02-03-1532.csv'), 'utf8')
  .split(/\r\n|\r|\n/)[0];
/** A LeadEd502x grade report with one row per [student, course grade, enrollment status]. */
function report(rows: [string, number, string][]): Buffer {
  const lines = rows.map(
    ([who, g, status], i) =>
      `3100090${i},${who}@cohort.example,${who}_edx,${g},1.0,1.0,0.9,0.95,1.0,0.8,0.9,1.0,UMich EDUC 551/639,verified,approved,N,N,N/A,${status}`,
  );
  return Buffer.from([REPORT, ...lines].join('\n') + '\n');
}
const importReport = (rows: [string, number, string][]) =>
  instructor.upload('/instructor/edx-import', { edxCourseId: String(courses.LeadEd502x.id) }, [
    { field: 'report', buffer: report(rows), filename: 'report.csv', contentType: 'text/csv' },
  ]);

const certificatesOf = async (who: string) => (await (await t.login(`${who}@cohort.example`)).get('/certificates').expect(200)).text;
const cardOf = (html: string, code: string) => html.split(`<h2>${code}</h2>`)[1].split('<li class="card')[0].split('<h2>Both courses')[0];
const gradebookRow = async (name: string) => {
  const html = (await instructor.get('/instructor/gradebook').expect(200)).text;
  const rows = html
    .split('<tbody>')[1]
    .split('<tr>')
    .filter((r) => r.includes(name));
  expect(rows).toHaveLength(1);
  return rows[0];
};
async function csvRows(): Promise<Record<string, string>[]> {
  const res = await instructor.get('/instructor/gradebook.csv').expect(200);
  return parse(res.text, { bom: true, columns: true });
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-04-27T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  const edx = await t.db
    .selectFrom('edx_course as c')
    .innerJoin('portfolio_requirement as pr', 'pr.edx_course_id', 'c.id')
    .select(['c.id', 'c.code', 'c.offering_id', 'pr.id as requirementId'])
    .execute();
  offeringId = edx[0].offering_id;
  for (const c of edx) {
    const lessons = await t.db
      .selectFrom('unit')
      .select(['id', 'lesson_number'])
      .where('edx_course_id', '=', c.id)
      .where('kind', '=', 'lesson')
      .orderBy('lesson_number')
      .execute();
    courses[c.code] = { id: c.id, requirementId: c.requirementId, lessons: lessons.map((l) => ({ id: l.id, n: l.lesson_number! })) };
  }
  components = await t.db.selectFrom('lesson_component').select(['id', 'name']).orderBy('position').execute();
});
afterAll(() => t.close());

test('an S with one lesson of six done is not eligible, and the page says exactly what is missing', async () => {
  const who = 'student4';
  // Lesson 01 complete; nothing in Lessons 02–06; the portfolio submitted incomplete and graded S anyway (the instructor's call).
  await lessonWork(ids[who], 'LeadEd502x', []);
  await t.db.deleteFrom('component_completion').where('user_id', '=', ids[who]).where('unit_id', '<>', courses.LeadEd502x.lessons[0].id).execute();
  await t.db
    .deleteFrom('study_guide_version')
    .where('study_guide_id', 'in', (eb) =>
      eb.selectFrom('study_guide').select('id').where('user_id', '=', ids[who]).where('unit_id', '<>', courses.LeadEd502x.lessons[0].id),
    )
    .execute();
  await t.db.deleteFrom('study_guide').where('user_id', '=', ids[who]).where('unit_id', '<>', courses.LeadEd502x.lessons[0].id).execute();
  await t.db
    .updateTable('team_membership')
    .set({ left_at: at })
    .where('user_id', '=', ids[who])
    .where('unit_id', '<>', courses.LeadEd502x.lessons[0].id)
    .execute();
  expect((await grade(await submission(ids[who], 'LeadEd502x', false), 'S')).status).toBe(303);
  expect((await t.db.selectFrom('grade').select('grade').where('user_id', '=', ids[who]).executeTakeFirstOrThrow()).grade).toBe('S');

  const card = cardOf(await certificatesOf(who), 'LeadEd502x');
  expect(card).toContain('Not yet');
  expect(card).not.toContain('Lesson 01');
  expect(card).toContain('<li>Lesson 02: study guide; team artifact; no components done</li>');
  expect(card).toContain('<li>Lesson 06: study guide; team artifact; no components done</li>');
  expect(card).toContain('<li>portfolio submitted incomplete</li>');
  expect(card).not.toContain('Requirements met');
  const row = await gradebookRow((await t.db.selectFrom('app_user').select('name').where('id', '=', ids[who]).executeTakeFirstOrThrow()).name);
  expect(row).toContain('LeadEd502x:</strong> missing Lesson 02: study guide; team artifact; no components done');
  expect(row).toContain('Both: no');
  const csv = (await csvRows()).find((r) => r.email === `${who}@cohort.example`)!;
  expect(csv.LeadEd502x_certificate_requirements_met).toBe('no');
  expect(csv.LeadEd502x_certificate_missing).toContain('Lesson 02: study guide; team artifact; no components done');
  expect(csv.LeadEd502x_certificate_missing).toContain('portfolio submitted incomplete');
});

test('everything done and graded S: eligible for both, worded without promising issuance; edX checked where imported', async () => {
  const who = 'student6';
  for (const code of ['LeadEd502x', 'LeadEd503x']) {
    await lessonWork(ids[who], code);
    expect((await grade(await submission(ids[who], code), 'S')).status).toBe(303);
  }
  let page = await certificatesOf(who);
  expect(page).toContain('You meet every requirement we track for both courses’ MichiganX certificates; MichiganX issues them.');
  expect(page).toContain('Not checked: edX: no grade report imported yet.');

  // A LeadEd502x report: student6 passed (0.9); student7 below the course data's minimum (0.7).
  const imported = await importReport([
    [who, 0.9, 'enrolled'],
    ['student7', 0.55, 'enrolled'],
  ]);
  expect(imported.status).toBe(303);
  page = await certificatesOf(who);
  expect(cardOf(page, 'LeadEd502x')).toContain('Requirements met');
  expect(cardOf(page, 'LeadEd502x')).not.toContain('Not checked');
  expect(cardOf(page, 'LeadEd503x')).toContain('Not checked: edX: no grade report imported yet.');
  expect(page).toContain('MichiganX issues them');

  await lessonWork(ids.student7, 'LeadEd502x');
  expect((await grade(await submission(ids.student7, 'LeadEd502x'), 'S')).status).toBe(303);
  expect(cardOf(await certificatesOf('student7'), 'LeadEd502x')).toContain('<li>edX course grade 55% (needs 70%)</li>');

  const name = (await t.db.selectFrom('app_user').select('name').where('id', '=', ids[who]).executeTakeFirstOrThrow()).name;
  expect(await gradebookRow(name)).toContain('Both: yes');
  const csv = (await csvRows()).find((r) => r.email === `${who}@cohort.example`)!;
  expect([csv.LeadEd502x_certificate_requirements_met, csv.LeadEd503x_certificate_requirements_met, csv.both_certificates]).toEqual(['yes', 'yes', 'yes']);
  expect(csv.LeadEd502x_certificate_missing).toBe('meets every requirement we track');
});

test('a learner the edX report lists as unenrolled is shown so wherever edX progress is, and is not edX-passed', async () => {
  const who = 'student8';
  await lessonWork(ids[who], 'LeadEd502x');
  expect((await grade(await submission(ids[who], 'LeadEd502x'), 'S')).status).toBe(303);
  expect(
    (
      await importReport([
        ['student6', 0.9, 'enrolled'],
        [who, 0.95, 'unenrolled'],
      ])
    ).status,
  ).toBe(303);
  const stored = await t.db.selectFrom('edx_course_grade').select('enrollment_status').where('user_id', '=', ids[who]).executeTakeFirstOrThrow();
  expect(stored.enrollment_status).toBe('unenrolled');

  const student = await t.login(`${who}@cohort.example`);
  expect((await student.get('/progress/edx').expect(200)).text).toContain('The edX grade report lists you as unenrolled from LeadEd502x');
  const name = (await t.db.selectFrom('app_user').select('name').where('id', '=', ids[who]).executeTakeFirstOrThrow()).name;
  const table = (await instructor.get(`/instructor/edx-import/progress/${courses.LeadEd502x.id}`).expect(200)).text;
  const tableRow = table.split('<tr>').find((r) => r.includes(name))!;
  expect(tableRow).toContain('Unenrolled on edX');
  const overview = (await instructor.get('/instructor/overview?q=' + encodeURIComponent(name)).expect(200)).text;
  expect(overview).toContain('LeadEd502x unenrolled on edX');
  expect(overview).toContain('Unenrolled on edX from LeadEd502x'); // a reason to reach out

  expect(cardOf(await certificatesOf(who), 'LeadEd502x')).toContain('<li>edX: unenrolled</li>');
  expect(await gradebookRow(name)).toContain('edX: unenrolled');
  expect((await csvRows()).find((r) => r.email === `${who}@cohort.example`)!.LeadEd502x_certificate_missing).toBe('edX: unenrolled');
});

test('the requirement set is course data: changing the offering’s rule changes who is eligible', async () => {
  // student9: an S on an incomplete portfolio, no lesson work.
  const who = 'student9';
  expect((await grade(await submission(ids[who], 'LeadEd503x', false), 'S')).status).toBe(303);
  expect(cardOf(await certificatesOf(who), 'LeadEd503x')).toContain('Not yet');

  await sql`update course_offering set certificate_rule = ${JSON.stringify({ requires: ['portfolio_s'] })}::jsonb where id = ${offeringId}`.execute(t.db);
  let card = cardOf(await certificatesOf(who), 'LeadEd503x');
  expect(card).toContain('Requirements met');
  expect(await certificatesOf(who)).toContain('<li>the portfolio graded S</li>');
  expect(await certificatesOf(who)).not.toContain('a study guide for every lesson');

  await sql`update course_offering set certificate_rule = ${JSON.stringify({ requires: ['portfolio_complete', 'portfolio_s'] })}::jsonb where id = ${offeringId}`.execute(
    t.db,
  );
  card = cardOf(await certificatesOf(who), 'LeadEd503x');
  expect(card).toContain('<li>portfolio submitted incomplete</li>');
  expect(card).not.toContain('study guide');

  // edX minimum grade from the data: student7 (0.55 on LeadEd502x) passes at 0.5. This test
  // imports the report it needs itself (it must not depend on another test's import).
  // (The rows other tests expect, should they run after it: student6 passed, student8 listed.)
  const rows: [string, number, string][] = [
    ['student6', 0.9, 'enrolled'],
    ['student7', 0.55, 'enrolled'],
    ['student8', 0.95, 'enrolled'],
  ];
  expect((await importReport(rows)).status).toBe(303);
  await sql`update course_offering set certificate_rule = ${JSON.stringify({ requires: ['edx_passed'], edxMinimumGrade: 0.5 })}::jsonb where id = ${offeringId}`.execute(
    t.db,
  );
  expect(cardOf(await certificatesOf('student7'), 'LeadEd502x')).toContain('Requirements met');
  await sql`update course_offering set certificate_rule = default where id = ${offeringId}`.execute(t.db);
  expect(cardOf(await certificatesOf('student7'), 'LeadEd502x')).toContain('edX course grade 55% (needs 70%)');
});

test('the course file: `certificate` is validated, and an older file without it asks for every requirement', () => {
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'seeds', 'courses', 'educ-551-639-winter-2020.json'), 'utf8'));
  const { certificate: _, ...older } = file;
  expect(courseDefinitionSchema.parse(older).certificate).toEqual({
    requires: ['components', 'study_guide', 'team_artifact', 'portfolio_complete', 'portfolio_s', 'edx_passed'],
    edxMinimumGrade: 0.7,
  });
  expect(courseDefinitionSchema.safeParse({ ...file, certificate: { requires: ['attendance'] } }).success).toBe(false);
  expect(courseDefinitionSchema.safeParse({ ...file, certificate: { requires: ['portfolio_s', 'portfolio_s'] } }).success).toBe(false);
  expect(courseDefinitionSchema.safeParse({ ...file, certificate: { edxMinimumGrade: 70 } }).success).toBe(false);
  expect(courseDefinitionSchema.parse({ ...file, certificate: { requires: ['portfolio_s'] } }).certificate).toEqual({
    requires: ['portfolio_s'],
    edxMinimumGrade: 0.7,
  });
});

test('an S without feedback is recorded; a U without feedback is refused (422, form kept)', async () => {
  const who = 'student10';
  const sid = await submission(ids[who], 'LeadEd502x');
  const bareU = await grade(sid, 'U', '');
  expect(bareU.status).toBe(422);
  expect(bareU.text).toContain('A U needs feedback: tell the student why the portfolio is unsatisfactory');
  expect(bareU.text).toContain('id="grade-U" name="grade" value="U" checked');
  expect(await t.db.selectFrom('grade').select('id').where('user_id', '=', ids[who]).execute()).toHaveLength(0);

  expect((await grade(sid, 'S', '')).status).toBe(303);
  const row = await t.db.selectFrom('grade').select(['grade', 'feedback']).where('user_id', '=', ids[who]).executeTakeFirstOrThrow();
  expect(row).toEqual({ grade: 'S', feedback: '' });
  const page = (await (await t.login(`${who}@cohort.example`)).get(`/portfolios/${courses.LeadEd502x.requirementId}/feedback`).expect(200)).text;
  expect(page).toContain('No written feedback with this grade.');
  await t.runWorker();
  const mail = t.smtp.messages.find((m) => m.to.includes(`${who}@cohort.example`))!;
  expect(mail.subject).toBe('[EDUC 551/639] Your LeadEd502x Portfolio has been graded');
  expect(mail.text).toContain('without written feedback');
  expect((await csvRows()).find((r) => r.email === `${who}@cohort.example`)!.LeadEd502x_feedback_written).toBe('no');
});

test('the CSV has every column the gradebook page shows, with the same values', async () => {
  const rows = await csvRows();
  const columns = Object.keys(rows[0]);
  // What a gradebook cell shows, per portfolio, and the student's row: each has its CSV column.
  for (const code of ['LeadEd502x', 'LeadEd503x']) {
    for (const fact of [
      'status',
      'submitted_at',
      'late',
      'complete',
      'items_now',
      'extension',
      'extension_requested_before_due',
      'extension_granted_by',
      'grade',
      'graded_at',
      'feedback_written',
      'resubmitted_since_graded',
      'certificate_requirements_met',
      'certificate_missing',
      'absences_required_meetings',
    ]) {
      expect(columns).toContain(`${code}_${fact}`);
    }
  }
  expect(columns).toEqual(expect.arrayContaining(['student_name', 'email', 'section', 'both_certificates']));

  const html = (await instructor.get('/instructor/gradebook').expect(200)).text;
  const head = html.split('<thead>')[1].split('</thead>')[0];
  expect(head).toContain('Certificates');
  expect(head).toContain('Absences (required meetings)');
  for (const r of rows) {
    const row = html
      .split('<tbody>')[1]
      .split('<tr>')
      .find((x) => x.includes(r.email));
    if (!row) continue; // another page
    for (const code of ['LeadEd502x', 'LeadEd503x']) {
      expect(row).toContain(`Items now: ${r[`${code}_items_now`]}`);
      expect(row).toContain(`${code}: ${r[`${code}_absences_required_meetings`]}`);
      const text = r[`${code}_certificate_requirements_met`] === 'yes' ? 'meets every requirement we track' : `missing ${r[`${code}_certificate_missing`]}`;
      expect(row).toContain(`${code}:</strong> ${text}`);
    }
    expect(row).toContain(`Both: ${r.both_certificates}`);
  }
});
