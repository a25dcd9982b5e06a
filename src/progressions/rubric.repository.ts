import type { Db } from '../db/database';
import type { CellStatus, GroupKey } from './rubric.definition';

/** One rubric version, read whole: its stages, and its objectives by group with their descriptors. */
export interface RubricVersion {
  id: number;
  key: string;
  label: string;
  title: string;
  source: string;
  sourceNote: string;
  caution: string;
  stages: { number: number; name: string }[];
  groups: RubricGroup[];
  objectives: RubricObjective[];
}

export interface RubricGroup {
  key: GroupKey;
  name: string;
  description: string;
  objectives: RubricObjective[];
}

export interface RubricObjective {
  id: number;
  number: number;
  title: string;
  groupKey: GroupKey;
  /** Index 0 is stage 1. `body` is null where the draft leaves the cell empty; an incomplete cell has the draft's fragment. */
  descriptors: { stage: number; body: string | null; status: CellStatus }[];
}

async function listVersions(db: Db) {
  return db.selectFrom('progression_rubric').select(['id', 'key', 'label', 'title']).orderBy('id').execute();
}

/** The version new assessments use: the one loaded last. */
async function currentVersionId(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('progression_rubric').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id;
}

async function idByKey(db: Db, key: string): Promise<number | undefined> {
  return (await db.selectFrom('progression_rubric').select('id').where('key', '=', key).executeTakeFirst())?.id;
}

async function version(db: Db, rubricId: number): Promise<RubricVersion | undefined> {
  const rubric = await db.selectFrom('progression_rubric').selectAll().where('id', '=', rubricId).executeTakeFirst();
  if (!rubric) return undefined;
  const stages = await db.selectFrom('progression_stage').select(['number', 'name']).where('rubric_id', '=', rubricId).orderBy('number').execute();
  const groups = await db
    .selectFrom('progression_group')
    .select(['id', 'key', 'name', 'description'])
    .where('rubric_id', '=', rubricId)
    .orderBy('position')
    .execute();
  const objectiveRows = await db
    .selectFrom('progression_objective')
    .select(['id', 'number', 'title', 'group_id'])
    .where('rubric_id', '=', rubricId)
    .orderBy('number')
    .execute();
  const descriptorRows = objectiveRows.length
    ? await db
        .selectFrom('progression_descriptor')
        .select(['objective_id', 'stage', 'body', 'status'])
        .where(
          'objective_id',
          'in',
          objectiveRows.map((o) => o.id),
        )
        .orderBy('objective_id')
        .orderBy('stage')
        .execute()
    : [];
  const groupKey = new Map(groups.map((g) => [g.id, g.key]));
  const objectives: RubricObjective[] = objectiveRows.map((o) => ({
    id: o.id,
    number: o.number,
    title: o.title,
    groupKey: groupKey.get(o.group_id)!,
    descriptors: descriptorRows.filter((d) => d.objective_id === o.id).map((d) => ({ stage: d.stage, body: d.body, status: d.status })),
  }));
  return {
    id: rubric.id,
    key: rubric.key,
    label: rubric.label,
    title: rubric.title,
    source: rubric.source,
    sourceNote: rubric.source_note,
    caution: rubric.caution,
    stages,
    groups: groups.map((g) => ({ key: g.key, name: g.name, description: g.description, objectives: objectives.filter((o) => o.groupKey === g.key) })),
    objectives,
  };
}

export const rubricRepository = Object.freeze({ listVersions, currentVersionId, idByKey, version });
