import { aCommunityLearner, aStudent } from './helpers/builders';
import { lessonUnitId } from './helpers/course';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { artifactFields, guideFields, withBase } from './helpers/versions';
import { step } from './helpers/story';

/**
 * Community learners beside the campus cohort (issue 17): Team Practice across the two kinds of
 * member, and the privacy of every record kind between them. A community learner sees a campus
 * student's name only inside a shared team or a shared Celebrate Success; never anyone's grades,
 * attendance or extensions; never appears in the gradebook, attendance sheets or S/U pages.
 */
let t: TestApp;

beforeAll(async () => {
  // Monday of LeadEd502x Lesson 05's week, 10:00 in Detroit (23:00 in Manila); the story is on Lesson 03, a team started now counts as active.
  t = await startTestApp({ now: '2020-02-10T15:00:00Z' });
}, 60_000);
afterAll(() => t.close());

test('a campus student and a community learner in Manila team up on this week’s lesson; each sees only what is theirs to see', async () => {
  const unit = await lessonUnitId(t.db, 'LeadEd502x', 3);
  const campus = await aStudent(t, { name: 'Carla Campus', timeZone: 'America/Detroit' });
  const maria = await aCommunityLearner(t, { name: 'Maria Manila', timeZone: 'Asia/Manila', country: 'PH' });
  const campusSession: Session = await campus.login();
  const mariaSession: Session = await maria.login();
  let teamId = 0;

  await step('the campus student starts a team; the community learner is offered it without the campus student’s name', async () => {
    expect((await campusSession.post(`/lessons/${unit}/teams`, { team_name: 'Metaphor Mappers' })).status).toBe(303);
    teamId = (await t.db.selectFrom('team').select('id').where('name', '=', 'Metaphor Mappers').executeTakeFirstOrThrow()).id;
    const page = await mariaSession.get(`/lessons/${unit}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Metaphor Mappers');
    expect(page.text).toMatch(/Metaphor Mappers<\/strong> · 1 of \d+ · 1 campus student/);
    expect(page.text).not.toContain('Carla Campus');
  });

  await step('she joins; inside the shared team each sees the other’s name, kind and local time, and the campus meeting is marked campus-only', async () => {
    expect((await mariaSession.post(`/lessons/${unit}/teams/join`, { team_id: String(teamId) })).status).toBe(303);
    const page = (await mariaSession.get(`/lessons/${unit}`)).text;
    // 10:00 AM in Detroit, 11:00 PM in Manila, at the same instant.
    expect(page).toMatch(/<li>Carla Campus · <span class="badge badge-info">Campus<\/span> · 10:00 AM <span class="hint">\(America\/Detroit\)<\/span><\/li>/);
    expect(page).toMatch(
      /<li>Maria Manila \(you\) · <span class="badge badge-neutral">Community<\/span> · 11:00 PM <span class="hint">\(Asia\/Manila\)<\/span><\/li>/,
    );
    expect(page).toContain('is <strong>campus only</strong>');
    const campusView = (await campusSession.get(`/lessons/${unit}`)).text;
    expect(campusView).toContain('Maria Manila');
  });

  await step('the community learner edits the team artifact; the campus student sees her version', async () => {
    const saved = await mariaSession.upload(
      `/lessons/${unit}/team-artifact`,
      await artifactFields(mariaSession, unit, { artifact_body: 'Our shared map of metaphors' }),
    );
    expect(saved.status).toBe(303);
    const v = await t.db.selectFrom('team_artifact_version').select(['uploaded_by', 'body_md']).where('team_id', '=', teamId).executeTakeFirstOrThrow();
    expect(v).toEqual({ uploaded_by: maria.id, body_md: 'Our shared map of metaphors' });
    const history = await campusSession.get(`/teams/${teamId}/artifact`);
    expect(history.status).toBe(200);
    expect(history.text).toContain('Maria Manila');
  });

  await step('outside a shared team she cannot read a campus student’s study guide or another team’s artifact', async () => {
    expect(
      (await campusSession.upload(`/lessons/${unit}/study-guide`, await guideFields(campusSession, unit, { guide_body: 'Carla’s own notes' }))).status,
    ).toBe(303);
    const guide = await t.db.selectFrom('study_guide').select('id').where('user_id', '=', campus.id).executeTakeFirstOrThrow();
    expect((await mariaSession.get(`/study-guides/${guide.id}/versions`)).status).toBe(404);
    const other = await aStudent(t, { name: 'Omar Other' });
    const otherSession = await other.login();
    expect((await otherSession.post(`/lessons/${unit}/teams`, { team_name: 'Another Crew' })).status).toBe(303);
    const otherTeam = await t.db.selectFrom('team').select('id').where('name', '=', 'Another Crew').executeTakeFirstOrThrow();
    expect((await mariaSession.get(`/teams/${otherTeam.id}/artifact`)).status).toBe(404);
    // Her own lesson page does not show the campus student's guide either.
    expect((await mariaSession.get(`/lessons/${unit}`)).text).not.toContain('Carla’s own notes');
  });

  await step('grades, attendance, extensions, portfolio submission, peer assessment and announcements are the campus cohort’s: refused', async () => {
    for (const path of [
      '/attendance',
      '/certificates',
      '/peer-assessments',
      '/progress/edx',
      '/announcements',
      '/instructor/gradebook',
      '/instructor/overview',
      '/instructor/roster',
    ]) {
      expect([path, (await mariaSession.get(path)).status]).toEqual([path, 403]);
    }
    const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('id').executeTakeFirstOrThrow();
    for (const path of [`/portfolios/${requirement.id}/extension`, `/portfolios/${requirement.id}/feedback`, `/peer-assessments/received/${requirement.id}`]) {
      expect([path, (await mariaSession.get(path)).status]).toEqual([path, 403]);
    }
    expect((await mariaSession.post(`/portfolios/${requirement.id}/submit`, {})).status).toBe(403);
    // Her own menu offers none of them.
    const home = (await mariaSession.get('/')).text;
    for (const label of ['Peer assessment', 'edX progress', 'Attendance']) expect(home).not.toContain(`>${label}</a>`);
    // Her inbox holds her notices only: the course announcement to students is not in it.
    const announcement = await t.db.selectFrom('announcement').select('subject').executeTakeFirst();
    const inbox = await mariaSession.get('/inbox');
    expect(inbox.status).toBe(200);
    if (announcement) expect(inbox.text).not.toContain(announcement.subject);
  });

  await step(
    'she keeps a portfolio for herself: her team artifact counts, no peer assessment, no deadline, no submission; a reflection saves as versions',
    async () => {
      const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('id').executeTakeFirstOrThrow();
      const list = await mariaSession.get('/portfolios');
      expect(list.status).toBe(200);
      expect(list.text).toContain('no deadline and no grade');
      expect(list.text).not.toContain('Due <strong>');
      const page = await mariaSession.get(`/portfolios/${requirement.id}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('Peer assessment');
      expect(page.text).not.toContain('Submit portfolio');
      expect(page.text).not.toContain('Request an extension');
      expect(page.text).toMatch(/Present<\/span>\s*Lesson 0?3 Team Practice artifact/);
      const form = await withBase(mariaSession, `/portfolios/${requirement.id}`, `/portfolios/${requirement.id}/reflection`, {
        reflection_body: 'What I learned from Ann Arbor, from Manila',
      });
      expect((await mariaSession.post(`/portfolios/${requirement.id}/reflection`, form)).status).toBe(303);
      expect((await mariaSession.get(`/portfolios/${requirement.id}/reflection/versions`)).text).toContain('What I learned from Ann Arbor, from Manila');
    },
  );

  await step('her calendar and feed hold office hours and optional events, never campus meetings or portfolio deadlines', async () => {
    const cal = (await mariaSession.get('/calendar')).text;
    expect(cal).not.toMatch(/Campus meeting/i);
    expect(cal).not.toMatch(/Portfolio due|portfolio is due/i);
    expect(cal).toContain('goes live on edX');
    const campusCal = (await campusSession.get('/calendar')).text;
    expect(campusCal).toMatch(/Campus meeting/i);
    const feedOf = async (s: Session, userId: number) => {
      expect((await s.post('/calendar/feed/regenerate')).status).toBe(303);
      const { token } = await t.db
        .selectFrom('calendar_feed')
        .select('token')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return (await t.anonymous().get(`/calendar/feed/${token}.ics`)).text.replace(/\r?\n[ \t]/g, '');
    };
    const mariaFeed = await feedOf(mariaSession, maria.id);
    const campusFeed = await feedOf(campusSession, campus.id);
    expect(mariaFeed).toContain('virtual office hours and course events');
    expect(campusFeed).toMatch(/SUMMARY:[^\n]*Campus meeting/);
    expect(mariaFeed).not.toMatch(/Campus meeting/);
    expect(mariaFeed).toMatch(/SUMMARY:[^\n]*goes live on edX/);
    expect(campusFeed).toMatch(/SUMMARY:[^\n]*Portfolio/);
    expect(mariaFeed).not.toMatch(/Portfolio/);
  });

  await step('she appears on no gradebook, attendance sheet or S/U page, and in no campus roster', async () => {
    const instructor = await t.login('instructor@cohort.example');
    const meeting = await t.db.selectFrom('calendar_event').select('id').where('kind', '=', 'campus_meeting').orderBy('starts_at').executeTakeFirstOrThrow();
    for (const path of [
      '/instructor/gradebook',
      '/instructor/gradebook.csv',
      `/instructor/attendance/${meeting.id}`,
      '/instructor/attendance',
      '/instructor/roster',
      '/instructor/overview',
    ]) {
      const res = await instructor.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expect([path, res.text.includes('Maria Manila')]).toEqual([path, false]);
    }
    // Progressions are by invitation: the instructor may add her to a partnership.
    expect((await instructor.get('/progressions/partnerships/new')).text).toMatch(/Maria Manila \([^)]*, community learner\)/);
    // The community list is where the instructor finds her.
    expect((await instructor.get('/instructor/community')).text).toContain('Maria Manila');
    // Nor may the instructor grade or open her as a student.
    const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('id').executeTakeFirstOrThrow();
    expect((await instructor.get(`/instructor/students/${maria.id}/portfolios/${requirement.id}`)).status).toBe(404);
  });
});
