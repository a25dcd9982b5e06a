import { z } from 'zod';

/**
 * The shape of a rubric file under seeds/progressions/: one version of the iLEAD Developmental
 * Progressions as data. A later revision is another file with another key; it loads beside the
 * earlier one and past assessments keep pointing at the objectives of their own version.
 *
 * Every cell has a status: 'complete' unless `cellStatus` lists it. An 'incomplete' cell was cut
 * short in the draft: its descriptor is the fragment the draft has, kept as it is. An 'empty' cell
 * has no text in the draft: its descriptor is null.
 */
export const STAGE_COUNT = 4;

const groupKey = z.enum(['ihe', 'lea', 'partnership']);

/** How much of a cell the draft has: all of it, a fragment (cut short), or nothing. */
export const CELL_STATUSES = ['complete', 'incomplete', 'empty'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export function cellStatusOf(listed: { objective: number; stage: number; status: CellStatus }[], objective: number, stage: number): CellStatus {
  return listed.find((c) => c.objective === objective && c.stage === stage)?.status ?? 'complete';
}

export const rubricDefinitionSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes'),
    label: z.string().min(1),
    title: z.string().min(1),
    source: z.string().min(1),
    sourceNote: z.string().default(''),
    caution: z.string().default(''),
    stages: z.array(z.object({ number: z.number().int().min(1).max(STAGE_COUNT), name: z.string().min(1) })).length(STAGE_COUNT),
    groups: z
      .array(
        z.object({
          key: groupKey,
          name: z.string().min(1),
          description: z.string().default(''),
          firstObjective: z.number().int().min(1),
          lastObjective: z.number().int().min(1),
        }),
      )
      .min(1),
    objectives: z
      .array(
        z.object({
          number: z.number().int().min(1),
          group: groupKey,
          title: z.string().min(1),
          descriptors: z.array(z.string().min(1).nullable()).length(STAGE_COUNT),
        }),
      )
      .min(1),
    cellStatus: z
      .array(
        z.object({
          objective: z.number().int().min(1),
          stage: z.number().int().min(1).max(STAGE_COUNT),
          status: z.enum(['incomplete', 'empty']),
          note: z.string().optional(),
        }),
      )
      .default([]),
  })
  .superRefine((def, ctx) => {
    def.stages.forEach((s, i) => {
      if (s.number !== i + 1) ctx.addIssue({ code: 'custom', path: ['stages', i, 'number'], message: `stages must be numbered 1–${STAGE_COUNT} in order` });
    });
    def.objectives.forEach((o, i) => {
      if (o.number !== i + 1) ctx.addIssue({ code: 'custom', path: ['objectives', i, 'number'], message: 'objectives must be numbered 1, 2, 3 … in order' });
      const group = def.groups.find((g) => g.key === o.group);
      if (!group || o.number < group.firstObjective || o.number > group.lastObjective) {
        ctx.addIssue({ code: 'custom', path: ['objectives', i, 'group'], message: `objective ${o.number} is outside group ${o.group}` });
      }
      o.descriptors.forEach((d, s) => {
        const empty = cellStatusOf(def.cellStatus, o.number, s + 1) === 'empty';
        if ((d === null) !== empty) {
          ctx.addIssue({
            code: 'custom',
            path: ['objectives', i, 'descriptors', s],
            message: 'a descriptor is null exactly when `cellStatus` lists the cell as empty',
          });
        }
      });
    });
  });

export type RubricDefinition = z.infer<typeof rubricDefinitionSchema>;
export type GroupKey = z.infer<typeof groupKey>;
