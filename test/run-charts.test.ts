import { median, runChart, shifts, type RunSeries } from '../src/insights/run-chart';
import { userIdsByLocalPart } from './helpers/builders';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/** Run charts computed from activity this test inserts on known dates, and the SVG drawn from
 * them. Now: Wed 2020-02-05, noon in Detroit, so the week of Feb 3 is the partial current week. */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
const lesson: Record<number, number> = {};
let componentIds: number[];
let weeks: string[];
const meeting: Record<string, number> = {};

const at = (iso: string) => new Date(iso);

async function complete(user: string, lessonNumber: number, count: number, when: string) {
  await t.db
    .insertInto('component_completion')
    .values(componentIds.slice(0, count).map((c) => ({ user_id: ids[user], unit_id: lesson[lessonNumber], component_id: c, completed_at: at(when) })))
    .execute();
}

async function studyGuide(user: string, lessonNumber: number, versions: string[]) {
  const g = await t.db
    .insertInto('study_guide')
    .values({ user_id: ids[user], unit_id: lesson[lessonNumber], created_at: at(versions[0]), deleted_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('study_guide_version')
    .values(versions.map((v, i) => ({ study_guide_id: g.id, version_no: i + 1, body_md: `Version ${i + 1}`, attachment_id: null, created_at: at(v) })))
    .execute();
}

async function attendance(on: string, statuses: Record<string, 'present' | 'absent' | 'excused'>, supersededAt: Date | null = null) {
  await t.db
    .insertInto('attendance_record')
    .values(
      Object.entries(statuses).map(([user, status]) => ({
        calendar_event_id: meeting[on],
        user_id: ids[user],
        status,
        note: status === 'excused' ? 'Arranged in advance' : '',
        recorded_by: ids.instructor,
        recorded_at: at(`${on}T23:30:00Z`),
        superseded_at: supersededAt,
      })),
    )
    .execute();
}

const everyone = (status: 'present' | 'absent') =>
  Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`student${i + 1}`, status])) as Record<string, 'present' | 'absent'>;

function series(unit: RunSeries['unit'], values: Record<string, number>, domain = weeks): RunSeries {
  return {
    key: 'expected',
    title: '',
    description: '',
    unit,
    yLabel: '',
    emptyMessage: '',
    points: domain.map((w) => ({ weekOn: w, value: w in values ? values[w] : null, partial: w === '2020-02-03', detail: '' })),
  };
}

/** The circles, polyline and median line of one chart's SVG, and its data table's values. */
function drawn(html: string, chartId: string) {
  const svg = html.match(new RegExp(`<svg [^>]*data-chart="${chartId}"[\\s\\S]*?</svg>`))![0];
  const circles = [...svg.matchAll(/<circle class="([^"]*)" cx="([^"]+)" cy="([^"]+)" r="4.5" data-week="([^"]+)" data-value="([^"]+)"/g)].map((m) => ({
    partial: m[1].includes('rc-partial'),
    x: Number(m[2]),
    y: Number(m[3]),
    weekOn: m[4],
    value: Number(m[5]),
  }));
  const line = svg.match(/<polyline class="rc-line" fill="none" points="([^"]*)"/)?.[1] ?? '';
  const medianY = svg.match(/<line class="rc-median"[^>]* y1="([^"]+)"[^>]*data-median="([^"]+)"/);
  const table = html.match(new RegExp(`<table class="rc-table" data-chart="${chartId}">([\\s\\S]*?)</table>`))![1];
  const rows = [...table.matchAll(/<tr><th scope="row">([^<]+)<\/th><td>([^<]+)<\/td>/g)].map((m) => [m[1], m[2]]);
  return { circles, line, median: medianY ? { y: Number(medianY[1]), value: Number(medianY[2]) } : null, rows };
}

