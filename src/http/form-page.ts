import type { Request, Response } from 'express';
import { Invalid } from '../errors';
import { BadForm, submittedValues, type FieldErrors } from './forms';
import { render } from './render';
import type { Handler } from './routing';

type Locals = Record<string, unknown>;

/** What a form page is shown again with after bad input: messages by HTML field name, and the values to re-fill. */
export interface Posted {
  error: Invalid;
  errors: FieldErrors;
  values: Record<string, string>;
}

/**
 * The page a form lives on, declared once by its route: what a GET shows, and how bad input is
 * shown again. A POST handler wrapped in `submitsTo(page, …)` reads as parse → service →
 * redirect: `parseForm` and services throw `Invalid` (fields in the service's own words), and the
 * one error middleware (src/http/errors.ts) re-renders this page with `errors` keyed by the
 * form's HTML names and the submitted values, with the error's status (422; 409, 410 for its kin).
 */
export interface FormPage {
  view: string;
  /** The page's locals as a GET shows them: title, view model and the form's initial `values` (`posted` when shown again after bad input). */
  locals: (req: Request, res: Response, posted?: Posted) => Promise<Locals> | Locals;
  /** A service's field name → the form's HTML field name (a function when names depend on the request). Unlisted names are already HTML names (zod schemas use them). */
  fields?: Record<string, string> | ((field: string, req: Request) => string);
  /** The values shown again (default: the submitted ones, as typed; `keepDefaults` puts the page's initial values under them). */
  values?: (submitted: Record<string, string>, locals: Locals, req: Request) => Record<string, unknown>;
  /** A service's refusal also shows its message above the form (`_form`), not only by its fields; a BadForm shows its fields alone. */
  summary?: boolean;
  /** Messages of the page's own shape (default: the fields, mapped; the error's message as `_form` when it names no field). */
  errors?: (err: Invalid, mapped: FieldErrors, req: Request) => FieldErrors;
}

/** The declared page of a response, with the route's path parameters (the error middleware runs outside the route, where req.params is empty). */
const declared = new WeakMap<Response, { page: FormPage; params: Request['params'] }>();

/** For `values`: the page's initial values under the submitted ones (for fields a form does not send back). */
export const keepDefaults = (submitted: Record<string, string>, locals: Locals): Record<string, unknown> => ({
  ...(locals.values as Record<string, unknown> | undefined),
  ...submitted,
});

/** The GET handler of a form page: its locals, no errors, 200. */
export function showForm(page: FormPage): Handler {
  return async (req, res) => {
    const locals = await page.locals(req, res);
    render(res, page.view, { errors: {}, ...locals });
  };
}

/** A POST handler (or chain, e.g. an upload's) whose bad input shows `page` again (the error middleware reads the declaration). */
export function submitsTo(page: FormPage, handler: Handler | Handler[]): Handler[] {
  const declare: Handler = (req, res, next) => {
    declared.set(res, { page, params: req.params });
    next();
  };
  return [declare, ...(Array.isArray(handler) ? handler : [handler])];
}

/**
 * The declared form page of this response, once (a failure while re-rendering it falls back to the
 * plain error page), with the route's path parameters put back on `req` for the page's locals.
 */
export function takeFormPage(req: Request, res: Response): FormPage | undefined {
  const found = declared.get(res);
  if (!found) return undefined;
  declared.delete(res);
  req.params = found.params;
  return found.page;
}

/** Renders `page` again for `err`: errors under the form's HTML names, the submitted values, the error's status. */
export async function renderInvalid(page: FormPage, err: Invalid, req: Request, res: Response): Promise<void> {
  const { fields } = page;
  const nameOf = (field: string) => (typeof fields === 'function' ? fields(field, req) : (fields?.[field] ?? field));
  const mapped: FieldErrors = {};
  for (const [field, message] of Object.entries(err.fields)) {
    const name = nameOf(field);
    if (!mapped[name]) mapped[name] = message;
  }
  const errors = page.errors
    ? page.errors(err, mapped, req)
    : !Object.keys(mapped).length || (page.summary && !(err instanceof BadForm))
      ? { _form: err.message, ...mapped }
      : mapped;
  const submitted = submittedValues(req.body);
  const locals = await page.locals(req, res, { error: err, errors, values: submitted });
  const values = page.values ? page.values(submitted, locals, req) : submitted;
  render(res, page.view, { ...locals, errors, values }, err.status);
}
