import { queryCount } from '../src/db/query-counter';
import { userIdOf } from './helpers/builders';
import { startTestApp, type TestApp } from './helpers/test-app';
import { artifactFields, guideFields, withBase } from './helpers/versions';
import { step } from './helpers/story';

/** The lesson page: seven components with done toggles, Learning Check, notes, Enrichment, Celebrate Success. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
});
afterAll(() => t.close());

async function unitId(code: string, lesson: number | null, kind = 'lesson'): Promise<number> {
  let q = t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select('unit.id')
    .where('edx_course.code', '=', code)
    .where('unit.kind', '=', kind as 'lesson');
  if (lesson !== null) q = q.where('unit.lesson_number', '=', lesson);
  return (await q.executeTakeFirstOrThrow()).id;
}

async function components() {
  return t.db.selectFrom('lesson_component').select(['id', 'slug', 'name']).orderBy('position').execute();
}

async function userId(email: string): Promise<number> {
  return userIdOf(t, email);
}

test('the lessons story: lesson work saved, read and reviewed in order', async () => {
  await step('GET /lessons lists both edX courses’ units with x of 7 done', async () => {
    const s = await t.login('student1@cohort.example');
    const res = await s.get('/lessons').expect(200);
    expect(res.text).toContain('LeadEd502x · Lesson 03 — Framing Innovation – Metaphor and Analogy');
    expect(res.text).toContain('LeadEd503x · Course Kickoff');
    expect((res.text.match(/0 of 7 components done/g) ?? []).length).toBe(12);
  });

  await step('the seven components in order with their purpose; toggles record the time in the student’s zone; all seven = unit complete', async () => {
    const u = await unitId('LeadEd502x', 3);
    const s = await t.login('student2@cohort.example'); // Asia/Manila
    const page = (await s.get(`/lessons/${u}`).expect(200)).text;
    const names = (await components()).map((c) => c.name);
    expect(names).toEqual(['Presentation', 'Enrichment', 'Team Practice', 'Clarification', 'Learning Check', 'Celebrate Success', 'Community Engagement']);
    const positions = names.map((n) => page.indexOf(`>${n}</h2>`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(page).toContain('A series of videos presenting the content for the lesson');
    expect(page).not.toContain('Unit complete');

    const comps = await components();
    const res = await s.post(`/lessons/${u}/components/${comps[0].id}`, { done: '1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/lessons/${u}#component-presentation`);
    const after = (await s.get(`/lessons/${u}`).expect(200)).text;
    // 15:00Z is 11:00 PM in Manila (UTC+8)
    expect(after).toContain('Mon, Jan 27, 2020, 11:00 PM GMT+8');
    expect(after).toContain('1 of 7');

    for (const c of comps.slice(1, 6)) await s.post(`/lessons/${u}/components/${c.id}`, { done: '1' });
    expect((await s.get(`/lessons/${u}`)).text).not.toContain('Unit complete');
    await s.post(`/lessons/${u}/components/${comps[6].id}`, { done: '1' });
    const complete = (await s.get(`/lessons/${u}`)).text;
    expect(complete).toContain('Unit complete');
    expect((await s.get('/lessons')).text).toContain('7 of 7 components done');

    // Not done again: no longer complete; marking done twice does not duplicate.
    await s.post(`/lessons/${u}/components/${comps[3].id}`, { done: '0' });
    await s.post(`/lessons/${u}/components/${comps[0].id}`, { done: '1' });
    expect((await s.get(`/lessons/${u}`)).text).not.toContain('Unit complete');
    const me = await userId('student2@cohort.example');
    const rows = await t.db.selectFrom('component_completion').select('component_id').where('user_id', '=', me).where('unit_id', '=', u).execute();
    expect(rows).toHaveLength(6);
    // Another student's page is unaffected.
    const other = await t.login('student3@cohort.example');
    expect((await other.get(`/lessons/${u}`)).text).toContain('0 of 7');
  });

  await step('kickoff and closing units have no components: summary and edX link only; toggles refused', async () => {
    const kickoff = await unitId('LeadEd502x', null, 'kickoff');
    const s = await t.login('student1@cohort.example');
    const page = (await s.get(`/lessons/${kickoff}`).expect(200)).text;
    expect(page).toContain('Introduces the MicroMasters program');
    expect(page).toContain('https://www.edx.org/course/designing-and-leading-learning-systems');
    expect(page).not.toContain('Mark done');
    const comps = await components();
    expect((await s.post(`/lessons/${kickoff}/components/${comps[0].id}`, { done: '1' })).status).toBe(404);
  });

  await step('Learning Check: each save is a new row, the latest is shown; a missing answer re-renders with 422 and the input kept', async () => {
    const u = await unitId('LeadEd502x', 2);
    const s = await t.login('student4@cohort.example');
    const me = await userId('student4@cohort.example');
    const bad = await s.post(`/lessons/${u}/learning-check`, {
      understanding: 'Systems, not silver bullets',
      strengths: 'Great cases',
      weaknesses: '',
      base_version: '',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Name the weaknesses of this lesson.');
    expect(bad.text).toContain('Systems, not silver bullets');
    expect(bad.text).toContain('Great cases');
    expect(await t.db.selectFrom('learning_check_response').select('id').where('user_id', '=', me).execute()).toHaveLength(0);

    expect(
      (
        await s.post(
          `/lessons/${u}/learning-check`,
          await withBase(s, `/lessons/${u}`, `/lessons/${u}/learning-check`, { understanding: 'First take', strengths: 'S1', weaknesses: 'W1' }),
        )
      ).status,
    ).toBe(303);
    t.clock.set('2020-01-28T15:00:00Z');
    expect(
      (
        await s.post(
          `/lessons/${u}/learning-check`,
          await withBase(s, `/lessons/${u}`, `/lessons/${u}/learning-check`, { understanding: 'Second take', strengths: 'S2', weaknesses: 'W2' }),
        )
      ).status,
    ).toBe(303);
    const rows = await t.db
      .selectFrom('learning_check_response')
      .select(['understanding'])
      .where('user_id', '=', me)
      .where('unit_id', '=', u)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.understanding)).toEqual(['First take', 'Second take']);
    const page = (await s.get(`/lessons/${u}`)).text;
    expect(page).toContain('Second take');
    expect(page).not.toContain('First take');
    expect(page).toContain('2 saves, all kept');
    t.clock.set('2020-01-27T15:00:00Z');
  });

  await step('the private note is append-only and never shown to classmates', async () => {
    const u = await unitId('LeadEd502x', 2);
    const s = await t.login('student5@cohort.example');
    await s.post(`/lessons/${u}/note`, { note_body: 'Ask about MIST hub roles' });
    await s.post(`/lessons/${u}/note`, { note_body: 'Asked on the edX forum; follow up Monday' });
    const me = await userId('student5@cohort.example');
    expect(await t.db.selectFrom('lesson_note').select('body').where('user_id', '=', me).orderBy('id').execute()).toEqual([
      { body: 'Ask about MIST hub roles' },
      { body: 'Asked on the edX forum; follow up Monday' },
    ]);
    const page = (await s.get(`/lessons/${u}`)).text;
    expect(page).toContain('Asked on the edX forum; follow up Monday');
    expect(page).toContain('https://courses.edx.org/courses/course-v1:MichiganX+LeadEd502x+1T2020/discussion/forum/');
    expect(page).toContain('https://twitter.com/search?q=%23LeadEdMM');
    const other = await t.login('student6@cohort.example');
    expect((await other.get(`/lessons/${u}`)).text).not.toContain('follow up Monday');
  });

  await step(
    'Enrichment: log web explorations and references, listed back; bad input 422 with input kept; remove is a soft delete of your own entry only',
    async () => {
      const u = await unitId('LeadEd502x', 4);
      const s = await t.login('student7@cohort.example');
      const noSource = await s.post(`/lessons/${u}/enrichment`, {
        enrichment_kind: 'reference',
        enrichment_title: 'Success for All research',
        enrichment_url: '',
        enrichment_citation: '',
      });
      expect(noSource.status).toBe(422);
      expect(noSource.text).toContain('Add a web address or a citation.');
      expect(noSource.text).toContain('value="Success for All research"');
      const script = await s.post(`/lessons/${u}/enrichment`, {
        enrichment_kind: 'web_exploration',
        enrichment_title: 'x',
        enrichment_url: 'javascript:alert(1)',
      });
      expect(script.status).toBe(422);
      expect(script.text).toContain('Enter a web address starting with http:// or https://.');

      await s.post(`/lessons/${u}/enrichment`, {
        enrichment_kind: 'web_exploration',
        enrichment_title: 'SFA Foundation',
        enrichment_url: 'https://www.successforall.org/',
      });
      await s.post(`/lessons/${u}/enrichment`, {
        enrichment_kind: 'reference',
        enrichment_title: 'Improvement by Design',
        enrichment_citation: 'Peurach, D. J., Glazer, J. L., & Lenhoff, S. W. (2016). The developmental evaluation of school improvement networks.',
      });
      const page = (await s.get(`/lessons/${u}`)).text;
      expect(page).toContain('href="https://www.successforall.org/"');
      expect(page).toContain('Peurach, D. J., Glazer, J. L., &amp; Lenhoff, S. W. (2016)');

      const me = await userId('student7@cohort.example');
      const entry = await t.db
        .selectFrom('enrichment_entry')
        .select('id')
        .where('user_id', '=', me)
        .where('title', '=', 'SFA Foundation')
        .executeTakeFirstOrThrow();
      const intruder = await t.login('student8@cohort.example');
      expect((await intruder.get(`/lessons/${u}`)).text).not.toContain('SFA Foundation');
      expect((await intruder.post(`/lessons/${u}/enrichment/${entry.id}/delete`)).status).toBe(404);
      expect((await s.post(`/lessons/${u}/enrichment/${entry.id}/delete`)).status).toBe(303);
      const row = await t.db.selectFrom('enrichment_entry').select(['deleted_at']).where('id', '=', entry.id).executeTakeFirstOrThrow();
      expect(row.deleted_at).not.toBeNull();
      expect((await s.get(`/lessons/${u}`)).text).not.toContain('SFA Foundation');
    },
  );

  await step('Celebrate Success: shown to classmates (escaped); the instructor hides it and it disappears for students; unhide brings it back', async () => {
    const u = await unitId('LeadEd502x', 5);
    const author = await t.login('student9@cohort.example');
    const empty = await author.post(`/lessons/${u}/celebrate`, { celebrate_body: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Write how you unwind.');
    await author.post(`/lessons/${u}/celebrate`, { celebrate_body: 'Salsa dancing <script>alert(1)</script>' });
    const classmate = await t.login('student10@cohort.example');
    let page = (await classmate.get(`/lessons/${u}`)).text;
    expect(page).toContain('Sofia Hernández');
    expect(page).toContain('Salsa dancing &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');

    const share = await t.db.selectFrom('celebrate_share').select('id').where('unit_id', '=', u).executeTakeFirstOrThrow();
    expect((await classmate.post(`/lessons/${u}/celebrate/${share.id}/hide`)).status).toBe(403);
    const instructor = await t.login('instructor@cohort.example');
    expect((await instructor.get(`/lessons/${u}`)).text).toContain('Hide from students');
    expect((await instructor.post(`/lessons/${u}/celebrate/${share.id}/hide`)).status).toBe(303);
    page = (await classmate.get(`/lessons/${u}`)).text;
    expect(page).not.toContain('Salsa dancing');
    expect((await author.get(`/lessons/${u}`)).text).toContain('Hidden by the instructor');
    expect((await instructor.get(`/lessons/${u}`)).text).toContain('Show to students again');
    await instructor.post(`/lessons/${u}/celebrate/${share.id}/show`);
    expect((await classmate.get(`/lessons/${u}`)).text).toContain('Salsa dancing');
  });

  await step('the instructor reads a student’s lesson work read-only; students cannot use that view', async () => {
    const u = await unitId('LeadEd502x', 2);
    const student = await userId('student4@cohort.example');
    const instructor = await t.login('instructor@cohort.example');
    const page = (await instructor.get(`/instructor/students/${student}/lessons/${u}`).expect(200)).text;
    expect(page).toContain('Lucas Oliveira');
    expect(page).toContain('Second take');
    expect(page).not.toContain('Mark done');
    expect(page).not.toContain(`action="/lessons/${u}/learning-check"`);
    expect((await instructor.get(`/instructor/students/999999/lessons/${u}`)).status).toBe(404);
    const s = await t.login('student5@cohort.example');
    expect((await s.get(`/instructor/students/${student}/lessons/${u}`)).status).toBe(403);
  });

  await step('lesson ids that are not numbers, or not in the course, are 404', async () => {
    const s = await t.login('student1@cohort.example');
    expect((await s.get('/lessons/abc')).status).toBe(404);
    expect((await s.get('/lessons/999999')).status).toBe(404);
    expect((await s.post('/lessons/999999/learning-check', { understanding: 'a', strengths: 'b', weaknesses: 'c' })).status).toBe(404);
  });

  await step('the lesson page makes the same number of queries however much work there is (no N+1)', async () => {
    const u = await unitId('LeadEd502x', 6);
    const busy = await t.login('student11@cohort.example');
    const quiet = await t.login('student12@cohort.example');
    const comps = await components();
    for (const c of comps) await busy.post(`/lessons/${u}/components/${c.id}`, { done: '1' });
    for (let i = 0; i < 5; i++) {
      await busy.post(`/lessons/${u}/enrichment`, {
        enrichment_kind: 'web_exploration',
        enrichment_title: `Site ${i}`,
        enrichment_url: `https://example.org/${i}`,
      });
      await busy.post(`/lessons/${u}/celebrate`, { celebrate_body: `Walk number ${i}` });
    }
    await busy.post(`/lessons/${u}/teams`, { team_name: 'Busy Bees' });
    await busy.upload(`/lessons/${u}/team-artifact`, await artifactFields(busy, u, { artifact_body: 'Our plan' }));
    await busy.upload(`/lessons/${u}/study-guide`, await guideFields(busy, u, { guide_body: 'Notes' }));
    const busyPage = (await busy.get(`/lessons/${u}`)).text;
    expect(busyPage).toContain('Busy Bees');
    expect(busyPage).toContain('Our plan');
    expect(busyPage).toContain('Walk number 4');
    expect(busyPage).toContain('Version 1, saved');
    const measure = async (s: typeof busy) => {
      await s.get(`/lessons/${u}`).expect(200);
      const before = queryCount();
      await s.get(`/lessons/${u}`).expect(200);
      return queryCount() - before;
    };
    const busyCount = await measure(busy);
    const quietCount = await measure(quiet);
    expect(busyCount).toBeLessThanOrEqual(quietCount + 1);
    expect(busyCount).toBeLessThan(25);
  });
});
