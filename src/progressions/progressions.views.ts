import type { EntryRow } from './progressions.repository';
import type { CellStatus } from './rubric.definition';
import type { RubricObjective, RubricVersion } from './rubric.repository';
import { stageChart, type StageChart } from './stage-chart';

/**
 * View models for the rubric, an assessment's heat map, the change over time and a comparison.
 * Pure functions of the rubric and the entries: no database, no request.
 */
export const NOT_STARTED = 'Not yet started';
export const NOT_DESCRIBED = 'not described in this draft';
export const INCOMPLETE_IN_DRAFT = 'incomplete in the draft';

export function stageName(rubric: Pick<RubricVersion, 'stages'>, stage: number): string {
  return stage === 0 ? NOT_STARTED : (rubric.stages.find((s) => s.number === stage)?.name ?? `Stage ${stage}`);
}

/** "Stage 2 · Small change implementation", or "Not yet started". */
export function stageLabel(rubric: Pick<RubricVersion, 'stages'>, stage: number): string {
  return stage === 0 ? NOT_STARTED : `Stage ${stage} · ${stageName(rubric, stage)}`;
}

/**
 * A descriptor for display; bullet lists in the draft ("IS/NICs: • … • …") become a lead and items.
 * An empty cell reads "not described in this draft"; a cell the draft cut short keeps its fragment
 * and carries the words "incomplete in the draft" (`incompleteNote`), so the two never look alike.
 */
export function descriptorText(d: { body: string | null; status: CellStatus }) {
  if (d.body === null || d.status === 'empty') return { missing: true, lead: NOT_DESCRIBED, items: [] as string[], incompleteNote: null };
  const [lead, ...items] = d.body.split(' • ').map((s) => s.trim());
  return { missing: false, lead, items, incompleteNote: d.status === 'incomplete' ? INCOMPLETE_IN_DRAFT : null };
}

function groupRange(objectives: RubricObjective[]): string {
  return objectives.length ? `objectives ${objectives[0].number}–${objectives[objectives.length - 1].number}` : '';
}

export function rubricModel(rubric: RubricVersion) {
  return {
    label: rubric.label,
    title: rubric.title,
    source: rubric.source,
    sourceNote: rubric.sourceNote,
    caution: rubric.caution,
    stages: rubric.stages,
    groups: rubric.groups.map((g) => ({
      key: g.key,
      name: g.name,
      description: g.description,
      range: groupRange(g.objectives),
      rows: g.objectives.map((o) => ({
        number: o.number,
        title: o.title,
        cells: o.descriptors.map((d) => ({ stage: d.stage, stageName: stageName(rubric, d.stage), state: null, ...descriptorText(d) })),
      })),
    })),
  };
}

export type CellState = 'reached' | 'current' | 'ahead';

/** The heat map: 24 rows × 4 stages, grouped; the current stage marked, earlier stages tinted. */
export function gridModel(rubric: RubricVersion, entries: EntryRow[]) {
  const byObjective = new Map(entries.map((e) => [e.objective_id, e]));
  return {
    stages: rubric.stages,
    groups: rubric.groups.map((g) => ({
      key: g.key,
      name: g.name,
      range: groupRange(g.objectives),
      rows: g.objectives.map((o) => {
        const entry = byObjective.get(o.id);
        const stage = entry?.stage ?? 0;
        return {
          number: o.number,
          title: o.title,
          stage,
          stageLabel: entry ? stageLabel(rubric, stage) : 'Not recorded',
          evidence: entry?.evidence ?? '',
          nextSteps: entry?.next_steps ?? '',
          cells: o.descriptors.map((d) => ({
            stage: d.stage,
            stageName: stageName(rubric, d.stage),
            state: (d.stage < stage ? 'reached' : d.stage === stage ? 'current' : 'ahead') as CellState,
            ...descriptorText(d),
          })),
        };
      }),
    })),
  };
}

/** The same objective in another rubric version: same number and title. */
export function matchObjective(o: Pick<RubricObjective, 'number' | 'title'>, other: RubricVersion): RubricObjective | undefined {
  return other.objectives.find((x) => x.number === o.number && x.title === o.title);
}

export interface DatedAssessment {
  id: number;
  assessedOn: string;
  rubric: RubricVersion;
  entries: EntryRow[];
}

/** The objective `o` (of any version) as it appears in `version`: the same row, or its match. */
function objectiveIn(version: RubricVersion, o: RubricObjective): RubricObjective | undefined {
  return version.objectives.find((x) => x.id === o.id) ?? matchObjective(o, version);
}

function entryFor(a: DatedAssessment, o: RubricObjective): EntryRow | undefined {
  const objective = objectiveIn(a.rubric, o);
  return objective ? a.entries.find((e) => e.objective_id === objective.id) : undefined;
}

function stageIn(a: DatedAssessment, o: RubricObjective): number | null {
  return entryFor(a, o)?.stage ?? null;
}

/** Per objective of `rubric`, its stage at each dated assessment (oldest first), as a chart. */
export function historyModel(rubric: RubricVersion, assessments: DatedAssessment[]) {
  return rubric.groups.map((g) => ({
    name: g.name,
    range: groupRange(g.objectives),
    objectives: g.objectives.map((o) => {
      const chart: StageChart = stageChart(
        assessments.map((a) => ({ on: a.assessedOn, stage: stageIn(a, o) })),
        (s) => stageLabel(rubric, s),
      );
      return { number: o.number, title: o.title, chart };
    }),
  }));
}

export type Movement = 'forward' | 'back' | 'same' | 'unknown';

/** Objective by objective, from an earlier assessment to a later one: what moved. */
export function comparisonModel(rubric: RubricVersion, from: DatedAssessment, to: DatedAssessment) {
  const rows = rubric.objectives.map((o) => {
    const before = stageIn(from, o);
    const after = stageIn(to, o);
    const movement: Movement = before === null || after === null ? 'unknown' : after > before ? 'forward' : after < before ? 'back' : 'same';
    const steps = before !== null && after !== null ? Math.abs(after - before) : 0;
    const entry = entryFor(to, o);
    return {
      number: o.number,
      title: o.title,
      groupKey: o.groupKey,
      before: before === null ? 'Not recorded' : stageLabel(rubric, before),
      after: after === null ? 'Not recorded' : stageLabel(rubric, after),
      movement,
      movementLabel:
        movement === 'forward'
          ? `Moved forward ${steps} stage${steps === 1 ? '' : 's'}`
          : movement === 'back'
            ? `Moved back ${steps} stage${steps === 1 ? '' : 's'}`
            : movement === 'same'
              ? 'No change'
              : 'Not recorded in both',
      evidence: entry?.evidence ?? '',
      nextSteps: entry?.next_steps ?? '',
    };
  });
  const moved = rows.filter((r) => r.movement === 'forward' || r.movement === 'back');
  return {
    moved,
    unchanged: rows.filter((r) => r.movement === 'same' || r.movement === 'unknown'),
    counts: {
      forward: rows.filter((r) => r.movement === 'forward').length,
      back: rows.filter((r) => r.movement === 'back').length,
      same: rows.filter((r) => r.movement === 'same').length,
    },
  };
}
