import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, fieldsWithControlCharacters, markControlCharacters } from './text-hygiene';

/** One zod schema per form; on failure the view gets `errors` by field and the values typed. */
export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const refused = fieldsWithControlCharacters(input);
  if (refused.length) return { ok: false, errors: Object.fromEntries(refused.map((k) => [k, CONTROL_CHARACTER_MESSAGE])) };
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    if (!errors[key]) errors[key] = issue.message;
  }
  return { ok: false, errors };
}

/** Form values as the user sent them (strings only), to re-fill a form after an error (control characters shown as U+FFFD). */
export function submittedValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v === 'string') values[k] = markControlCharacters(v);
      else if (Array.isArray(v) && typeof v[0] === 'string') values[k] = markControlCharacters(v[0]);
    }
  }
  return values;
}

/** A form text field: a string (arrays from duplicate fields keep the first), trimmed. */
export function firstString(v: unknown): unknown {
  if (Array.isArray(v)) return v[0];
  return typeof v === 'string' ? v.trim() : v;
}

/**
 * The hidden `base_version` field of a form that edits shared or versioned text (see src/versions.ts):
 * required (a form without it would overwrite blindly); '' means the form was opened before any version existed.
 */
export const baseVersionField = z.preprocess(
  (v) => (Array.isArray(v) ? v[0] : v),
  z
    .string({ error: 'This form does not say which version it was opened on. Reload the page and try again.' })
    .regex(/^\d{0,12}$/, 'This form does not say which version it was opened on. Reload the page and try again.'),
);
