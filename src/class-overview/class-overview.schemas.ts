import { z } from 'zod';
import { firstString } from '../http/forms';

/** The overview's query string: filters, sort and page. A bad value falls back to its default. */
export const SORTS = ['name', 'section', 'pace', 'activity', 'components'] as const;

/** Each sort's natural direction: most behind, least recently active, fewest components first. */
export const DEFAULT_DIRECTION = { name: 'asc', section: 'asc', pace: 'desc', activity: 'asc', components: 'asc' } as const;

const q = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

export const overviewQuerySchema = z.object({
  section: q(z.coerce.number().int().positive().nullable()).catch(null),
  q: q(z.string().max(200)).catch(''),
  behind: q(z.literal('1')).optional().catch(undefined),
  sort: q(z.enum(SORTS)).catch('name'),
  dir: q(z.enum(['asc', 'desc']))
    .optional()
    .catch(undefined),
  page: q(z.coerce.number().int().min(1).max(1_000_000)).catch(1),
});

export type OverviewQuery = z.infer<typeof overviewQuerySchema>;
