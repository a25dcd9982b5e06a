import { DateTime } from 'luxon';

/**
 * A run chart (measurement for improvement): weekly points in time order, joined by a line, with
 * the median of the plotted points as the centre line. Pure geometry for the SVG the view draws
 * with attributes and classes only (the CSP forbids inline styles), plus the classic run-chart
 * rule for a shift: six or more consecutive points on the same side of the median (points on the
 * median neither break nor extend a run) signal a non-random change.
 */
export interface RunPoint {
  /** The Monday that starts the course week. */
  weekOn: string;
  /** Null: no value that week (not started yet, or nothing to measure). */
  value: number | null;
  /** The week is still running: the value is "so far". */
  partial: boolean;
  /** The value in words for the data table, e.g. "7 of 12 students". */
  detail: string;
}

export interface RunSeries {
  key: string;
  title: string;
  description: string;
  unit: 'percent' | 'count';
  yLabel: string;
  points: RunPoint[];
  emptyMessage: string;
}

export interface ChartPoint {
  x: number;
  y: number;
  value: number;
  weekOn: string;
  partial: boolean;
  signal: boolean;
  title: string;
}

export interface RunChartGeometry {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  yTicks: { y: number; label: string }[];
  xLabels: { x: number; label: string }[];
  points: ChartPoint[];
  /** SVG `points` of the polyline through the plotted points ('' with fewer than two). */
  line: string;
  median: { value: number; y: number; label: string } | null;
  shifts: { fromWeekOn: string; toWeekOn: string; side: 'above' | 'below'; length: number }[];
  summary: string;
}

export const SHIFT_LENGTH = 6;
const WIDTH = 640;
const HEIGHT = 250;
const PLOT = { left: 56, right: WIDTH - 16, top: 16, bottom: HEIGHT - 58 };

const round1 = (v: number) => Math.round(v * 10) / 10;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function formatValue(value: number, unit: RunSeries['unit']): string {
  const v = round1(value);
  return unit === 'percent' ? `${v}%` : String(v);
}

/** The y axis: 0–100 for percentages; for counts a round maximum in steps of 1, 2 or 5 × 10ⁿ. */
export function yScale(values: number[], unit: RunSeries['unit']): { max: number; step: number } {
  if (unit === 'percent') return { max: 100, step: 25 };
  const top = Math.max(0, ...values);
  if (top <= 4) return { max: 4, step: 1 };
  const raw = top / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = Math.max(1, (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag);
  return { max: Math.ceil(top / step) * step, step };
}

/** Runs of at least SHIFT_LENGTH plotted points on one side of the median: their indexes. */
export function shifts(values: number[], centre: number): { from: number; to: number; side: 'above' | 'below'; members: number[] }[] {
  const found: { from: number; to: number; side: 'above' | 'below'; members: number[] }[] = [];
  let run: { side: 'above' | 'below'; members: number[] } | null = null;
  const close = () => {
    if (run && run.members.length >= SHIFT_LENGTH)
      found.push({ from: run.members[0], to: run.members[run.members.length - 1], side: run.side, members: run.members });
  };
  values.forEach((v, i) => {
    if (v === centre) return;
    const side = v > centre ? 'above' : 'below';
    if (run && run.side === side) run.members.push(i);
    else {
      close();
      run = { side, members: [i] };
    }
  });
  close();
  return found;
}

const shortWeek = (on: string) => DateTime.fromISO(on).toFormat('L/d');

export function runChart(series: RunSeries): RunChartGeometry {
  const n = series.points.length;
  const plotted = series.points.map((p, i) => ({ p, i })).filter((e): e is { p: RunPoint & { value: number }; i: number } => e.p.value !== null);
  const values = plotted.map((e) => e.p.value);
  const scale = yScale(values, series.unit);
  const band = n > 0 ? (PLOT.right - PLOT.left) / n : 0;
  const xOf = (i: number) => round1(PLOT.left + (i + 0.5) * band);
  const yOf = (v: number) => round1(PLOT.bottom - (Math.min(v, scale.max) / scale.max) * (PLOT.bottom - PLOT.top));
  const centre = median(values);
  const runs = centre === null ? [] : shifts(values, centre);
  const signalled = new Set(runs.flatMap((r) => r.members));
  const points = plotted.map((e, k) => ({
    x: xOf(e.i),
    y: yOf(e.p.value),
    value: e.p.value,
    weekOn: e.p.weekOn,
    partial: e.p.partial,
    signal: signalled.has(k),
    title: `Week of ${shortWeek(e.p.weekOn)}: ${formatValue(e.p.value, series.unit)}${e.p.partial ? ' so far' : ''}`,
  }));
  const yTicks: RunChartGeometry['yTicks'] = [];
  for (let v = 0; v <= scale.max; v += scale.step) yTicks.push({ y: yOf(v), label: series.unit === 'percent' ? `${v}%` : String(v) });
  const shiftList = runs.map((r) => ({ fromWeekOn: plotted[r.from].p.weekOn, toWeekOn: plotted[r.to].p.weekOn, side: r.side, length: r.members.length }));
  const summary = !points.length
    ? series.emptyMessage
    : [
        `${points.length} weekly point${points.length === 1 ? '' : 's'} from the week of ${shortWeek(points[0].weekOn)} to the week of ${shortWeek(points[points.length - 1].weekOn)}`,
        `median ${formatValue(centre!, series.unit)}`,
        `latest ${formatValue(points[points.length - 1].value, series.unit)}`,
        ...shiftList.map((s) => `shift: ${s.length} weeks in a row ${s.side} the median (${shortWeek(s.fromWeekOn)}–${shortWeek(s.toWeekOn)})`),
      ].join('; ') + '.';
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: PLOT,
    yTicks,
    xLabels: series.points.map((p, i) => ({ x: xOf(i), label: shortWeek(p.weekOn) })),
    points,
    line: points.length > 1 ? points.map((p) => `${p.x},${p.y}`).join(' ') : '',
    median: centre === null ? null : { value: centre, y: yOf(centre), label: `Median ${formatValue(centre, series.unit)}` },
    shifts: shiftList,
    summary,
  };
}
