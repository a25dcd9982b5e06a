import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { writeGradebookCsv } from '../src/grading/gradebook.csv';
import { sql } from 'kysely';
import { queryCount } from '../src/db/query-counter';
import { userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { withBase } from './helpers/versions';
import { step } from './helpers/story';

/**
 * S/U grading through HTTP: the gradebook (status, filters, paging), the grading page (frozen
 * portfolio, late and extension facts), grades with feedback, the email, the append-only audit
 * log, the student's feedback page with the Rackham meaning, certificates, and the CSV export
 * parsed back. LeadEd502x is due Wed 2020-02-26, end of day in Detroit (2020-02-27T05:00Z).
 */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
let req502: number;
let req503: number;
const submissionOf: Record<string, number> = {};

async function submit(who: string, requirementId: number, at: string): Promise<number> {
  t.clock.set(at);
  const s = await t.login(`${who}@cohort.example`);
  const res = await s.post(`/portfolios/${requirementId}/submit`, { confirm: 'yes' });
  expect(res.status).toBe(303);
  const id = Number(res.headers.location.match(/submissions\/(\d+)/)![1]);
  submissionOf[`${who}:${requirementId}`] = id;
  return id;
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-20T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  const reqs = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.code'])
    .execute();
  req502 = reqs.find((r) => r.code === 'LeadEd502x')!.id;
  req503 = reqs.find((r) => r.code === 'LeadEd503x')!.id;

  // student3 arranges an extension in advance (to Wed 2020-03-04), approved by the instructor.
  const s3 = await t.login('student3@cohort.example');
  expect((await s3.post(`/portfolios/${req502}/extension`, { reason: 'Family matter', proposed_due_on: '2020-03-04' })).status).toBe(303);
  const x = await t.db.selectFrom('extension_request').select('id').where('user_id', '=', ids.student3).executeTakeFirstOrThrow();
  expect(
    (await instructor.post(`/instructor/extensions/${x.id}/decide`, { decision: 'approve', granted_due_on: '2020-03-04', message: 'Take care.' })).status,
  ).toBe(303);

  await submit('student1', req502, '2020-02-27T04:59:59Z'); // 11:59:59 PM Detroit on the due day: on time
  await submit('student5', req502, '2020-02-27T07:00:00Z'); // 2:00 AM the next day: late
  await submit('student3', req502, '2020-03-02T15:00:00Z'); // after the class due date, within the extension
  t.clock.set('2020-03-05T15:00:00Z');
});
afterAll(() => t.close());

const rowOf = (html: string, name: string) => {
  const rows = html
    .split('<tbody>')[1]
    .split('<tr>')
    .filter((r) => r.includes(name));
  expect(rows).toHaveLength(1);
  return rows[0];
};
const studentRows = (html: string) => (html.match(/<th scope="row">/g) ?? []).length;

