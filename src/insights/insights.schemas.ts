import { z } from 'zod';
import { firstString } from '../http/forms';

/** Query strings of the insights pages. A bad filter value falls back to "no filter". */
const q = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

export const learningCheckQuerySchema = z.object({
  section: q(z.coerce.number().int().positive().max(2_147_483_647).nullable()).catch(null),
  anonymous: q(z.literal('1')).optional().catch(undefined),
});

export type LearningCheckQuery = z.infer<typeof learningCheckQuerySchema>;
