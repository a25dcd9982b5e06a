import { queryCount } from '../src/db/query-counter';
import { aCommunityLearner, userIdsByLocalPart, type BuiltStudent } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * Issue 17: the class overview, the Learning Check insights and the run charts show community
 * learners in their own group (?group=community), never in the campus rows or counts; the
 * community group is counted by country and by time zone, active learners only. Now: Mon
 * 2020-01-27 (Lesson 03 week), the instructor in America/Detroit.
 */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const community: Record<string, BuiltStudent> = {};
let lesson1: number;
let componentIds: number[];

function rows(html: string): string[] {
  const heading = html.indexOf('id="community-heading"'); // the community page's learners come after its summary tables
  const body = html.slice(html.indexOf('<tbody>', Math.max(0, heading)), html.lastIndexOf('</tbody>'));
  return body.split('<tr').slice(1);
}
const names = (html: string) => rows(html).flatMap((r) => r.match(/<strong>([^<]+)<\/strong>/)?.[1] ?? []);
/** The count rows of one summary table ("Community learners by country" / "… by time zone"). */
function places(html: string, caption: string): Record<string, number> {
  const start = html.indexOf(`<caption>${caption}</caption>`);
  expect(start).toBeGreaterThan(-1);
  const table = html.slice(start, html.indexOf('</table>', start));
  return Object.fromEntries([...table.matchAll(/data-place="([^"]+)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])]));
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  lesson1 = (
    await t.db
      .selectFrom('unit')
      .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
      .select('unit.id')
      .where('edx_course.code', '=', 'LeadEd502x')
      .where('unit.lesson_number', '=', 1)
      .executeTakeFirstOrThrow()
  ).id;
  componentIds = (await t.db.selectFrom('lesson_component').select('id').orderBy('position').execute()).map((c) => c.id);
  // Two learners in the Philippines (one zone), one each in Nigeria and Germany; Raj (India) was removed.
  community.rosa = await aCommunityLearner(t, { name: 'Rosa Dizon', country: 'PH', timeZone: 'Asia/Manila', createdAt: '2020-01-20T03:00:00Z' });
  community.ken = await aCommunityLearner(t, { name: 'Ken Reyes', country: 'PH', timeZone: 'Asia/Manila', createdAt: '2020-01-10T15:00:00Z' });
  community.amara = await aCommunityLearner(t, { name: 'Amara Okafor', country: 'NG', timeZone: 'Africa/Lagos', createdAt: '2020-01-12T15:00:00Z' });
  community.lena = await aCommunityLearner(t, { name: 'Lena Vogel', country: 'DE', timeZone: 'Europe/Berlin', createdAt: '2020-01-15T15:00:00Z' });
  community.raj = await aCommunityLearner(t, { name: 'Raj Iyer', country: 'IN', timeZone: 'Asia/Kolkata', createdAt: '2020-01-05T15:00:00Z' });
  await t.db
    .updateTable('app_user')
    .set({ deactivated_at: new Date('2020-01-22T12:00:00Z') })
    .where('id', '=', community.raj.id)
    .execute();

  // Rosa completed Lesson 01 (seven components, week of Jan 20) and answered its Learning Check; so did Ava (campus).
  await t.db
    .insertInto('component_completion')
    .values(componentIds.map((c) => ({ user_id: community.rosa.id, unit_id: lesson1, component_id: c, completed_at: new Date('2020-01-21T10:00:00Z') })))
    .execute();
  for (const [userId, understanding] of [
    [community.rosa.id, 'From Manila: networks learn together.'],
    [ids.student1, 'Innovation is collaborative learning.'],
    [community.raj.id, 'Removed before counting.'],
  ] as const) {
    await t.db
      .insertInto('learning_check_response')
      .values({ user_id: userId, unit_id: lesson1, understanding, strengths: 'Clear', weaknesses: 'Long', submitted_at: new Date('2020-01-21T12:00:00Z') })
      .execute();
  }
});
afterAll(() => t.close());

