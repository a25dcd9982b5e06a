import type { NextFunction, Request, Response } from 'express';
import { render } from './render';

/**
 * Characters that have no place in text a person types: C0 controls other than tab, line feed and
 * carriage return, DEL, and the C1 controls. PostgreSQL refuses NUL in text outright (a 500 before
 * this check), and the others only hide or garble what is shown. One rule for every form and query.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this rule's purpose
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export const CONTROL_CHARACTER_MESSAGE = 'This contains a control character (such as a NUL byte) that cannot be part of text. Remove it and try again.';

export function hasControlCharacter(value: string): boolean {
  return FORBIDDEN.test(value);
}

/** Replaces forbidden characters with U+FFFD, so a form can be shown again with the input kept and the spot visible. */
export function markControlCharacters(value: string): string {
  return value.replace(new RegExp(FORBIDDEN.source, 'g'), '\uFFFD');
}

/** The names of the fields (top-level keys) whose value, or any string inside it, has a forbidden character. */
export function fieldsWithControlCharacters(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const bad: string[] = [];
  const visit = (v: unknown): boolean =>
    typeof v === 'string'
      ? hasControlCharacter(v)
      : Array.isArray(v)
        ? v.some(visit)
        : v !== null && typeof v === 'object'
          ? Object.values(v).some(visit)
          : false;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) if (hasControlCharacter(k) || visit(v)) bad.push(k);
  return bad;
}

/**
 * Query strings and path segments are checked before any handler: a 422 page naming the problem.
 * Form bodies are checked by parseForm (src/http/forms.ts), so each form is shown again with the
 * message on the field and what was typed kept; a body that reaches the database some other way is
 * caught by the error handler (PostgreSQL's refusal of NUL becomes the same 422, never a 500).
 */
export function refuseControlCharactersInUrl(req: Request, res: Response, next: NextFunction): void {
  let path = req.path;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    // express answers a malformed path itself
  }
  if (hasControlCharacter(path) || fieldsWithControlCharacters(req.query).length > 0) {
    render(res, 'errors/4xx', { title: 'We could not do that', message: CONTROL_CHARACTER_MESSAGE, status: 422 }, 422);
    return;
  }
  next();
}
