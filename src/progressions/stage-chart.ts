import { DateTime } from 'luxon';
import { COURSE_LOCALE } from '../time';

/**
 * Geometry for the small "change over time" chart of one objective: the stage (0 = not yet
 * started … 4) at each dated assessment, x proportional to the date. The view draws it as SVG
 * with attributes and classes only (the CSP forbids inline styles).
 */
export interface StagePoint {
  on: string;
  /** null when the assessment has no entry for this objective (e.g. an older rubric version). */
  stage: number | null;
}

export interface StageChart {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  yTicks: { y: number; stage: number; label: string }[];
  xLabels: { x: number; label: string; anchor: 'start' | 'middle' | 'end' }[];
  points: { x: number; y: number; stage: number; on: string; title: string }[];
  /** SVG `points` for the polyline through the assessed stages ('' with fewer than two). */
  line: string;
  /** The chart in words, for screen readers and print. */
  summary: string;
}

const WIDTH = 320;
const HEIGHT = 132;
const PLOT = { left: 30, right: WIDTH - 14, top: 10, bottom: HEIGHT - 26 };
const MAX_STAGE = 4;

const shortDate = (on: string) => DateTime.fromISO(on).setLocale(COURSE_LOCALE).toFormat('LLL d, yyyy');
const round = (v: number) => Math.round(v * 10) / 10;

export function stageChart(series: StagePoint[], stageLabel: (stage: number) => string): StageChart {
  const dated = series.filter((p): p is { on: string; stage: number } => p.stage !== null);
  const days = (on: string) => DateTime.fromISO(on, { zone: 'UTC' }).toMillis() / 86_400_000;
  const first = dated.length ? days(dated[0].on) : 0;
  const span = dated.length > 1 ? days(dated[dated.length - 1].on) - first : 0;
  const xOf = (on: string) => (span > 0 ? PLOT.left + ((days(on) - first) / span) * (PLOT.right - PLOT.left) : (PLOT.left + PLOT.right) / 2);
  const yOf = (stage: number) => PLOT.bottom - (stage / MAX_STAGE) * (PLOT.bottom - PLOT.top);

  const points = dated.map((p) => ({
    x: round(xOf(p.on)),
    y: round(yOf(p.stage)),
    stage: p.stage,
    on: p.on,
    title: `${shortDate(p.on)}: ${stageLabel(p.stage)}`,
  }));
  const xLabels: StageChart['xLabels'] = [];
  if (points.length === 1) xLabels.push({ x: points[0].x, label: shortDate(points[0].on), anchor: 'middle' });
  if (points.length > 1) {
    xLabels.push({ x: points[0].x, label: shortDate(points[0].on), anchor: 'start' });
    xLabels.push({ x: points[points.length - 1].x, label: shortDate(points[points.length - 1].on), anchor: 'end' });
  }
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: PLOT,
    yTicks: Array.from({ length: MAX_STAGE + 1 }, (_, stage) => ({ y: round(yOf(stage)), stage, label: stage === 0 ? '–' : String(stage) })),
    xLabels,
    points,
    line: points.length > 1 ? points.map((p) => `${p.x},${p.y}`).join(' ') : '',
    summary: points.length ? points.map((p) => p.title).join('; ') : 'No assessment has recorded this objective yet.',
  };
}
