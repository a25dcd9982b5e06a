import { z } from 'zod';
import { Invalid } from '../errors';
import { CONTROL_CHARACTER_MESSAGE, fieldsWithControlCharacters, markControlCharacters } from './text-hygiene';

/** A form's messages keyed by its HTML field names (`_form` for the form as a whole), as the views show them. */
export type FieldErrors = Record<string, string>;

/** The message a form's bad input carries when each field has its own (the views show the fields). */
export const FIX_THE_FORM = 'Please fix the form.';

/** A form that failed its schema (or its text hygiene): its fields are the form's own HTML names. */
export class BadForm extends Invalid {
  constructor(fields: FieldErrors, message = FIX_THE_FORM) {
    super(message, fields);
  }
}

/**
 * One zod schema per form: the typed input, or a thrown Invalid keyed by the schema's (HTML) field
 * names (BadForm), which the error middleware shows on the route's form page (src/http/form-page.ts), 422.
 */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const refused = fieldsWithControlCharacters(input);
  if (refused.length) throw new BadForm(Object.fromEntries(refused.map((k) => [k, CONTROL_CHARACTER_MESSAGE])), CONTROL_CHARACTER_MESSAGE);
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    if (!errors[key]) errors[key] = issue.message;
  }
  throw new BadForm(errors);
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