test('the class overview: campus rows without community learners, the community group counted by country and zone', async () => {
  const everyone = ['Rosa Dizon', 'Ken Reyes', 'Amara Okafor', 'Lena Vogel', 'Raj Iyer'];

  await step('the campus group (the default) lists and counts the 12 campus students only, with a link to the community group', async () => {
    const page = (await instructor.get('/instructor/overview').expect(200)).text;
    expect(page).toContain('12 students');
    expect(rows(page)).toHaveLength(12);
    for (const name of everyone) expect(page).not.toContain(name);
    expect(page).toContain('href="/instructor/overview?group=community"');
    expect(page).toMatch(/<a href="\/instructor\/overview" aria-current="page">Campus students<\/a>/);
    const behind = (await instructor.get('/instructor/overview?behind=1&sort=pace').expect(200)).text;
    for (const name of everyone) expect(behind).not.toContain(name);
  });

  await step('the community group: active learners by name, with country, zone, joined date in the instructor’s zone and progress', async () => {
    const page = (await instructor.get('/instructor/overview?group=community').expect(200)).text;
    expect(page).toMatch(/<a href="\/instructor\/overview\?group=community" aria-current="page">Community learners<\/a>/);
    expect(page).toContain('data-community-total="4"');
    expect(page).toContain('4 community learners in 3 countries and 3 time zones');
    expect(names(page)).toEqual(['Amara Okafor', 'Ken Reyes', 'Lena Vogel', 'Rosa Dizon']);
    expect(page).not.toContain('Raj Iyer');
    for (const campus of ['Ava Thompson', 'Miguel Santos']) expect(page).not.toContain(campus);
    const rosa = rows(page).find((r) => r.includes('Rosa Dizon'))!;
    expect(rosa).toContain('data-country="PH">Philippines</td>');
    expect(rosa).toContain('Asia/Manila<br><span class="muted">11:00 PM there now</span>');
    expect(rosa).toContain('Sun, Jan 19, 2020'); // joined 2020-01-20 03:00 UTC: still the 19th in Detroit
    expect(rosa).toContain('<td>1 of 12</td>'); // lessons complete
    expect(rosa).toContain('7 of 84'); // components
    expect(rosa).toContain('Tue, Jan 21, 2020 (6 days ago)');
    expect(rows(page).find((r) => r.includes('Ken Reyes'))).toContain('No work yet');
  });

  await step('counts by country and by zone: two learners in one country are 2, the removed learner is not counted', async () => {
    const page = (await instructor.get('/instructor/overview?group=community').expect(200)).text;
    expect(places(page, 'Community learners by country')).toEqual({ Philippines: 2, Germany: 1, Nigeria: 1 });
    expect(places(page, 'Community learners by time zone')).toEqual({ 'Asia/Manila': 2, 'Africa/Lagos': 1, 'Europe/Berlin': 1 });
    expect(page).toContain('aria-valuetext="2 of 4 (50%)"');
    expect(page).not.toContain('India');
    // A country's row links to the group narrowed to it.
    expect(page).toContain('href="/instructor/overview?group=community&amp;country=PH"');
  });

  await step('filters: a country (any case), a name; sorting newest first', async () => {
    const ph = (await instructor.get('/instructor/overview?group=community&country=ph').expect(200)).text;
    expect(names(ph)).toEqual(['Ken Reyes', 'Rosa Dizon']);
    expect(ph).toContain('2 community learners in Philippines');
    expect(places(ph, 'Community learners by country')).toEqual({ Philippines: 2, Germany: 1, Nigeria: 1 }); // the summary is the whole group
    expect(names((await instructor.get('/instructor/overview?group=community&q=okafor').expect(200)).text)).toEqual(['Amara Okafor']);
    const newest = (await instructor.get('/instructor/overview?group=community&sort=joined').expect(200)).text;
    expect(names(newest)).toEqual(['Rosa Dizon', 'Lena Vogel', 'Amara Okafor', 'Ken Reyes']);
    expect(newest).toContain('aria-sort="descending"');
    expect(names((await instructor.get('/instructor/overview?group=community&sort=joined&dir=asc').expect(200)).text)[0]).toBe('Ken Reyes');
  });

  await step('bad parameters fall back clearly, never a 500', async () => {
    const unknown = (await instructor.get('/instructor/overview?group=everyone').expect(200)).text;
    expect(unknown).toContain('12 students'); // the campus group
    for (const name of everyone) expect(unknown).not.toContain(name);
    const junk = (await instructor.get('/instructor/overview?group=community&country=%3Cscript%3E&sort=evil&dir=up&page=-1').expect(200)).text;
    expect(names(junk)).toHaveLength(4);
    expect(junk).not.toContain('<script>');
    expect(names((await instructor.get('/instructor/overview?group=community&group=campus&country=PH&country=NG').expect(200)).text)).toEqual([
      'Ken Reyes',
      'Rosa Dizon',
    ]);
    const nobody = (await instructor.get('/instructor/overview?group=community&country=FR').expect(200)).text;
    expect(nobody).toContain('No community learners match these filters.');
  });

  await step('pages of 50 with the same number of queries for a full page, a short one and a filtered one', async () => {
    for (let i = 0; i < 55; i++) {
      await aCommunityLearner(t, {
        name: `Zz Online ${String(i).padStart(2, '0')}`,
        country: i % 2 ? 'KE' : 'BR',
        timeZone: i % 2 ? 'Africa/Nairobi' : 'America/Sao_Paulo',
      });
    }
    const queriesFor = async (path: string) => {
      const before = queryCount();
      const res = await instructor.get(path).expect(200);
      return { html: res.text, queries: queryCount() - before };
    };
    const first = await queriesFor('/instructor/overview?group=community');
    const second = await queriesFor('/instructor/overview?group=community&page=2');
    const kenya = await queriesFor('/instructor/overview?group=community&country=KE');
    expect(rows(first.html)).toHaveLength(50);
    expect(rows(second.html)).toHaveLength(9);
    expect(rows(kenya.html)).toHaveLength(27);
    expect(first.html).toContain('59 community learners in 5 countries');
    expect(second.html).toContain('Page 2 of 2');
    expect(second.queries).toBe(first.queries);
    expect(kenya.queries).toBe(first.queries);
  });
});

