import type { Db } from '../db/database';
import { Invalid, NotFound } from '../errors';
import { edxImportRepository as repo } from './edx-import.repository';
import { edxProgressRepository } from './edx-progress.repository';
import { unitLabel } from './subsection-mapping';

/**
 * The mapping of an edX course's report columns to our units, as the instructor corrects it.
 * Saving recomputes that course's edX progress from the stored scores at once (no re-import).
 */
export interface MappingChoice {
  mapId: number;
  unitId: number | null;
}

async function load(db: Db, offeringId: number, edxCourseId: number) {
  const course = await repo.course(db, offeringId, edxCourseId);
  if (!course) throw new NotFound('There is no such edX course.');
  const [units, rows] = await Promise.all([repo.units(db, edxCourseId), repo.mappings(db, edxCourseId)]);
  return { course, units, rows };
}

async function mappingPage(db: Db, offeringId: number, edxCourseId: number) {
  const { course, units, rows } = await load(db, offeringId, edxCourseId);
  const latest = rows.reduce((max, r) => Math.max(max, r.last_import_id), 0);
  return {
    course: { id: course.id, code: course.code, title: course.title },
    unitOptions: units.map((u) => ({ id: u.id, label: unitLabel({ kind: u.kind, lessonNumber: u.lesson_number, title: u.title }) })),
    columns: rows.map((r) => ({
      id: r.id,
      name: r.column_name,
      unitId: r.unit_id,
      source: r.source === 'guess' ? 'Guessed from the column name' : 'Set by you',
      inLatest: r.last_import_id === latest,
    })),
  };
}

/**
 * The chosen unit of each mapped column (`unitOf(mapId)`: '' means "not a unit", otherwise one of
 * the course's unit ids; undefined when the form did not send it). A bad choice is refused on the
 * field `column-<mapId>`.
 */
function readChoices(unitOf: (mapId: number) => unknown, mapIds: number[], unitIds: number[]): MappingChoice[] {
  const choices: MappingChoice[] = [];
  const errors: Record<string, string> = {};
  for (const mapId of mapIds) {
    const raw = unitOf(mapId);
    if (raw === undefined) continue;
    if (raw === '') choices.push({ mapId, unitId: null });
    else if (typeof raw === 'string' && /^\d{1,9}$/.test(raw) && unitIds.includes(Number(raw))) choices.push({ mapId, unitId: Number(raw) });
    else errors[`column-${mapId}`] = 'Choose one of this course’s units, or “Not a unit”.';
  }
  if (Object.keys(errors).length) throw new Invalid('Choose a unit, or “Not a unit”, for each column.', errors);
  return choices;
}

/** Validates and saves the choices that changed; returns how many changed. */
async function saveMapping(
  db: Db,
  input: { offeringId: number; edxCourseId: number; unitOf: (mapId: number) => unknown; by: number; now: Date },
): Promise<number> {
  const { rows, units } = await load(db, input.offeringId, input.edxCourseId);
  const choices = readChoices(
    input.unitOf,
    rows.map((r) => r.id),
    units.map((u) => u.id),
  );
  let changed = 0;
  for (const c of choices) {
    const row = rows.find((r) => r.id === c.mapId)!;
    if (row.unit_id === c.unitId && row.source === 'instructor') continue;
    if (row.unit_id === c.unitId && row.source === 'guess') {
      await repo.setMapping(db, c.mapId, c.unitId, 'instructor', input.by, input.now);
      continue;
    }
    await repo.setMapping(db, c.mapId, c.unitId, 'instructor', input.by, input.now);
    changed++;
  }
  if (changed) await edxProgressRepository.recomputeProgress(db, input.edxCourseId, input.now);
  return changed;
}

export const edxMappingService = Object.freeze({ mappingPage, saveMapping });
