import { z } from 'zod';

/**
 * The shape of a rubric file under seeds/progressions/: one version of the iLEAD Developmental
 * Progressions as data. A later revision is another file with another key; it loads beside the
 * earlier one and past assessments keep pointing at the objectives of their own version.
 *
 * A descriptor is null where the source leaves the cell empty or cut short; `gaps` says which.
 */
export const STAGE_COUNT = 4;

const groupKey = z.enum(['ihe', 'lea', 'partnership']);

export const rubricDefinitionSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes'),
    label: z.string().min(1),
    title: z.string().min(1),
    source: z.string().min(1),
    sourceNote: z.string().default(''),
    caution: z.string().default(''),
    stages: z
      .array(z.object({ number: z.number().int().min(1).max(STAGE_COUNT), name: z.string().min(1) }))
      .length(STAGE_COUNT),
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
    gaps: z
      .array(
        z.object({
          objective: z.number().int().min(1),
          stage: z.number().int().min(1).max(STAGE_COUNT),
          reason: z.enum(['empty', 'cut short']),
          sourceFragment: z.string().optional(),
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
        const gap = def.gaps.some((g) => g.objective === o.number && g.stage === s + 1);
        if ((d === null) !== gap) {
          ctx.addIssue({ code: 'custom', path: ['objectives', i, 'descriptors', s], message: 'a descriptor is null exactly when `gaps` lists the cell' });
        }
      });
    });
  });

export type RubricDefinition = z.infer<typeof rubricDefinitionSchema>;
export type GroupKey = z.infer<typeof groupKey>;
