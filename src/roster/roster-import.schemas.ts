import { z } from 'zod';

/** The import form: a file (multipart) or pasted text. */
export const importSchema = z.object({ csv: z.string().max(20_000_000).optional() });

export const rosterImportIdParam = z.coerce.number().int().positive().max(2_147_483_647);