test('the grading story: the gradebook, a frozen portfolio graded S/U, certificates, the CSV, access, then the gradebook at scale', async () => {
  await step('the gradebook: one row per student, status per portfolio, filters by section and status', async () => {
    const page = (await instructor.get('/instructor/gradebook').expect(200)).text;
    expect(page).toContain('12 students');
    expect(studentRows(page)).toBe(12);
    expect(rowOf(page, 'Ava Thompson')).toMatch(/badge-ok">Submitted</);
    expect(rowOf(page, 'Grace Kim')).toContain('Late by 2 hours');
    expect(rowOf(page, 'Olivia Bennett')).toContain('Extension</span> to Wed, Mar 4, 2020');
    expect(rowOf(page, 'Miguel Santos')).toContain('Not submitted');
    expect(rowOf(page, 'Ava Thompson')).toMatch(/Items now: \d+ of 14/);
    // Each cell opens that student's portfolio (read-only), submitted or not.
    expect(rowOf(page, 'Miguel Santos')).toContain(`href="/instructor/students/${ids.student2}/portfolios/${req502}"`);
    expect(rowOf(page, 'Miguel Santos')).toContain(`href="/instructor/students/${ids.student2}/portfolios/${req503}"`);

    const sections = await t.db.selectFrom('section').select(['id', 'code']).execute();
    const s551 = sections.find((s) => s.code.includes('551'))!;
    const only551 = (await instructor.get(`/instructor/gradebook?section=${s551.id}`)).text;
    expect(studentRows(only551)).toBe(6);
    expect(only551).not.toContain('Miguel Santos'); // student2 is in EDUC 639
    const late = (await instructor.get('/instructor/gradebook?status=late')).text;
    expect(studentRows(late)).toBe(1);
    expect(late).toContain('Grace Kim');
    expect(studentRows((await instructor.get('/instructor/gradebook?status=extension')).text)).toBe(1);
    expect(studentRows((await instructor.get(`/instructor/gradebook?status=not_submitted&portfolio=${req502}`)).text)).toBe(9);
    expect(studentRows((await instructor.get(`/instructor/gradebook?status=not_submitted&portfolio=${req503}`)).text)).toBe(12);
    expect(studentRows((await instructor.get('/instructor/gradebook?status=ungraded')).text)).toBe(3);
    expect((await instructor.get('/instructor/gradebook?status=bogus&section=x&page=-4')).status).toBe(200);
  });

  await step('the grading page shows the frozen portfolio and the late/extension facts', async () => {
    const onTime = (await instructor.get(`/instructor/submissions/${submissionOf[`student1:${req502}`]}/grade`).expect(200)).text;
    expect(onTime).toContain('Wed, Feb 26, 2020, 11:59 PM EST');
    expect(onTime).toContain('On time');
    expect(onTime).toContain('No extension granted');
    expect(onTime).toContain('Frozen'); // the portfolio snapshot partial
    expect(onTime).toContain('Peer assessment by a colleague');

    const late = (await instructor.get(`/instructor/submissions/${submissionOf[`student5:${req502}`]}/grade`)).text;
    expect(late).toMatch(/Late<\/span> by 2 hours/);

    const extended = (await instructor.get(`/instructor/submissions/${submissionOf[`student3:${req502}`]}/grade`)).text;
    expect(extended).toContain('Extension <strong>granted</strong> to Wed, Mar 4, 2020');
    expect(extended).toContain('before the due date: arranged in advance');
    expect(extended).toContain('On time');
    expect(extended).toContain('class due date');
  });

  await step('grading S/U with feedback: email, audit log of every change, the student’s feedback page with the Rackham meaning', async () => {
    const sid = submissionOf[`student1:${req502}`];
    const path = `/instructor/submissions/${sid}/grade`;
    const empty = await instructor.post(path, await withBase(instructor, path, path, { grade: '', feedback: '' }));
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Choose S (satisfactory) or U (unsatisfactory)');
    // A U must say why: refused with the form kept (an S without feedback: test/certificates.test.ts).
    const bareU = await instructor.post(path, await withBase(instructor, path, path, { grade: 'U', feedback: '   ' }));
    expect(bareU.status).toBe(422);
    expect(bareU.text).toContain('A U needs feedback: tell the student why');
    expect(bareU.text).toContain('id="grade-U" name="grade" value="U" checked');
    expect(await t.db.selectFrom('grade').select('id').where('user_id', '=', ids.student1).execute()).toHaveLength(0);

    t.clock.set('2020-03-05T16:00:00Z');
    expect(
      (
        await instructor.post(
          path,
          await withBase(instructor, path, path, { grade: 'S', feedback: 'Strong study guides.\n\nKeep linking artifacts to the readings.' }),
        )
      ).status,
    ).toBe(303);
    t.clock.set('2020-03-05T17:00:00Z');
    expect((await instructor.post(path, await withBase(instructor, path, path, { grade: 'U', feedback: 'Lesson 4 artifact missing.' }))).status).toBe(303);
    const same = await instructor.post(path, await withBase(instructor, path, path, { grade: 'U', feedback: 'Lesson 4 artifact missing.' }));
    expect(same.status).toBe(303);
    expect((await instructor.get(path)).text).toContain('unchanged: nothing was recorded or sent');
    t.clock.set('2020-03-06T14:00:00Z');
    expect(
      (await instructor.post(path, await withBase(instructor, path, path, { grade: 'S', feedback: 'Artifact found in the team’s version 2. Satisfactory.' })))
        .status,
    ).toBe(303);

    const events = await t.db.selectFrom('grade_event').selectAll().where('user_id', '=', ids.student1).orderBy('id').execute();
    expect(events.map((e) => [e.old_grade, e.new_grade, e.actor_id])).toEqual([
      [null, 'S', ids.instructor],
      ['S', 'U', ids.instructor],
      ['U', 'S', ids.instructor],
    ]);
    expect(events[1].old_feedback).toContain('Strong study guides');
    expect(events[2].at.toISOString()).toBe('2020-03-06T14:00:00.000Z');
    await expect(sql`update grade_event set new_grade = 'U'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from grade_event`.execute(t.db)).rejects.toThrow(/append-only/);

    const page = (await instructor.get(path)).text;
    expect(page).toContain('Current grade: <strong>S (Satisfactory)</strong>');
    expect(page).toContain('U → S');
    expect(page).toContain('S → U');
    expect(page).toContain('none → S');
    const book = (await instructor.get('/instructor/gradebook')).text;
    expect(rowOf(book, 'Ava Thompson')).toContain('History (3)');
    expect(rowOf(book, 'Ava Thompson')).toContain('class="grade-S">S<');

    await t.runWorker();
    const mails = t.smtp.messages.filter((m) => m.to.includes('student1@cohort.example') && /feedback/i.test(m.subject));
    expect(mails.map((m) => m.subject).sort()).toEqual([
      '[EDUC 551/639] Feedback on your LeadEd502x Portfolio is ready',
      '[EDUC 551/639] Updated feedback on your LeadEd502x Portfolio is ready',
      '[EDUC 551/639] Updated feedback on your LeadEd502x Portfolio is ready',
    ]);
    const first = mails.find((m) => m.subject.includes('] Feedback on'))!;
    expect(first.text).toContain(`http://cohort.test/portfolios/${req502}/feedback`);
    expect(first.text).not.toContain('Strong study guides'); // the grade itself is read on the page

    const s1 = await t.login('student1@cohort.example');
    const feedback = (await s1.get(`/portfolios/${req502}/feedback`).expect(200)).text;
    expect(feedback).toContain('Grade: S (Satisfactory)');
    expect(feedback).toContain('Artifact found in the team’s version 2');
    expect(feedback).not.toContain('Lesson 4 artifact missing'); // history is the instructor's
    expect(feedback).toContain('is considered to be a grade of “B” or better');
    expect(feedback).toContain('not factored into the Grade Point Average or Michigan Honors Points');
    expect(feedback).toContain('Graded Fri, Mar 6, 2020, 9:00 AM EST');

    const s2 = await t.login('student2@cohort.example');
    const other = (await s2.get(`/portfolios/${req502}/feedback`).expect(200)).text;
    expect(other).toContain('has not been graded yet');
    expect(other).not.toContain('Artifact found');
    expect(other).toContain('is considered to be a grade of “B” or better');
    expect((await s2.get('/portfolios/999999/feedback')).status).toBe(404);
  });

  await step('certificates: an S alone does not meet the requirements; the page says what is still missing', async () => {
    // student1 has S on an (incomplete) LeadEd502x portfolio and no lesson work: not eligible.
    // The whole rule, with a student who has done everything: test/certificates.test.ts.
    const s1 = await t.login('student1@cohort.example');
    let page = (await s1.get('/certificates').expect(200)).text;
    expect(page).not.toContain('Requirements met');
    expect(page).toContain('0 of 2 courses meet every requirement we track');
    expect(page).toContain('Lesson 01: study guide; team artifact; no components done');
    expect(page).toContain('portfolio submitted incomplete');

    const sid = await submit('student1', req503, '2020-04-20T15:00:00Z');
    expect(
      (
        await instructor.post(
          `/instructor/submissions/${sid}/grade`,
          await withBase(instructor, `/instructor/submissions/${sid}/grade`, `/instructor/submissions/${sid}/grade`, {
            grade: 'S',
            feedback: 'Excellent improvement charter.',
          }),
        )
      ).status,
    ).toBe(303);
    page = (await s1.get('/certificates')).text;
    expect(page).not.toContain('portfolio not submitted');
    expect(page).toContain('0 of 2 courses meet every requirement we track');
    const row = rowOf((await instructor.get('/instructor/gradebook')).text, 'Ava Thompson');
    expect(row).toContain('Both: no');
    expect(row).toContain('missing Lesson 01: study guide; team artifact; no components done');
    expect((await (await t.login('student5@cohort.example')).get('/certificates')).text).toContain('portfolio not graded yet');
  });

  await step('the CSV export parses back: one row per student, ISO 8601 with offsets, formula injection neutralized', async () => {
    await t.db.updateTable('app_user').set({ name: '=HYPERLINK("http://evil.example","Click")' }).where('id', '=', ids.student7).execute();
    await t.db.updateTable('app_user').set({ name: '@SUM(A1:A9)' }).where('id', '=', ids.student9).execute();
    const res = await instructor
      .get('/instructor/gradebook.csv')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?gradebook-2020-04-20\.csv"?$/);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark
    const rows: Record<string, string>[] = parse(body, { bom: true, columns: true });
    expect(rows).toHaveLength(12);
    for (const col of [
      'student_name',
      'email',
      'section',
      'LeadEd502x_status',
      'LeadEd502x_submitted_at',
      'LeadEd502x_late',
      'LeadEd502x_extension',
      'LeadEd502x_grade',
      'LeadEd502x_graded_at',
      'LeadEd503x_status',
      'LeadEd503x_submitted_at',
      'LeadEd503x_grade',
      'LeadEd503x_graded_at',
      'both_certificates',
    ]) {
      expect(Object.keys(rows[0])).toContain(col);
    }
    const by = (email: string) => rows.find((r) => r.email === email)!;
    const ava = by('student1@cohort.example');
    expect(ava.LeadEd502x_status).toBe('submitted');
    expect(ava.LeadEd502x_submitted_at).toBe('2020-02-26T23:59:59-05:00');
    expect(ava.LeadEd502x_late).toBe('no');
    expect(ava.LeadEd502x_grade).toBe('S');
    expect(ava.LeadEd502x_graded_at).toBe('2020-03-06T09:00:00-05:00');
    expect(ava.LeadEd503x_submitted_at).toBe('2020-04-20T11:00:00-04:00'); // after the switch to daylight time
    expect(ava.both_certificates).toBe('no'); // S on both portfolios, but the lesson work is missing
    expect(ava.LeadEd502x_certificate_requirements_met).toBe('no');
    expect(ava.LeadEd502x_certificate_missing).toContain('Lesson 06: study guide; team artifact; no components done');
    expect(ava.LeadEd502x_feedback_written).toBe('yes');
    expect(by('student5@cohort.example').LeadEd502x_late).toBe('yes');
    expect(by('student5@cohort.example').LeadEd502x_status).toBe('late');
    const olivia = by('student3@cohort.example');
    expect([olivia.LeadEd502x_extension, olivia.LeadEd502x_extension_requested_before_due, olivia.LeadEd502x_late]).toEqual(['2020-03-04', 'yes', 'no']);
    expect(by('student2@cohort.example').LeadEd502x_status).toBe('not submitted');
    expect(by('student2@cohort.example').LeadEd502x_submitted_at).toBe('');
    expect(by('student7@cohort.example').student_name).toBe(`'=HYPERLINK("http://evil.example","Click")`);
    expect(by('student9@cohort.example').student_name).toBe("'@SUM(A1:A9)");
    expect(by('student10@cohort.example').student_name).toBe('Noah Williams');

    const sections = await t.db.selectFrom('section').select(['id', 'code']).execute();
    const filtered = await instructor.get(`/instructor/gradebook.csv?section=${sections.find((s) => s.code.includes('639'))!.id}`);
    expect(parse(filtered.text, { bom: true, columns: true })).toHaveLength(6);

    // Read in batches of any size (keyset pages of 1, 2, 5, … students), the export is the same file, row for row.
    const offeringId = (await t.db.selectFrom('course_offering').select('id').executeTakeFirstOrThrow()).id;
    for (const batch of [1, 2, 5, 12, 13]) {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          done();
        },
      });
      await writeGradebookCsv(t.db, offeringId, { section: null, status: null, portfolio: null }, sink, batch);
      expect([batch, Buffer.concat(chunks).equals(body)]).toEqual([batch, true]);
    }
  });

  await step('students and visitors cannot reach grading; route by route', async () => {
    const s = await t.login('student2@cohort.example');
    const sid = submissionOf[`student1:${req502}`];
    for (const path of [
      '/instructor/gradebook',
      '/instructor/gradebook.csv',
      `/instructor/submissions/${sid}/grade`,
      `/instructor/peer-assignments/${req502}`,
    ]) {
      expect([path, (await s.get(path)).status]).toEqual([path, 403]);
    }
    expect((await s.post(`/instructor/submissions/${sid}/grade`, { grade: 'S', feedback: 'self-serve' })).status).toBe(403);
    expect((await s.get(`/portfolios/${req502}/submissions/${sid}`)).status).toBe(404); // another student's portfolio
    const anon = await t.anonymous().get('/instructor/gradebook');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/login?next=%2Finstructor%2Fgradebook');
    expect((await t.anonymous().get('/certificates')).status).toBe(303);
    expect((await instructor.get('/certificates')).status).toBe(403);
    expect((await instructor.get(`/portfolios/${req502}/feedback`)).status).toBe(403);
    expect((await instructor.get('/instructor/submissions/999999/grade')).status).toBe(404);
  });

  await step('at scale: constant queries per gradebook page, and the CSV streams every student in keyset batches', async () => {
    const offering = await t.db.selectFrom('app_user').select(['offering_id', 'section_id']).where('id', '=', ids.student1).executeTakeFirstOrThrow();
    // 2,345 more students sharing three names, so batches end in the middle of a run of equal names.
    await sql`insert into app_user (email, name, role, offering_id, section_id, time_zone)
      select 'bulk' || g || '@cohort.example', 'Bulk Learner ' || (g % 3), 'student', ${offering.offering_id}, ${offering.section_id}, 'Asia/Manila'
      from generate_series(1, 2345) g`.execute(t.db);
    const queriesFor = async (path: string) => {
      const before = queryCount();
      const res = await instructor.get(path).expect(200);
      return { html: res.text, queries: queryCount() - before };
    };
    const first = await queriesFor('/instructor/gradebook');
    const later = await queriesFor('/instructor/gradebook?page=20');
    const filtered = await queriesFor('/instructor/gradebook?status=not_submitted&page=3');
    expect(studentRows(first.html)).toBe(50);
    expect(first.html).toContain('2357 students');
    expect(later.queries).toBe(first.queries);
    expect(filtered.queries).toBe(first.queries);

    const csv = await instructor.get('/instructor/gradebook.csv');
    const rows: Record<string, string>[] = parse(csv.text, { bom: true, columns: true });
    expect(rows).toHaveLength(12 + 2345);
    expect(new Set(rows.map((r) => r.email)).size).toBe(rows.length);
  });
});
