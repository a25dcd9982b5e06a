import { z } from 'zod';
import { NotFound } from '../errors';

/** A record id as it appears in a URL or a form: a positive 32-bit integer. */
export const recordId = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * A record id from the URL; anything else is a page that does not exist: a 404, with
 * `notFoundMessage` when the route has a more precise one than the default.
 */
export function idParam(value: unknown, notFoundMessage?: string): number {
  const id = recordId.safeParse(value);
  if (!id.success) throw new NotFound(notFoundMessage);
  return id.data;
}
