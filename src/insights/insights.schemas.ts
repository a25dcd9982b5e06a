import { z } from 'zod';
import { firstString } from '../http/forms';

/** Query strings of the insights pages. A bad filter value falls back to "no filter". */
const q = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

/** Campus students (the default) or community learners (issue 17): each group's insights on their own. An unknown value shows the campus group. */
export const GROUPS = ['campus', 'community'] as const;
export type InsightsGroup = (typeof GROUPS)[number];
const group = q(z.enum(GROUPS)).catch('campus');

/** Which group the learners of an insights page are, and their role. */
export const roleOf = (g: InsightsGroup) => (g === 'community' ? 'community' : 'student');

export const groupQuerySchema = z.object({ group });

export const learningCheckQuerySchema = z.object({
  group,
  section: q(z.coerce.number().int().positive().max(2_147_483_647).nullable()).catch(null),
  anonymous: q(z.literal('1')).optional().catch(undefined),
});

export type LearningCheckQuery = z.infer<typeof learningCheckQuerySchema>;
