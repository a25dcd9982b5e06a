import fs from 'node:fs';
import path from 'node:path';
import { edxProgressFor } from '../src/edx-import/edx-progress';
import { parseGradeReport } from '../src/edx-import/grade-report';
import { userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/** The edX grade report import: a realistic LeadEd502x report (six subsection columns, average
 * columns, enrollment and certificate columns, course staff and MOOC learners who are not in the
 * class), a learner linked by edX username, a newer report re-imported, a malformed file refused,
 * the column mapping corrected, and the pages that show edX progress. Now: Mon 2020-02-03. */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
let course502: number;
const units: Record<string, number> = {};

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'edx', name));
const REPORT_1 = 'MichiganX_LeadEd502x_1T2020_grade_report_2020-02-03-1532.csv';
const REPORT_2 = 'MichiganX_LeadEd502x_1T2020_grade_report_2020-02-17-0910.csv';

const upload = (s: Session, file: Buffer, name: string, edxCourseId: number | string = course502) =>
  s.upload('/instructor/edx-import', { edxCourseId: String(edxCourseId) }, [{ field: 'report', buffer: file, filename: name, contentType: 'text/csv' }]);

/** edX progress as rows keyed "student:unit" → [score, attempted, subsections, attempted subsections]. */
async function progressTable() {
  const rows = await t.db.selectFrom('edx_progress').selectAll().orderBy('user_id').orderBy('unit_id').execute();
  const name = (id: number) => Object.keys(ids).find((k) => ids[k] === id);
  const unit = (id: number) => Object.keys(units).find((k) => units[k] === id);
  return Object.fromEntries(rows.map((r) => [`${name(r.user_id)}:${unit(r.unit_id)}`, [Number(r.score), r.attempted, r.subsections, r.subsections_attempted]]));
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-03T20:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  course502 = (await t.db.selectFrom('edx_course').select('id').where('code', '=', 'LeadEd502x').executeTakeFirstOrThrow()).id;
  for (const u of await t.db.selectFrom('unit').select(['id', 'kind', 'lesson_number']).where('edx_course_id', '=', course502).execute()) {
    units[u.kind === 'lesson' ? `L${u.lesson_number}` : u.kind] = u.id;
  }
});
afterAll(() => t.close());

