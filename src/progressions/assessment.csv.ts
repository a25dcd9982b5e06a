import { stringify } from 'csv-stringify/sync';
import { neutralizeFormula } from '../http/csv';
import type { EntryRow } from './progressions.repository';
import type { RubricVersion } from './rubric.repository';
import { stageName } from './progressions.views';

/**
 * An assessment as CSV: one row per objective. Text a person typed is neutralized against
 * spreadsheet formula injection (src/http/csv.ts).
 */
export const CSV_COLUMNS = ['objective_number', 'objective_title', 'stage_number', 'stage_name', 'evidence', 'next_steps', 'assessed_at'] as const;

export function assessmentCsv(rubric: RubricVersion, entries: EntryRow[], assessedOn: string): string {
  const byObjective = new Map(entries.map((e) => [e.objective_id, e]));
  const rows = rubric.objectives.map((o) => {
    const e = byObjective.get(o.id);
    const stage = e?.stage ?? 0;
    return [
      String(o.number),
      neutralizeFormula(o.title),
      String(stage),
      neutralizeFormula(stageName(rubric, stage)),
      neutralizeFormula(e?.evidence ?? ''),
      neutralizeFormula(e?.next_steps ?? ''),
      assessedOn,
    ];
  });
  return stringify([[...CSV_COLUMNS], ...rows], { bom: true, record_delimiter: 'windows' });
}
