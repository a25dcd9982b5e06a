import { z } from 'zod';
import { firstString } from '../http/forms';

/** The overview's query string: filters, sort and page. A bad value falls back to its default. */
export const SORTS = ['name', 'section', 'pace', 'activity', 'components', 'joined'] as const;

/** Each sort's natural direction: most behind, least recently active, fewest components, newest first. */
export const DEFAULT_DIRECTION = { name: 'asc', section: 'asc', pace: 'desc', activity: 'asc', components: 'asc', joined: 'desc' } as const;

/** The overview's two groups: campus students, community learners. An unknown value shows the campus group. */
export const GROUPS = ['campus', 'community'] as const;
export type OverviewGroup = (typeof GROUPS)[number];

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
  /** Campus students (the default) or community learners (issue 17): never mixed in one list. */
  group: q(z.enum(GROUPS)).catch('campus'),
  /** The community group narrowed to one country (ISO 3166-1 alpha-2). */
  country: q(
    z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .transform((c) => c.toUpperCase())
      .nullable(),
  ).catch(null),
});

export type OverviewQuery = z.infer<typeof overviewQuerySchema>;
