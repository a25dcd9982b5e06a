import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { progressRepository } from '../progress/progress.repository';
import { formatLocalDate } from '../time';
import { formatValue, runChart, type RunSeries } from './run-chart';
import { attendanceSeries, countSeries, paceSeries, portfolioSeries, weekWindows } from './run-chart-series';
import { roleOf, type InsightsGroup } from './insights.schemas';
import { groupLinks } from './learning-check.service';
import { runChartsRepository as repo } from './run-charts.repository';

/**
 * The run charts dashboard: the class's weekly measures for improvement, each a series of the
 * course weeks (see run-chart-series.ts) drawn as a run chart with its data table. The campus
 * group (the default) has every chart; the community group (issue 17) has the lesson measures
 * only (pace, components, study guides): community learners have no required campus meetings and
 * no portfolio deadline.
 */
type Meetings = Awaited<ReturnType<typeof repo.requiredMeetingAttendance>>;
type Requirements = Awaited<ReturnType<typeof courseRepository.portfolioRequirements>>;

export async function runChartSeries(db: Db, offeringId: number, now: Date, group: InsightsGroup = 'campus'): Promise<RunSeries[]> {
  const outline = await progressRepository.outline(db, offeringId);
  const zone = outline.timeZone;
  const role = roleOf(group);
  const campus = group === 'campus';
  const who = campus ? 'students' : 'community learners';
  const [studentIds, requirements] = await Promise.all([
    repo.activeLearnerIds(db, offeringId, role),
    campus ? courseRepository.portfolioRequirements(db, offeringId) : Promise.resolve<Requirements>([]),
  ]);
  const lessonsOf = (edxCourseId: number) => outline.lessons.filter((l) => l.edxCourseId === edxCourseId).map((l) => l.unitId);
  const [completeAt, completions, guides, meetings, ...items] = await Promise.all([
    repo.lessonCompleteAt(
      db,
      studentIds,
      outline.lessons.map((l) => l.unitId),
      outline.componentCount,
    ),
    repo.completionsPerDay(db, offeringId, role, zone),
    repo.studyGuidesPerDay(db, offeringId, role, zone),
    campus ? repo.requiredMeetingAttendance(db, offeringId, zone) : Promise.resolve<Meetings>([]),
    ...requirements.map((r) => repo.portfolioItems(db, offeringId, r.id, lessonsOf(r.edx_course_id))),
  ]);
  const windows = weekWindows(outline.weeks, zone, now);
  const attendance: RunSeries[] = campus
    ? [
        {
          key: 'attendance',
          title: 'Attendance at required campus meetings',
          description:
            'Share of the students recorded at each week’s required campus meeting who were present (an excused absence is not presence). Weeks without a required meeting, or before attendance is taken, have no point.',
          unit: 'percent',
          yLabel: '% of recorded students present',
          points: attendanceSeries(windows, meetings),
          emptyMessage: 'No attendance has been recorded at a required meeting yet.',
        },
      ]
    : [];
  return [
    {
      key: 'pace',
      title: campus ? 'Students on pace' : 'Community learners on pace',
      description: `Share of active ${who} with every lesson the calendar expected by the end of the week complete (all seven components marked done).`,
      unit: 'percent',
      yLabel: `% of ${who} on pace`,
      points: paceSeries(outline, windows, studentIds, completeAt, campus ? 'student' : 'community learner'),
      emptyMessage: 'No lesson was expected yet.',
    },
    {
      key: 'components',
      title: 'Lesson components completed per week',
      description: `Lesson components ${who} marked done during each week.`,
      unit: 'count',
      yLabel: 'Components completed',
      points: countSeries(windows, completions, 'component'),
      emptyMessage: 'No week has started yet.',
    },
    {
      key: 'study-guides',
      title: 'Study guides written per week',
      description: 'Study guides whose first version was saved during each week.',
      unit: 'count',
      yLabel: 'Study guides written',
      points: countSeries(windows, guides, 'study guide'),
      emptyMessage: 'No week has started yet.',
    },
    ...attendance,
    ...requirements.map((r, i): RunSeries => {
      const lessons = lessonsOf(r.edx_course_id).length;
      return {
        key: `portfolio-${r.edx_code.toLowerCase()}`,
        title: `${r.edx_code} portfolio completeness before the deadline`,
        description: `Mean share of the ${2 * lessons + 2} portfolio items (a study guide and a Team Practice artifact per lesson, a peer assessment, a reflection) each student had at the end of each ${r.edx_code} week, up to the week of the deadline, ${formatLocalDate(r.due_on)}. An item counts from its first version.`,
        unit: 'percent',
        yLabel: '% of portfolio items present',
        points: portfolioSeries(
          windows.filter((w) => outline.weeks.some((ow) => ow.startsOn === w.weekOn && ow.edxCourseId === r.edx_course_id) && w.weekOn <= r.due_on),
          studentIds,
          2 * lessons + 2,
          items[i],
        ),
        emptyMessage: `No ${r.edx_code} week has started yet.`,
      };
    }),
  ];
}

export async function runChartsPage(db: Db, offeringId: number, now: Date, group: InsightsGroup = 'campus') {
  const [series, offering] = await Promise.all([runChartSeries(db, offeringId, now, group), courseRepository.offering(db, offeringId)]);
  return {
    group,
    groups: groupLinks('/instructor/run-charts', group),
    courseZone: offering.time_zone,
    charts: series.map((s) => ({
      id: `chart-${s.key}`,
      title: s.title,
      description: s.description,
      yLabel: s.yLabel,
      chart: runChart(s),
      hasData: s.points.some((p) => p.value !== null),
      emptyMessage: s.emptyMessage,
      rows: s.points.map((p) => ({
        week: formatLocalDate(p.weekOn),
        value: p.value === null ? '—' : `${formatValue(p.value, s.unit)}${p.partial ? ' (so far)' : ''}`,
        detail: p.detail,
      })),
    })),
  };
}
