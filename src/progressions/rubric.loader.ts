import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database';
import { seedsDir } from '../paths';
import { cellStatusOf, rubricDefinitionSchema, type RubricDefinition } from './rubric.definition';

/**
 * Loads rubric files (seeds/progressions/*.json) into the database. A new revision of the
 * Developmental Progressions is a new file with a new key: no code change, and assessments made
 * with an earlier version keep their objectives. Idempotent: a version whose key exists is left alone.
 */
export function rubricFiles(dir = path.join(seedsDir, 'progressions')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function readRubricFile(file: string): RubricDefinition {
  const parsed = rubricDefinitionSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`${file} is not a valid rubric definition:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export async function loadRubric(trx: Db, def: RubricDefinition): Promise<{ rubricId: number; created: boolean }> {
  const existing = await trx.selectFrom('progression_rubric').select('id').where('key', '=', def.key).executeTakeFirst();
  if (existing) return { rubricId: existing.id, created: false };

  const { id: rubricId } = await trx
    .insertInto('progression_rubric')
    .values({ key: def.key, label: def.label, title: def.title, source: def.source, source_note: def.sourceNote, caution: def.caution })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('progression_stage')
    .values(def.stages.map((s) => ({ rubric_id: rubricId, number: s.number, name: s.name })))
    .execute();
  const groups = await trx
    .insertInto('progression_group')
    .values(def.groups.map((g, i) => ({ rubric_id: rubricId, key: g.key, name: g.name, description: g.description, position: i + 1 })))
    .returning(['id', 'key'])
    .execute();
  const groupId = new Map(groups.map((g) => [g.key, g.id]));
  const objectives = await trx
    .insertInto('progression_objective')
    .values(def.objectives.map((o) => ({ rubric_id: rubricId, group_id: groupId.get(o.group)!, number: o.number, title: o.title })))
    .returning(['id', 'number'])
    .execute();
  const objectiveId = new Map(objectives.map((o) => [o.number, o.id]));
  await trx
    .insertInto('progression_descriptor')
    .values(
      def.objectives.flatMap((o) =>
        o.descriptors.map((body, i) => ({
          objective_id: objectiveId.get(o.number)!,
          stage: i + 1,
          body,
          status: cellStatusOf(def.cellStatus, o.number, i + 1),
        })),
      ),
    )
    .execute();
  return { rubricId, created: true };
}

/** Every rubric file, for seedAll: returns the keys of the versions it added. */
export async function seedRubrics(trx: Db, files = rubricFiles()): Promise<string[]> {
  const created: string[] = [];
  for (const file of files) {
    const def = readRubricFile(file);
    if ((await loadRubric(trx, def)).created) created.push(def.key);
  }
  return created;
}