test('the edX progress story: reports imported, mapped, corrected and re-imported, in order', async () => {
  await step('students may not import, map or read the class table; the instructor has no /progress/edx', async () => {
    const ava = await t.login('student1@cohort.example');
    await ava.get('/instructor/edx-import').expect(403);
    await ava.get(`/instructor/edx-import/mapping/${course502}`).expect(403);
    await ava.get(`/instructor/edx-import/progress/${course502}`).expect(403);
    expect((await upload(ava, fixture(REPORT_1), REPORT_1)).status).toBe(403);
    await instructor.get('/progress/edx').expect(403);
    expect(await t.db.selectFrom('edx_import').selectAll().execute()).toHaveLength(0);
  });

  await step('the first report: matched by email (any case), staff and unknown learners reported, columns guessed, progress per unit', async () => {
    const res = await upload(instructor, fixture(REPORT_1), REPORT_1);
    expect(res.status).toBe(303);
    const page = (await instructor.get(res.headers.location).expect(200)).text;
    expect(page).toContain(REPORT_1);
    expect(page).toMatch(/data-count="matched">4</);
    expect(page).toMatch(/data-count="unmatched">5</);
    for (const who of ['obennett', 'dpeurach_staff', 'learner_tz', 'kwame_a', 'edu_leader_88']) expect(page).toContain(who);
    expect(page).toContain('Course staff (Donald J. Peurach (demo instructor)), not a student');

    const log = await t.db.selectFrom('edx_import').selectAll().executeTakeFirstOrThrow();
    expect([log.learner_rows, log.matched, log.matched_by_username, log.unmatched, log.subsection_columns, log.imported_by, log.file_name]).toEqual([
      9,
      4,
      0,
      5,
      6,
      ids.instructor,
      REPORT_1,
    ]);

    const mapping = await t.db.selectFrom('edx_subsection_map').select(['column_name', 'unit_id', 'source']).orderBy('position').execute();
    expect(mapping.map((m) => [m.column_name, m.unit_id, m.source])).toEqual([
      ['Course Kickoff: Pre-Course Survey', units.kickoff, 'guess'],
      ['Team Practice 01: Lesson 1: Imagining and Framing Innovation', units.L1, 'guess'],
      ['Team Practice 02: Lesson 2: Framing Innovation - Reason and Rationality', units.L2, 'guess'],
      ['Learning Check 01', units.L1, 'guess'],
      ['Learning Check 02', units.L2, 'guess'],
      ['Final Reflection', null, 'guess'],
    ]);

    // Each unit's score is the mean of its mapped subsections; "Not Attempted" counts as 0.
    expect(await progressTable()).toEqual({
      'student1:kickoff': [1, true, 1, 1],
      'student1:L1': [1, true, 2, 2],
      'student1:L2': [0.85, true, 2, 2],
      'student2:kickoff': [1, true, 1, 1],
      'student2:L1': [0.625, true, 2, 2],
      'student2:L2': [0, false, 2, 0],
      'student4:kickoff': [0, false, 1, 0],
      'student4:L1': [0.3, true, 2, 1],
      'student4:L2': [0, false, 2, 0],
      'student6:kickoff': [0, false, 1, 0],
      'student6:L1': [0, false, 2, 0],
      'student6:L2': [0, false, 2, 0],
    });
    const accounts = await t.db.selectFrom('edx_account').select(['user_id', 'username', 'edx_student_id', 'linked_by']).orderBy('user_id').execute();
    expect(accounts).toEqual([
      { user_id: ids.student1, username: 'athompson_um', edx_student_id: '31000101', linked_by: null },
      { user_id: ids.student2, username: 'msantos_edu', edx_student_id: '31000102', linked_by: null },
      { user_id: ids.student4, username: 'lucas_oliveira', edx_student_id: '31000104', linked_by: null },
      { user_id: ids.student6, username: 'chidi_o', edx_student_id: '31000106', linked_by: null },
    ]);
    const grade = await t.db.selectFrom('edx_course_grade').selectAll().where('user_id', '=', ids.student1).executeTakeFirstOrThrow();
    expect([Number(grade.grade), grade.enrollment_track, grade.certificate_eligible, grade.enrollment_status]).toEqual([0.72, 'verified', false, 'enrolled']);

    const batch = await edxProgressFor(t.db, [ids.student1, ids.student5], course502);
    expect(batch.get(ids.student1)!.map((p) => [p.unitKind, p.lessonNumber, p.score])).toEqual([
      ['kickoff', null, 1],
      ['lesson', 1, 1],
      ['lesson', 2, 0.85],
    ]);
    expect(batch.get(ids.student5)).toEqual([]);
  });

  await step('a malformed file is refused with line numbers and changes nothing', async () => {
    const before = await progressTable();
    const bad = await upload(instructor, fixture('malformed_grade_report.csv'), 'malformed_grade_report.csv');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Nothing was imported');
    expect(bad.text).toMatch(/Line 3: &#34;Team Practice 01: Lesson 1: Imagining and Framing Innovation&#34; is &#34;75%&#34;, not a score/);
    expect(bad.text).toContain('Line 7: The row has 18 cells; the header has 19.');
    expect(bad.text).not.toMatch(/Line (2|4|5|6|8|9|10):/);

    const noHeader = await upload(
      instructor,
      Buffer.from('Email,Username,Grade,Learning Check 01\r\nstudent1@cohort.example,athompson_um,0.5,0.5\r\n'),
      'wrong.csv',
    );
    expect(noHeader.status).toBe(422);
    expect(noHeader.text).toContain('Line 1: This does not look like an edX grade report: the header row is missing Student ID');

    const noCourse = await upload(instructor, fixture(REPORT_1), REPORT_1, '');
    expect(noCourse.status).toBe(422);
    expect(noCourse.text).toContain('Choose the edX course this report is from.');

    expect(await t.db.selectFrom('edx_import').selectAll().execute()).toHaveLength(1);
    expect(await t.db.selectFrom('edx_subsection_map').selectAll().execute()).toHaveLength(6);
    expect(await progressTable()).toEqual(before);
  });

  await step('an unmatched learner linked by edX username is matched by it in the next report; the newer report updates without duplicates', async () => {
    const firstImport = (await t.db.selectFrom('edx_import').select('id').executeTakeFirstOrThrow()).id;
    const wrongStudent = await instructor.post(`/instructor/edx-import/imports/${firstImport}/link`, {
      username: 'athompson_um',
      userId: String(ids.student3),
    });
    expect(wrongStudent.status).toBe(422);
    expect(wrongStudent.text).toContain('The edX username athompson_um is already linked to another student.');
    const linked = await instructor.post(`/instructor/edx-import/imports/${firstImport}/link`, { username: 'obennett', userId: String(ids.student3) });
    expect(linked.status).toBe(303);
    expect(await t.db.selectFrom('edx_account').select(['username', 'linked_by']).where('user_id', '=', ids.student3).executeTakeFirst()).toEqual({
      username: 'obennett',
      linked_by: ids.instructor,
    });

    t.clock.set('2020-02-17T15:00:00Z');
    const res = await upload(instructor, fixture(REPORT_2), REPORT_2);
    expect(res.status).toBe(303);
    const log = await t.db.selectFrom('edx_import').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect([log.learner_rows, log.matched, log.matched_by_username, log.unmatched, log.subsection_columns]).toEqual([8, 5, 1, 3, 8]);

    // New columns were guessed; the known ones kept their rows.
    const mapping = await t.db.selectFrom('edx_subsection_map').select(['column_name', 'unit_id']).execute();
    expect(mapping).toHaveLength(8);
    expect(mapping.find((m) => m.column_name === 'Learning Check 03')?.unit_id).toBe(units.L3);

    const table = await progressTable();
    expect(table['student1:L2']).toEqual([1, true, 2, 2]); // was 0.85
    expect(table['student1:L3']).toEqual([0.35, true, 2, 1]);
    expect(table['student3:L3']).toEqual([0.9, true, 2, 2]); // matched by username
    expect(table['student2:L2']).toEqual([0.55, true, 2, 2]); // was not attempted
    // One row per student and unit, and one score per student and subsection: nothing duplicated.
    expect(Object.keys(table).filter((k) => k.startsWith('student1:'))).toEqual(['student1:kickoff', 'student1:L1', 'student1:L2', 'student1:L3']);
    const scores = await t.db.selectFrom('edx_subsection_score').select(['user_id']).execute();
    expect(scores).toHaveLength(5 * 8);
    expect(await t.db.selectFrom('edx_course_grade').selectAll().execute()).toHaveLength(5);

    // Importing the same report again changes nothing but the log.
    expect((await upload(instructor, fixture(REPORT_2), REPORT_2)).status).toBe(303);
    expect(await progressTable()).toEqual(table);
    expect(await t.db.selectFrom('edx_import').selectAll().execute()).toHaveLength(3);

    const index = (await instructor.get('/instructor/edx-import').expect(200)).text;
    expect(index).toContain(REPORT_2);
    expect(index).toContain('Mon, Feb 17, 2020');
  });

  await step('the mapping page corrects a column; saving recomputes progress and persists', async () => {
    const page = (await instructor.get(`/instructor/edx-import/mapping/${course502}`).expect(200)).text;
    const final = await t.db.selectFrom('edx_subsection_map').select('id').where('column_name', '=', 'Final Reflection').executeTakeFirstOrThrow();
    const lc2 = await t.db.selectFrom('edx_subsection_map').select('id').where('column_name', '=', 'Learning Check 02').executeTakeFirstOrThrow();
    expect(page).toContain(`name="unit-${final.id}"`);

    const bad = await instructor.post(`/instructor/edx-import/mapping/${course502}`, { [`unit-${final.id}`]: '999999' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Choose one of this course’s units');

    const saved = await instructor.post(`/instructor/edx-import/mapping/${course502}`, { [`unit-${final.id}`]: String(units.closing), [`unit-${lc2.id}`]: '' });
    expect(saved.status).toBe(303);
    const rows = await t.db
      .selectFrom('edx_subsection_map')
      .select(['id', 'unit_id', 'source', 'updated_by'])
      .where('id', 'in', [final.id, lc2.id])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: lc2.id, unit_id: null, source: 'instructor', updated_by: ids.instructor },
      { id: final.id, unit_id: units.closing, source: 'instructor', updated_by: ids.instructor },
    ]);
    const table = await progressTable();
    expect(table['student1:closing']).toEqual([0, false, 1, 0]);
    expect(table['student1:L2']).toEqual([1, true, 1, 1]); // now Team Practice 02 only
    expect(table['student2:L2']).toEqual([0.5, true, 1, 1]);

    const after = (await instructor.get(`/instructor/edx-import/mapping/${course502}`).expect(200)).text;
    expect(after).toMatch(new RegExp(`<option value="${units.closing}" selected>`));

    // The next import keeps the instructor's choice.
    expect((await upload(instructor, fixture(REPORT_2), REPORT_2)).status).toBe(303);
    expect((await t.db.selectFrom('edx_subsection_map').select('unit_id').where('id', '=', final.id).executeTakeFirstOrThrow()).unit_id).toBe(units.closing);
  });

  await step('a student sees their own edX progress beside their components; the instructor sees the course table', async () => {
    const at = new Date('2020-02-10T15:00:00Z');
    const components = await t.db.selectFrom('lesson_component').select('id').orderBy('position').limit(3).execute();
    await t.db
      .insertInto('component_completion')
      .values(components.map((c) => ({ user_id: ids.student1, unit_id: units.L1, component_id: c.id, completed_at: at })))
      .execute();

    const ava = await t.login('student1@cohort.example');
    const mine = (await ava.get('/progress/edx').expect(200)).text;
    const l1Row = mine.split('<tr>').find((r) => r.includes(`href="/lessons/${units.L1}"`))!;
    expect(l1Row).toContain('3 of 7');
    expect(l1Row).toContain('100%');
    expect(l1Row).toContain('2 of 2 graded subsections attempted');
    expect(mine).toContain('Your edX course grade: <strong>86%</strong>');
    expect(mine).toContain('Your instructor has not imported an edX grade report for LeadEd503x yet.');
    // Course Kickoff has no lesson components to mark: no "0 of 7" that could never be completed.
    const kickoffRow = mine.split('<tr>').find((r) => r.includes(`href="/lessons/${units.kickoff}"`))!;
    expect(kickoffRow).not.toContain('of 7');
    expect(kickoffRow).toContain('No lesson components');

    const grid = (await instructor.get(`/instructor/edx-import/progress/${course502}`).expect(200)).text;
    const avaRow = grid.split('<tr>').find((r) => r.includes('Ava Thompson'))!;
    expect(avaRow).toContain('athompson_um');
    expect(avaRow).toMatch(/100%<\/span>.*3\/7/s);
    expect((avaRow.match(/\/7<span/g) ?? []).length).toBe(6); // the six lessons, not Kickoff or Closing
    const gracesRow = grid.split('<tr>').find((r) => r.includes('Grace Kim'))!;
    expect(gracesRow).toContain('No edX data');
  });

  await step('an "Is Enrolled" column (when there is no Enrollment Status) is read as enrolled / unenrolled', () => {
    const header = 'Student ID,Email,Username,Grade,Learning Check 01,Cohort Name,Is Enrolled';
    const parsed = parseGradeReport(`${header}\n1,a@x.example,a,0.9,1.0,C,True\n2,b@x.example,b,0.8,0.5,C,False\n`);
    expect(parsed.ok && parsed.report.learners.map((l) => l.enrollmentStatus)).toEqual(['enrolled', 'unenrolled']);
    expect(parsed.ok && parsed.report.subsections.map((s) => s.name)).toEqual(['Learning Check 01']);
  });
});
