import { queryCount } from '../src/db/query-counter';
import { paceFor } from '../src/progress/pace';
import { progressFor } from '../src/progress/progress';
import { endOfLocalDay } from '../src/time';
import { startTestApp, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/** The student's home page "This week" at instants across the semester, pace and progress. */
let t: TestApp;
let offeringId: number;
const users = new Map<string, number>();
const lessons = new Map<string, number>(); // 'LeadEd502x:3' → unit id
let componentIds: number[];

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  const rows = await t.db.selectFrom('app_user').select(['id', 'email', 'offering_id']).execute();
  for (const r of rows) users.set(r.email.split('@')[0], r.id);
  offeringId = rows[0].offering_id;
  const units = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select(['unit.id', 'unit.lesson_number', 'edx_course.code'])
    .where('unit.kind', '=', 'lesson')
    .execute();
  for (const u of units) lessons.set(`${u.code}:${u.lesson_number}`, u.id);
  componentIds = (await t.db.selectFrom('lesson_component').select('id').orderBy('position').execute()).map((c) => c.id);
});
afterAll(() => t.close());

const uid = (name: string) => users.get(name)!;
const unit = (code: string, n: number) => lessons.get(`${code}:${n}`)!;

/** Marks the first `count` components of each lesson done (all seven by default). */
async function complete(student: string, code: string, lessonNumbers: number[], count = 7) {
  for (const n of lessonNumbers) {
    await t.db
      .insertInto('component_completion')
      .values(
        componentIds
          .slice(0, count)
          .map((c) => ({ user_id: uid(student), unit_id: unit(code, n), component_id: c, completed_at: new Date('2020-01-20T12:00:00Z') })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

async function homeAt(student: string, iso: string): Promise<string> {
  t.clock.set(iso);
  const s = await t.login(`${student}@cohort.example`);
  return (await s.get('/').expect(200)).text;
}

/** The text of the page without tags, whitespace collapsed (the markup is not the point). */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

test('the semester week by week: each student’s home page as their lessons, submissions and extension accumulate, then the class pace', async () => {
  await step('week of Lesson 03 (Detroit): the unit, the required meeting in EST, the deadline in 30 days, the lesson and edX links', async () => {
    const page = await homeAt('student1', '2020-01-27T15:00:00Z');
    const words = text(page);
    expect(words).toContain('Week of Mon, Jan 27, 2020');
    expect(words).toContain('LeadEd502x · Lesson 03 — Framing Innovation – Metaphor and Analogy');
    expect(page).toContain(`href="/lessons/${unit('LeadEd502x', 3)}"`);
    expect(page).toContain('href="https://www.edx.org/course/designing-and-leading-learning-systems"');
    expect(words).toContain('Attendance required this week');
    expect(words).toContain('Mon, Jan 27, 2020, 5:00 PM EST – 7:00 PM');
    expect(words).toContain('4212 School of Education Building');
    expect(words).toContain('LeadEd502x Portfolio : due in 30 days');
    expect(words).toContain('Due Wed, Feb 26, 2020, 11:59 PM EST');
    // Nothing completed yet: Lessons 01 and 02 are owed.
    expect(words).toContain('Behind by 2 lessons');
    expect(page).toContain(`href="/lessons/${unit('LeadEd502x', 1)}"`);
  });

  await step('the same week in Manila: the Monday meeting is Tuesday morning local, the deadline a day later', async () => {
    const words = text(await homeAt('student2', '2020-01-27T15:00:00Z'));
    expect(words).toContain('LeadEd502x · Lesson 03 — Framing Innovation – Metaphor and Analogy');
    expect(words).toContain('Tue, Jan 28, 2020, 6:00 AM GMT+8 – 8:00 AM');
    expect(words).toContain('Due Thu, Feb 27, 2020, 12:59 PM GMT+8');
    expect(words).toContain('due in 31 days'); // it is already Jan 27, 11 PM in Manila
  });

  await step('an optional week says so; pace is on pace once the earlier lessons are complete', async () => {
    await complete('student12', 'LeadEd502x', [1, 2, 3]);
    const words = text(await homeAt('student12', '2020-02-04T15:00:00Z'));
    expect(words).toContain('LeadEd502x · Lesson 04 — Case Study – Innovating in Elementary Reading');
    expect(words).toContain('Optional this week');
    expect(words).not.toContain('Attendance required');
    expect(words).toContain('On pace');
    expect(words).toContain("This week's meeting is over");
    expect(words).toContain('Next campus meeting Required Campus meeting: LeadEd502x · Lesson 05 Mon, Feb 10, 2020, 5:00 PM EST');
  });

  await step('pace explains itself: this week’s lesson done early does not make up for the two owed', async () => {
    await complete('student8', 'LeadEd502x', [3]);
    const words = text(await homeAt('student8', '2020-01-27T15:00:00Z'));
    expect(words).toContain('Behind by 2 lessons');
    // Not "You have completed 1 lesson; the calendar expects 2" next to "Behind by 2".
    expect(words).toContain('the calendar expects 2 lessons complete before this week’s work, and you have completed 0 of them');
    expect(words).toContain('You have completed 1 lesson in all');
  });

  await step('before launch (Sydney): no week yet, lessons begin Jan 13, the launch party is coming up', async () => {
    const page = await homeAt('student10', '2020-01-03T15:00:00Z');
    const words = text(page);
    expect(words).toContain('The semester has not started yet. Lessons begin the week of Mon, Jan 13, 2020.');
    expect(words).toContain('Not started yet: lessons begin the week of Mon, Jan 13, 2020');
    expect(words).toContain('Coming up');
    expect(words).toContain('Launch Party');
    expect(words).toContain('LeadEd502x goes live on edX!');
    expect(words).toContain('No campus meeting this week');
    expect(words).not.toMatch(/Behind by/);
    // The first campus meeting, 17:00 EST Mon Jan 13 = 09:00 Tue Jan 14 in Sydney (AEDT, UTC+11).
    expect(words).toContain('Tue, Jan 14, 2020, 9:00 AM GMT+11');
  });

  await step('spring break (London): no lesson, no meeting, the next meeting after the US DST change, pace still counted', async () => {
    await complete('student3', 'LeadEd502x', [1, 2, 3, 4]);
    const words = text(await homeAt('student3', '2020-03-04T15:00:00Z'));
    expect(words).toContain('Spring Break: no class');
    expect(words).toContain('No lesson and no campus meeting this week');
    expect(words).toContain('No campus meeting this week');
    expect(words).toContain('Spring Break: no class · behind by 2 lessons');
    // 17:00 EDT on Mon Mar 9 is 21:00 in London, which is still on GMT until Mar 29.
    expect(words).toContain('Mon, Mar 9, 2020, 9:00 PM GMT');
    // The deadline's last minute is Thu Apr 23, 4:59 AM in London (BST by then): 50 local days away.
    expect(words).toContain('LeadEd503x Portfolio : due in 50 days');
    expect(words).toContain('Due Thu, Apr 23, 2020, 4:59 AM GMT+1');
  });

  await step('after the DST change (Los Angeles): LeadEd503x Lesson 01, the Monday meeting over, the next in PDT', async () => {
    await complete('student5', 'LeadEd502x', [1, 2, 3, 4, 5, 6]);
    const page = await homeAt('student5', '2020-03-10T15:00:00Z');
    const words = text(page);
    expect(words).toContain('Week of Mon, Mar 9, 2020');
    expect(words).toContain('LeadEd503x · Course Kickoff and Lesson 01 — Introduction to Improvement Science');
    expect(page).toContain('href="https://www.edx.org/course/improvement-science-in-education"');
    expect(words).toContain('Mon, Mar 9, 2020, 2:00 PM PDT');
    expect(words).toContain("This week's meeting is over");
    expect(words).toContain('Mon, Mar 16, 2020, 2:00 PM PDT');
    expect(words).toContain('On pace');
  });

  await step('after the semester: a portfolio never submitted is shown as not submitted; once both are in, nothing is due', async () => {
    const before = text(await homeAt('student7', '2020-05-01T15:00:00Z'));
    expect(before).toContain('The semester is over');
    expect(before).toContain('Semester over · 12 lessons not complete');
    expect(before).toContain('LeadEd502x Portfolio : not submitted , was due Thu, Feb 27, 2020, 9:59 AM GMT+5'); // student7 is in Karachi
    expect(before).toContain('LeadEd503x Portfolio : not submitted , was due Thu, Apr 23, 2020, 8:59 AM GMT+5');
    expect(before).not.toContain('Nothing is due');
    const requirements = await t.db.selectFrom('portfolio_requirement').select(['id', 'due_at']).execute();
    await t.db
      .insertInto('portfolio_submission')
      .values(
        requirements.map((r) => ({
          user_id: uid('student7'),
          portfolio_requirement_id: r.id,
          submitted_at: new Date('2020-04-20T15:00:00Z'),
          due_at: r.due_at,
          is_late: false,
          is_complete: true,
          missing: '[]',
          snapshot: JSON.stringify({ requirementId: r.id, takenAt: '2020-04-20T15:00:00.000Z', items: [] }),
        })),
      )
      .execute();
    const after = text(await homeAt('student7', '2020-05-01T15:00:00Z'));
    expect(after).not.toContain('not submitted');
    expect(after).toContain('Nothing is due: every portfolio deadline has passed.');
  });

  await step('between the deadlines: the LeadEd502x portfolio not submitted is shown beside the next deadline', async () => {
    const words = text(await homeAt('student9', '2020-03-10T15:00:00Z'));
    expect(words).toContain('LeadEd502x Portfolio : not submitted , was due');
    expect(words).toContain('LeadEd503x Portfolio : due in 43 days');
  });

  await step('pace across spring break: the portfolio week expects all six, the break adds none, LeadEd503x picks up', async () => {
    await complete('student9', 'LeadEd502x', [1, 2, 3, 4, 5]);
    await complete('student9', 'LeadEd502x', [6], 6); // six of seven components: not complete
    const at = async (iso: string) => (await paceFor(t.db, offeringId, [uid('student9')], new Date(iso))).get(uid('student9'))!;
    const feb18 = await at('2020-02-18T15:00:00Z'); // Lesson 06 week
    expect([feb18.status, feb18.edxCode, feb18.expectedLessonNumber, feb18.lessonsExpected, feb18.behindBy]).toEqual(['on_pace', 'LeadEd502x', 6, 5, 0]);
    const feb25 = await at('2020-02-25T15:00:00Z'); // portfolio week
    expect([feb25.status, feb25.expectedLessonNumber, feb25.lessonsExpected, feb25.behindBy, feb25.label]).toEqual(['behind', 6, 6, 1, 'Behind by 1 lesson']);
    expect(feb25.catchUp?.unitId).toBe(unit('LeadEd502x', 6));
    const mar4 = await at('2020-03-04T15:00:00Z'); // spring break
    expect([mar4.status, mar4.lessonsExpected, mar4.behindBy, mar4.edxCode]).toEqual(['break', 6, 1, null]);
    expect(mar4.label).toBe('Spring Break: no class · behind by 1 lesson');
    const mar10 = await at('2020-03-10T15:00:00Z'); // LeadEd503x Lesson 01: the break did not count as a week
    expect([mar10.status, mar10.edxCode, mar10.expectedLessonNumber, mar10.lessonsExpected, mar10.behindBy]).toEqual(['behind', 'LeadEd503x', 1, 6, 1]);
    await complete('student9', 'LeadEd502x', [6]);
    const mar17 = await at('2020-03-17T15:00:00Z'); // LeadEd503x Lesson 02
    expect([mar17.status, mar17.expectedLessonNumber, mar17.lessonsExpected, mar17.behindBy, mar17.completedLessons]).toEqual(['behind', 2, 7, 1, 6]);
    const mar10Again = await at('2020-03-10T15:00:00Z');
    expect([mar10Again.status, mar10Again.label]).toEqual(['on_pace', 'On pace']);
    const jan3 = await at('2020-01-03T15:00:00Z');
    expect([jan3.status, jan3.lessonsExpected, jan3.behindBy]).toEqual(['before_launch', 0, 0]);
    // Sunday evening in Detroit is still the previous course week, whatever the hour in UTC.
    const sunday = await at('2020-03-09T03:30:00Z'); // Sun Mar 8, 11:30 PM EDT
    expect(sunday.status).toBe('break');
  });

  await step('progress bars: components, study guides, team artifacts (shared with teammates) and portfolio items', async () => {
    const l1 = unit('LeadEd502x', 1);
    await complete('student1', 'LeadEd502x', [1, 2]);
    await complete('student1', 'LeadEd502x', [3], 3);
    const at = new Date('2020-01-25T12:00:00Z');
    const guide = await t.db
      .insertInto('study_guide')
      .values({ user_id: uid('student1'), unit_id: l1, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('study_guide_version')
      .values({ study_guide_id: guide.id, version_no: 1, body_md: 'Key terms: learning system', created_at: at })
      .execute();
    const team = await t.db
      .selectFrom('team_membership')
      .select('team_id')
      .where('user_id', '=', uid('student1'))
      .where('unit_id', '=', l1)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('team_artifact_version')
      .values({ team_id: team.team_id, version_no: 1, body_md: 'Our framing', uploaded_by: uid('student2'), created_at: at })
      .execute();

    const page = await homeAt('student1', '2020-01-27T15:00:00Z');
    const bar = (label: string, value: string) => expect(page).toMatch(new RegExp(`<span>${label}</span><span>${value}</span>`));
    bar('Lesson components done', '17 of 42');
    bar('Study guides written', '1 of 6');
    bar('Team artifacts attached', '1 of 6');
    bar('Portfolio items complete', '2 of 14');
    expect(page).toContain('aria-valuenow="17"');
    expect(page).toContain('aria-valuetext="17 of 42 (40%)"'); // 17/42 = 40%
    // The teammate sees the shared artifact, but none of student1's own work.
    const mate = await homeAt('student2', '2020-01-27T15:00:00Z');
    expect(mate).toMatch(/<span>Team artifacts attached<\/span><span>1 of 6<\/span>/);
    expect(mate).toMatch(/<span>Study guides written<\/span><span>0 of 6<\/span>/);
    expect(mate).toMatch(/<span>Lesson components done<\/span><span>0 of 42<\/span>/);
  });

  await step('an approved extension moves "due next" on the home page', async () => {
    const req = await t.db.selectFrom('portfolio_requirement').select('id').where('title', '=', 'LeadEd502x Portfolio').executeTakeFirstOrThrow();
    await t.db
      .insertInto('extension_request')
      .values({
        user_id: uid('student11'),
        portfolio_requirement_id: req.id,
        reason: 'Family emergency',
        proposed_due_on: '2020-03-04',
        requested_at: new Date('2020-02-20T12:00:00Z'),
        made_before_due: true,
        status: 'approved',
        decided_by: uid('instructor'),
        decided_at: new Date('2020-02-21T12:00:00Z'),
        granted_due_on: '2020-03-04',
        granted_due_at: endOfLocalDay('2020-03-04', 'America/Detroit'),
      })
      .execute();
    const words = text(await homeAt('student11', '2020-02-28T10:00:00Z')); // after the class deadline
    expect(words).toContain('LeadEd502x Portfolio : due in 6 days'); // Cairo: Fri Feb 28 → Thu Mar 5, 6:59 AM (2020 is a leap year)
    expect(words).toContain('Due Thu, Mar 5, 2020, 6:59 AM GMT+2 Extended (was Thu, Feb 27, 2020, 6:59 AM GMT+2)');
  });

  await step('paceFor and progressFor use the same number of queries for 1 student and for 12', async () => {
    const all = [...users.entries()].filter(([k]) => k.startsWith('student')).map(([, v]) => v);
    const now = new Date('2020-02-04T15:00:00Z');
    const count = async (fn: () => Promise<unknown>) => {
      const before = queryCount();
      await fn();
      return queryCount() - before;
    };
    const paceOne = await count(() => paceFor(t.db, offeringId, [all[0]], now));
    const paceAll = await count(() => paceFor(t.db, offeringId, all, now));
    expect(paceAll).toBe(paceOne);
    expect(paceOne).toBeLessThanOrEqual(6);
    const progressOne = await count(() => progressFor(t.db, offeringId, [all[0]]));
    const progressAll = await count(() => progressFor(t.db, offeringId, all));
    expect(progressAll).toBe(progressOne);
    const paces = await paceFor(t.db, offeringId, all, now);
    expect(paces.size).toBe(12);
    expect(paces.get(uid('student12'))!.status).toBe('on_pace'); // completed Lessons 01–03 above
    expect(paces.get(uid('student6'))!.behindBy).toBe(3);
  });

  await step('the instructor home keeps the course, this week, the class pace, deadlines and the calendar', async () => {
    t.clock.set('2020-01-27T15:00:00Z');
    const all = [...users.entries()].filter(([k]) => k.startsWith('student')).map(([, v]) => v);
    const paces = [...(await paceFor(t.db, offeringId, all, t.clock.now())).values()];
    const onPace = paces.filter((p) => p.status === 'on_pace').length;
    expect(onPace).toBeGreaterThanOrEqual(4); // students 1, 3, 5, 12 and 9 completed Lessons 01–02 above
    const s = await t.login('instructor@cohort.example');
    const words = text((await s.get('/').expect(200)).text);
    expect(words).toContain('EDUC 551/639: Engaging Educational Innovation and Improvement');
    expect(words).toContain('LeadEd502x · Lesson 03 — Framing Innovation – Metaphor and Analogy');
    expect(words).toContain(`Class pace: 12 students: ${onPace} on pace (the first 2 lessons complete), ${12 - onPace} behind.`);
    expect(words).toContain('LeadEd502x Portfolio : Wed, Feb 26, 2020, 11:59 PM EST');
    expect(words).toContain('Semester calendar');
    expect(words).not.toContain('Your pace');
    // A deactivated student leaves the count.
    await t.db
      .updateTable('app_user')
      .set({ deactivated_at: new Date('2020-01-27T14:00:00Z') })
      .where('id', '=', uid('student6'))
      .execute();
    expect(text((await s.get('/').expect(200)).text)).toContain(`Class pace: 11 students: ${onPace} on pace`);
    t.clock.set('2020-01-03T15:00:00Z');
    expect(text((await s.get('/').expect(200)).text)).toContain('Class pace: 11 students; lessons have not started yet.');
  });

  await step('signed out, the home page sends you to log in', async () => {
    const res = await t.anonymous().get('/').expect(303);
    expect(res.headers.location).toBe('/login?next=%2F');
  });
});
