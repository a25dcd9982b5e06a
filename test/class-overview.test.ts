import { queryCount } from '../src/db/query-counter';
import { localInstant } from '../src/time';
import { userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { addStudents, numbered } from './helpers/students';
import { step } from './helpers/story';

/** The class overview: every student in a row, flags for who is falling behind, sorting,
 * filtering, paging with a constant number of queries. Now: Mon 2020-01-27 (Lesson 03 week, so
 * Lessons 01 and 02 of LeadEd502x should be complete). */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};

const at = (on: string, hhmm = '12:00') => localInstant(on, hhmm, 'America/Detroit');

function rows(html: string): string[] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return body.split('<tr').slice(1);
}
const rowOf = (html: string, name: string) => rows(html).find((r) => r.includes(`<strong>${name}</strong>`)) ?? '';
const names = (html: string) => rows(html).flatMap((r) => r.match(/<strong>([^<]+)<\/strong>/)?.[1] ?? []);

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  const lessons = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select(['unit.id', 'unit.lesson_number'])
    .where('edx_course.code', '=', 'LeadEd502x')
    .where('unit.kind', '=', 'lesson')
    .orderBy('unit.lesson_number')
    .execute();
  const components = await t.db.selectFrom('lesson_component').select('id').execute();
  const complete = (user: string, unitId: number, on: string) =>
    components.map((c) => ({ user_id: ids[user], unit_id: unitId, component_id: c.id, completed_at: at(on) }));
  // Ava (student1): Lessons 01 and 02 complete — on pace. Miguel (student2): Lesson 01 only — behind by 1.
  await t.db
    .insertInto('component_completion')
    .values([
      ...complete('student1', lessons[0].id, '2020-01-16'),
      ...complete('student1', lessons[1].id, '2020-01-26'),
      ...complete('student2', lessons[0].id, '2020-01-14'),
    ])
    .execute();
  const guide = await t.db
    .insertInto('study_guide')
    .values({ user_id: ids.student1, unit_id: lessons[0].id, created_at: at('2020-01-15'), deleted_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('study_guide_version')
    .values({ study_guide_id: guide.id, version_no: 1, body_md: 'Key terms', attachment_id: null, created_at: at('2020-01-15') })
    .execute();
  const crew = await t.db.selectFrom('team').select('id').where('name', '=', 'Learning Systems Crew').executeTakeFirstOrThrow();
  await t.db
    .insertInto('team_artifact_version')
    .values({ team_id: crew.id, version_no: 1, body_md: 'Our case analysis', attachment_id: null, uploaded_by: ids.student3, created_at: at('2020-01-18') })
    .execute();
  const req502 = await t.db.selectFrom('portfolio_requirement').select('id').where('title', '=', 'LeadEd502x Portfolio').executeTakeFirstOrThrow();
  await t.db
    .insertInto('extension_request')
    .values({
      user_id: ids.student2,
      portfolio_requirement_id: req502.id,
      reason: 'Family emergency',
      proposed_due_on: '2020-03-04',
      requested_at: at('2020-01-20'),
      made_before_due: true,
      status: 'approved',
      decided_by: ids.instructor,
      decided_at: at('2020-01-21'),
      granted_due_on: '2020-03-04',
      granted_due_at: localInstant('2020-03-05', '00:00', 'America/Detroit'),
    })
    .execute();
  await t.db
    .insertInto('outbound_email')
    .values({
      kind: 'portfolio_reminder',
      user_id: ids.student1,
      to_address: 'student1@cohort.example',
      subject: 'Reminder',
      text_body: 'x',
      message_id: '<r1@test>',
      status: 'sent',
      sent_at: at('2020-01-20', '09:00'),
    })
    .execute();
  // An imported edX grade report: Ava attempted Lesson 01 (80%), not Lesson 02.
  const course502 = (await t.db.selectFrom('edx_course').select('id').where('code', '=', 'LeadEd502x').executeTakeFirstOrThrow()).id;
  const report = await t.db
    .insertInto('edx_import')
    .values({
      edx_course_id: course502,
      imported_by: ids.instructor,
      imported_at: at('2020-01-26'),
      file_name: 'grade_report.csv',
      learner_rows: 1,
      matched: 1,
      matched_by_username: 0,
      unmatched: 0,
      subsection_columns: 2,
      progress_rows: 2,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('edx_progress')
    .values([
      {
        user_id: ids.student1,
        unit_id: lessons[0].id,
        score: 0.8,
        attempted: true,
        subsections: 1,
        subsections_attempted: 1,
        import_id: report.id,
        updated_at: at('2020-01-26'),
      },
      {
        user_id: ids.student1,
        unit_id: lessons[1].id,
        score: 0,
        attempted: false,
        subsections: 1,
        subsections_attempted: 0,
        import_id: report.id,
        updated_at: at('2020-01-26'),
      },
    ])
    .execute();
  // Two absences from required LeadEd502x meetings for Olivia (student3).
  const required = await t.db
    .selectFrom('calendar_event')
    .select('id')
    .where('kind', '=', 'campus_meeting')
    .where('required', '=', true)
    .orderBy('starts_at')
    .limit(2)
    .execute();
  await t.db
    .insertInto('attendance_record')
    .values(
      required.map((m) => ({
        calendar_event_id: m.id,
        user_id: ids.student3,
        status: 'absent' as const,
        note: '',
        recorded_by: ids.instructor,
        recorded_at: at('2020-01-27', '09:00'),
        superseded_at: null,
      })),
    )
    .execute();
});
afterAll(() => t.close());

test('the class overview as the class grows: rows, flags, sorting, filters, then pages of 50', async () => {
  await step('one row per student with pace, work, portfolio, extension, attendance and reminders; those behind are flagged', async () => {
    const page = (await instructor.get('/instructor/overview').expect(200)).text;
    expect(rows(page)).toHaveLength(12);
    expect(page).toContain('12 students');
    const ava = rowOf(page, 'Ava Thompson');
    expect(ava).not.toContain('overview-behind');
    expect(ava).toContain('On pace');
    expect(ava).toContain('Sun, Jan 26, 2020 (1 day ago)');
    expect(ava).toContain('14 of 84'); // components: two lessons of seven, of 12 lessons
    expect(ava).toMatch(/<td>1 of 12<\/td>\s*<td>1 of 12<\/td>/); // one study guide, one team artifact
    expect(ava).toContain('LeadEd502x: 2 of 14 items'); // Lesson 01's study guide and team artifact, of 6×2 + peer assessment + reflection
    expect(ava).toMatch(/<td>1<br><span class="muted">last Mon, Jan 20, 2020<\/span><\/td>/);
    expect(ava).toContain('<td>LeadEd502x 1 of 2 units attempted, mean 40%</td>');

    const miguel = rowOf(page, 'Miguel Santos');
    expect(miguel).toContain('overview-behind');
    expect(miguel).toContain('Reach out</span> Behind by 1 lesson');
    expect(miguel).toContain('LeadEd502x: Granted to Wed, Mar 4, 2020');
    expect(miguel).toMatch(/<td>0 of 12<\/td>\s*<td>1 of 12<\/td>/); // his team's artifact counts
    expect(miguel).toContain('<td>No edX data</td>');

    const olivia = rowOf(page, 'Olivia Bennett');
    expect(olivia).toContain('Behind by 2 lessons');
    expect(olivia).toContain('2 absences from required LeadEd502x meetings');
    expect(olivia).toContain('0 present, 2 absent, 0 excused');
    expect(olivia).toContain('Missed required:</strong> LeadEd502x 2');
    expect(rowOf(page, 'Grace Kim')).toContain('No work saved yet');
    expect(page).toContain('11 on this page to reach out to');
  });

  await step('sorting by pace puts the students furthest behind first, and can be reversed', async () => {
    const byPace = (await instructor.get('/instructor/overview?sort=pace').expect(200)).text;
    const order = names(byPace);
    expect(order.slice(-2)).toEqual(['Miguel Santos', 'Ava Thompson']);
    expect(byPace).toContain('aria-sort="descending"');
    const reversed = names((await instructor.get('/instructor/overview?sort=pace&dir=asc').expect(200)).text);
    expect(reversed.slice(0, 2)).toEqual(['Ava Thompson', 'Miguel Santos']);
    const byActivity = names((await instructor.get('/instructor/overview?sort=activity&dir=desc').expect(200)).text);
    expect(byActivity.slice(0, 3)).toEqual(['Ava Thompson', 'Olivia Bennett', 'Miguel Santos']); // Jan 26, Jan 18, Jan 15
    const byComponents = names((await instructor.get('/instructor/overview?sort=components&dir=desc').expect(200)).text);
    expect(byComponents.slice(0, 2)).toEqual(['Ava Thompson', 'Miguel Santos']);
  });

  await step('filters: behind pace only, section, name search; a bad query string falls back to defaults', async () => {
    const behind = (await instructor.get('/instructor/overview?behind=1').expect(200)).text;
    expect(rows(behind)).toHaveLength(11);
    expect(names(behind)).not.toContain('Ava Thompson');
    const sections = await t.db.selectFrom('section').select(['id', 'code']).execute();
    const s551 = sections.find((s) => s.code === 'EDUC 551')!.id;
    const inSection = (await instructor.get(`/instructor/overview?section=${s551}`).expect(200)).text;
    expect(rows(inSection)).toHaveLength(6);
    expect(names(inSection)).toContain('Ava Thompson');
    expect(names(inSection)).not.toContain('Miguel Santos');
    expect(names((await instructor.get('/instructor/overview?q=santos').expect(200)).text)).toEqual(['Miguel Santos']);
    const none = (await instructor.get('/instructor/overview?q=100%25_').expect(200)).text; // LIKE wildcards are literal
    expect(none).toContain('No students match these filters.');
    expect(none).toContain('0 students');
    const junk = (await instructor.get('/instructor/overview?sort=evil&dir=sideways&page=-3&section=x').expect(200)).text;
    expect(rows(junk)).toHaveLength(12);
  });

  await step('pages of 50 with the same number of queries for a full page and a short one', async () => {
    await addStudents(t.db, numbered(50, 'learner', 'Zz Learner', 2), { sectionCode: 'EDUC 639', timeZone: 'Asia/Manila' });
    const queriesFor = async (path: string) => {
      const before = queryCount();
      const res = await instructor.get(path).expect(200);
      return { html: res.text, queries: queryCount() - before };
    };
    const first = await queriesFor('/instructor/overview');
    const second = await queriesFor('/instructor/overview?page=2');
    const one = await queriesFor('/instructor/overview?q=Ava');
    expect(rows(first.html)).toHaveLength(50);
    expect(rows(second.html)).toHaveLength(12);
    expect(rows(one.html)).toHaveLength(1);
    expect(first.html).toContain('62 students');
    expect(second.html).toContain('Page 2 of 2');
    expect(first.html).toContain('href="/instructor/overview?page=2"');
    expect(names(second.html).at(-1)).toBe('Zz Learner 49');
    expect(rowOf(second.html, 'Zz Learner 49')).toContain('Invitation not accepted');
    expect(second.queries).toBe(first.queries);
    expect(one.queries).toBe(first.queries);
    const sortedPage = await queriesFor('/instructor/overview?sort=pace&page=2');
    expect(sortedPage.queries).toBe(first.queries);
  });

  await step('students get 403 on every instructor page', async () => {
    const s = await t.login('student4@cohort.example');
    const meeting = await t.db.selectFrom('calendar_event').select('id').where('kind', '=', 'campus_meeting').executeTakeFirstOrThrow();
    for (const path of [
      '/instructor/overview',
      '/instructor/overview?sort=pace',
      '/instructor/attendance',
      `/instructor/attendance/${meeting.id}`,
      '/instructor/events',
      `/instructor/events/${meeting.id}/edit`,
      '/instructor/roster',
    ]) {
      const res = await s.get(path);
      expect([path, res.status]).toEqual([path, 403]);
    }
    const anon = await t.anonymous().get('/instructor/overview');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/login?next=%2Finstructor%2Foverview');
  });
});