function expectDrawnAs(html: string, chartId: string, expected: RunSeries) {
  const geometry = runChart(expected);
  const got = drawn(html, chartId);
  expect(got.circles).toEqual(geometry.points.map((p) => ({ partial: p.partial, x: p.x, y: p.y, weekOn: p.weekOn, value: p.value })));
  expect(got.line).toBe(geometry.line);
  expect(got.median).toEqual(geometry.median && { y: geometry.median.y, value: geometry.median.value });
  return got;
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-05T17:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  const units = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select(['unit.id', 'unit.lesson_number'])
    .where('edx_course.code', '=', 'LeadEd502x')
    .where('unit.kind', '=', 'lesson')
    .execute();
  for (const u of units) lesson[u.lesson_number!] = u.id;
  componentIds = (await t.db.selectFrom('lesson_component').select('id').orderBy('position').execute()).map((c) => c.id);
  weeks = (await t.db.selectFrom('course_week').select('starts_on').orderBy('starts_on').execute()).map((w) => w.starts_on);
  for (const m of await t.db.selectFrom('calendar_event').select(['id', 'starts_at']).where('kind', '=', 'campus_meeting').execute())
    meeting[m.starts_at.toISOString().slice(0, 10)] = m.id;

  // This file owns the activity: start from none.
  for (const table of ['component_completion', 'study_guide_version', 'study_guide', 'team_artifact_version', 'attendance_record'] as const)
    await t.db.deleteFrom(table).execute();

  // Components: Ava finishes Lessons 1 and 2 in their weeks and starts Lesson 3; Miguel finishes
  // Lesson 1 late on Sunday Jan 19 in Detroit (already Monday in UTC); Olivia starts Lesson 1 late.
  await complete('student1', 1, 7, '2020-01-15T15:00:00Z');
  await complete('student1', 2, 7, '2020-01-22T15:00:00Z');
  await complete('student1', 3, 3, '2020-01-29T15:00:00Z');
  await complete('student2', 1, 7, '2020-01-20T04:30:00Z');
  await complete('student3', 1, 2, '2020-02-04T15:00:00Z');
  // Study guides by their first version (a second version is not a second guide).
  await studyGuide('student1', 1, ['2020-01-14T15:00:00Z']);
  await studyGuide('student2', 1, ['2020-01-16T15:00:00Z', '2020-01-21T15:00:00Z']);
  await studyGuide('student1', 2, ['2020-01-21T18:00:00Z']);
  // The Lesson 1 team of students 1, 2 and 3 (seeded) uploads its Team Practice artifact.
  const team = await t.db.selectFrom('team').select('id').where('name', '=', 'Learning Systems Crew').executeTakeFirstOrThrow();
  await t.db
    .insertInto('team_artifact_version')
    .values({ team_id: team.id, version_no: 1, body_md: 'Our frame', attachment_id: null, uploaded_by: ids.student1, created_at: at('2020-01-17T15:00:00Z') })
    .execute();
  // Attendance: Jan 13 (required) 10 of 12 present (Olivia first recorded absent, then corrected);
  // Jan 20 (optional: not charted); Jan 27 (required) 9 present, 1 excused, 2 absent.
  await attendance('2020-01-13', { student3: 'absent' }, at('2020-01-14T12:00:00Z'));
  await attendance('2020-01-13', { ...everyone('present'), student5: 'absent', student7: 'absent' });
  await attendance('2020-01-20', everyone('absent'));
  await attendance('2020-01-27', { ...everyone('present'), student2: 'excused', student4: 'absent', student6: 'absent' });
});
afterAll(() => t.close());

