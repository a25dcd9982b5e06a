import { z } from 'zod';

/** The import form: a file (multipart) or pasted text. */
export const importSchema = z.object({ csv: z.string().max(20_000_000).optional() });