test('insights: the community group counts community learners only; the campus group is unchanged', async () => {
  await step('Learning Check index: campus of 12 students (Ava answered), community of its active learners (Rosa answered)', async () => {
    const campus = (await instructor.get('/instructor/insights').expect(200)).text;
    expect(campus).toContain('Answered (of 12)');
    const row = (page: string) => page.split('<tr').find((r) => r.includes(`data-unit="${lesson1}"`))!;
    expect(row(campus)).toContain('data-answered="1"');
    const online = (await instructor.get('/instructor/insights?group=community').expect(200)).text;
    const active = Number(online.match(/Answered \(of (\d+)\)/)![1]);
    expect(active).toBeGreaterThanOrEqual(4);
    expect(row(online)).toContain('data-answered="1"');
    expect(row(online)).toContain(`href="/instructor/insights/learning-check/${lesson1}?group=community"`);
    expect(online).not.toContain('EDUC 551 (of');
  });

  await step('a unit page and its CSV with group=community show Rosa’s answer, not Ava’s, nor the removed learner’s', async () => {
    const page = (await instructor.get(`/instructor/insights/learning-check/${lesson1}?group=community`).expect(200)).text;
    expect(page).toContain('From Manila: networks learn together.');
    expect(page).not.toContain('Innovation is collaborative learning.');
    expect(page).not.toContain('Removed before counting.');
    expect(page).toMatch(/<strong>1 of \d+<\/strong> community learners answered/);
    expect(page).toContain('Ken Reyes'); // not answered yet
    expect(page).not.toContain('Ava Thompson');
    const campus = (await instructor.get(`/instructor/insights/learning-check/${lesson1}`).expect(200)).text;
    expect(campus).toContain('Innovation is collaborative learning.');
    expect(campus).not.toContain('From Manila');
    expect(campus).toContain('data-answered="1" data-enrolled="12"');
    const csv = await instructor.get(`/instructor/insights/learning-check/${lesson1}.csv?group=community`).expect(200);
    expect(csv.headers['content-disposition']).toContain('community');
    expect(csv.text).toContain('From Manila');
    expect(csv.text).not.toContain('Innovation is collaborative learning.');
  });

  await step('run charts with group=community: Rosa’s seven components in the week of Jan 20; no attendance or portfolio charts', async () => {
    const detail = (html: string, chart: string, week: string) => {
      const table = html.match(new RegExp(`<table class="rc-table" data-chart="${chart}">([\\s\\S]*?)</table>`))![1];
      return table.split('<tr>').find((r) => r.includes(week))!;
    };
    const online = (await instructor.get('/instructor/run-charts?group=community').expect(200)).text;
    expect(detail(online, 'chart-components', 'Jan 20')).toContain('7 components');
    expect(online).toContain('Community learners on pace');
    expect(detail(online, 'chart-pace', 'Jan 27')).toMatch(/of \d+ community learners \(2 lessons expected\)/);
    expect(online).not.toContain('chart-attendance');
    expect(online).not.toContain('portfolio completeness');
    const campus = (await instructor.get('/instructor/run-charts').expect(200)).text;
    expect(detail(campus, 'chart-components', 'Jan 20')).toContain('0 components');
    expect(campus).toContain('chart-attendance');
    expect((await instructor.get('/instructor/run-charts?group=all').expect(200)).text).toContain('chart-attendance');
  });
});

test('students and community learners get 403 on these instructor pages', async () => {
  const ava = await t.login('student1@cohort.example');
  const rosa = await community.rosa.login();
  for (const who of [ava, rosa]) {
    for (const path of [
      '/instructor/overview',
      '/instructor/overview?group=community',
      '/instructor/insights?group=community',
      `/instructor/insights/learning-check/${lesson1}?group=community`,
      `/instructor/insights/learning-check/${lesson1}.csv?group=community`,
      '/instructor/run-charts?group=community',
    ]) {
      const res = await who.get(path);
      expect([path, res.status]).toEqual([path, 403]);
    }
  }
});
