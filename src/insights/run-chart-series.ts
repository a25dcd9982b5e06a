import { paceFromCompletions, semesterPosition } from '../progress/pace';
import type { CourseOutline } from '../progress/progress.repository';
import { addDays, startOfLocalDay } from '../time';
import type { RunPoint } from './run-chart';

/**
 * The weekly values of each run chart, computed from already loaded activity. Pure: the run
 * charts test checks the SVG against these. A week is a course week (Monday 00:00 to the next
 * Monday 00:00 in the course's zone); a week is measured "as of" its end, or as of now while it
 * runs (then the point is marked partial); weeks that have not started have no value.
 */
export interface WeekWindow {
  weekOn: string;
  label: string;
  startsAt: Date;
  endsAt: Date;
  asOf: Date;
  started: boolean;
  partial: boolean;
}

export function weekWindows(weeks: { startsOn: string; label: string }[], zone: string, now: Date): WeekWindow[] {
  return weeks.map((w) => {
    const startsAt = startOfLocalDay(w.startsOn, zone);
    const endsAt = startOfLocalDay(addDays(w.startsOn, 7), zone);
    const started = startsAt.getTime() <= now.getTime();
    const partial = started && now.getTime() < endsAt.getTime();
    return { weekOn: w.startsOn, label: w.label, startsAt, endsAt, asOf: partial ? now : endsAt, started, partial };
  });
}

const pct = (part: number, whole: number) => Math.round((1000 * part) / whole) / 10;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The course week a local date ('YYYY-MM-DD') falls in, if any. */
export function weekOf(windows: WeekWindow[], on: string): WeekWindow | undefined {
  return windows.find((w) => w.weekOn <= on && on < addDays(w.weekOn, 7));
}

/** Counts per local day summed into course weeks (days outside every course week are left out). */
export function countSeries(windows: WeekWindow[], perDay: { on: string; n: number }[], noun: string): RunPoint[] {
  const perWeek = new Map<string, number>();
  for (const d of perDay) {
    const w = weekOf(windows, d.on);
    if (w) perWeek.set(w.weekOn, (perWeek.get(w.weekOn) ?? 0) + d.n);
  }
  return windows.map((w) => {
    const n = perWeek.get(w.weekOn) ?? 0;
    return { weekOn: w.weekOn, value: w.started ? n : null, partial: w.partial, detail: w.started ? plural(n, noun) : 'Not started' };
  });
}

/**
 * Share of students on pace at each week's end: the pace rule of src/progress/pace.ts (every
 * lesson the calendar expected by then has all its components done), with a lesson counted
 * complete from the moment its last component was marked done. Weeks before any lesson is
 * expected have no value (there is nothing to be behind on).
 */
export function paceSeries(
  outline: CourseOutline,
  windows: WeekWindow[],
  studentIds: number[],
  completeAt: { userId: number; unitId: number; at: Date }[],
  /** Who the learners are, in the details ("student", or "community learner"). */
  noun = 'student',
): RunPoint[] {
  return windows.map((w) => {
    if (!w.started || studentIds.length === 0) return { weekOn: w.weekOn, value: null, partial: w.partial, detail: w.started ? `No ${noun}s` : 'Not started' };
    const position = semesterPosition(outline, w.asOf);
    if (position.expected.length === 0) return { weekOn: w.weekOn, value: null, partial: w.partial, detail: 'No lesson expected yet' };
    const counts = new Map<number, Map<number, number>>();
    for (const c of completeAt) {
      if (c.at.getTime() >= w.asOf.getTime()) continue;
      if (!counts.has(c.userId)) counts.set(c.userId, new Map());
      counts.get(c.userId)!.set(c.unitId, outline.componentCount);
    }
    const pace = paceFromCompletions(outline, position, counts, studentIds);
    const onPace = studentIds.filter((id) => pace.get(id)!.behindBy === 0).length;
    return {
      weekOn: w.weekOn,
      value: pct(onPace, studentIds.length),
      partial: w.partial,
      detail: `${onPace} of ${plural(studentIds.length, noun)} (${plural(position.expected.length, 'lesson')} expected)`,
    };
  });
}

/** Share present among the students recorded at the week's required campus meetings. */
export function attendanceSeries(windows: WeekWindow[], meetings: { on: string; present: number; recorded: number }[]): RunPoint[] {
  return windows.map((w) => {
    const mine = meetings.filter((m) => weekOf([w], m.on));
    const recorded = mine.reduce((s, m) => s + m.recorded, 0);
    const present = mine.reduce((s, m) => s + m.present, 0);
    if (!w.started || recorded === 0)
      return { weekOn: w.weekOn, value: null, partial: w.partial, detail: mine.length ? 'No attendance recorded' : 'No required meeting' };
    return { weekOn: w.weekOn, value: pct(present, recorded), partial: w.partial, detail: `${present} of ${recorded} recorded present` };
  });
}

/**
 * Portfolio completeness before a deadline: the mean share of portfolio items present per
 * student at each week's end. An item counts from its first version (set-based approximation:
 * a later deletion or team change is not subtracted); `items` has one row per student and item.
 */
export function portfolioSeries(windows: WeekWindow[], studentIds: number[], itemTotal: number, items: { userId: number; at: Date }[]): RunPoint[] {
  return windows.map((w) => {
    if (!w.started || studentIds.length === 0 || itemTotal === 0)
      return { weekOn: w.weekOn, value: null, partial: w.partial, detail: w.started ? 'Nothing to count' : 'Not started' };
    const have = new Map<number, number>();
    for (const i of items) if (i.at.getTime() < w.asOf.getTime()) have.set(i.userId, (have.get(i.userId) ?? 0) + 1);
    const shares = studentIds.map((id) => Math.min(have.get(id) ?? 0, itemTotal) / itemTotal);
    const complete = shares.filter((s) => s >= 1).length;
    return {
      weekOn: w.weekOn,
      value: Math.round((1000 * shares.reduce((a, b) => a + b, 0)) / studentIds.length) / 10,
      partial: w.partial,
      detail: `${complete} of ${plural(studentIds.length, 'student')} complete`,
    };
  });
}