test('the run charts as completions accumulate', async () => {
  await step('students may not see the run charts', async () => {
    const ava = await t.login('student1@cohort.example');
    await ava.get('/instructor/run-charts').expect(403);
  });

  await step('the median and the shift rule', () => {
    expect(median([0, 14, 7, 3, 2])).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeNull();
    // Six in a row below, then six in a row above the median of 6.5: two shifts.
    expect(shifts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 6.5).map((s) => [s.from, s.to, s.side])).toEqual([
      [0, 5, 'below'],
      [6, 11, 'above'],
    ]);
    // Points on the median neither break nor extend a run; five in a row is not a shift.
    expect(shifts([1, 1, 3, 1, 1, 1, 1, 5, 5], 3).map((s) => [s.from, s.to, s.members.length])).toEqual([[0, 6, 6]]);
    expect(shifts([1, 1, 1, 1, 1, 9, 9, 9], 3)).toEqual([]);
  });

  await step('components completed per week: counted in the course zone, drawn at the computed points', async () => {
    const html = (await instructor.get('/instructor/run-charts').expect(200)).text;
    const got = expectDrawnAs(
      html,
      'chart-components',
      series('count', { '2020-01-06': 0, '2020-01-13': 14, '2020-01-20': 7, '2020-01-27': 3, '2020-02-03': 2 }),
    );
    expect(got.circles.map((c) => [c.weekOn, c.value, c.partial])).toEqual([
      ['2020-01-06', 0, false],
      ['2020-01-13', 14, false],
      ['2020-01-20', 7, false],
      ['2020-01-27', 3, false],
      ['2020-02-03', 2, true],
    ]);
    expect(got.median!.value).toBe(3);
    expect(got.rows.slice(0, 6)).toEqual([
      ['Mon, Jan 6, 2020', '0'],
      ['Mon, Jan 13, 2020', '14'],
      ['Mon, Jan 20, 2020', '7'],
      ['Mon, Jan 27, 2020', '3'],
      ['Mon, Feb 3, 2020', '2 (so far)'],
      ['Mon, Feb 10, 2020', '—'],
    ]);
    expect(got.rows).toHaveLength(weeks.length);
  });

  await step('share of students on pace at each week’s end', async () => {
    const html = (await instructor.get('/instructor/run-charts').expect(200)).text;
    // Jan 13 week: Lesson 1 expected; Ava and Miguel (before Monday 00:00 Detroit) → 2 of 12.
    // Jan 20 week: Lessons 1–2 → Ava only. Jan 27 and Feb 3 weeks: Lessons 1–3 → nobody.
    const got = expectDrawnAs(html, 'chart-pace', series('percent', { '2020-01-13': 16.7, '2020-01-20': 8.3, '2020-01-27': 0, '2020-02-03': 0 }));
    expect(got.circles).toHaveLength(4);
    expect(got.rows[0]).toEqual(['Mon, Jan 6, 2020', '—']);
    expect(got.rows[1]).toEqual(['Mon, Jan 13, 2020', '16.7%']);
  });

  await step('study guides written, attendance at required meetings and portfolio completeness', async () => {
    const html = (await instructor.get('/instructor/run-charts').expect(200)).text;
    expectDrawnAs(html, 'chart-study-guides', series('count', { '2020-01-06': 0, '2020-01-13': 2, '2020-01-20': 1, '2020-01-27': 0, '2020-02-03': 0 }));
    const attendanceChart = expectDrawnAs(html, 'chart-attendance', series('percent', { '2020-01-13': 83.3, '2020-01-27': 75 }));
    expect(attendanceChart.rows[2]).toEqual(['Mon, Jan 20, 2020', '—']);
    // 14 items per student; Ava 2 then 3 (guides + team artifact), Miguel 2, Olivia 1; mean over 12.
    const weeks502 = weeks.filter((w) => w >= '2020-01-13' && w <= '2020-02-24');
    expectDrawnAs(
      html,
      'chart-portfolio-leaded502x',
      series('percent', { '2020-01-13': 3, '2020-01-20': 3.6, '2020-01-27': 3.6, '2020-02-03': 3.6 }, weeks502),
    );
    expect(drawn(html, 'chart-portfolio-leaded503x').circles).toEqual([]);
    expect(html).toContain('No LeadEd503x week has started yet.');
  });

  // Last: it deactivates a student.
  await step('a student removed from the roster drops out of every chart', async () => {
    await t.db
      .updateTable('app_user')
      .set({ deactivated_at: at('2020-02-04T12:00:00Z') })
      .where('id', '=', ids.student2)
      .execute();
    const html = (await instructor.get('/instructor/run-charts').expect(200)).text;
    // Miguel's 7 Lesson 1 components, his first study guide version and his excused absence go.
    expectDrawnAs(html, 'chart-components', series('count', { '2020-01-06': 0, '2020-01-13': 7, '2020-01-20': 7, '2020-01-27': 3, '2020-02-03': 2 }));
    expectDrawnAs(html, 'chart-study-guides', series('count', { '2020-01-06': 0, '2020-01-13': 1, '2020-01-20': 1, '2020-01-27': 0, '2020-02-03': 0 }));
    // Jan 13: 9 of the 11 still active present; Jan 27: 9 of 11.
    expectDrawnAs(html, 'chart-attendance', series('percent', { '2020-01-13': 81.8, '2020-01-27': 81.8 }));
  });
});
