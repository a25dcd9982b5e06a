import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { describeConnectionError, isConnectionError } from '../db/connection-errors';
import { AppError, Invalid, StaleEdit } from '../errors';
import { renderInvalid, takeFormPage } from './form-page';
import { render } from './render';
import { staleEditModel } from './stale-edit';
import { CONTROL_CHARACTER_MESSAGE } from './text-hygiene';

/** PostgreSQL's refusals of text it cannot store (NUL in text or jsonb): the sender's input, not our fault. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

const RETRY_AFTER_SECONDS = 5;

export function notFound(_req: Request, res: Response): void {
  render(res, 'errors/404', { title: 'Page not found' }, 404);
}

/**
 * One place maps errors to pages. Operational errors (AppError) show their message with their
 * status; anything else is logged with a request id and shown as a plain 500 page, never a stack.
 * Body-parser errors (malformed or oversized forms) are the client's fault: 400/413. A lost
 * database connection (src/db/connection-errors.ts) is a 503 with Retry-After, logged in one line.
 */
export function errorHandler(ctx: AppContext) {
  const handle = (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    let status = 500;
    let message = 'Something went wrong on our side. It has been logged; please try again.';
    const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
    const databaseAway = isConnectionError(err);
    if (err instanceof AppError) {
      status = err.status;
      message = err.message;
    } else if (UNSTORABLE_TEXT.has(String((err as { code?: unknown }).code))) {
      status = 422;
      message = CONTROL_CHARACTER_MESSAGE;
    } else if (databaseAway) {
      // Operational, not a bug: the database restarted or dropped this connection. Try again shortly.
      status = 503;
      message = 'The database is not reachable at the moment. Please try again in a few seconds.';
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    } else if (typeof (e.status ?? e.statusCode) === 'number' && (e.status ?? e.statusCode)! >= 400 && (e.status ?? e.statusCode)! < 500) {
      status = (e.status ?? e.statusCode)!;
      message =
        e.type === 'entity.too.large'
          ? 'That form is too large to send.'
          : status === 403
            ? 'This form has expired or did not come from this site. Go back, reload the page and try again.'
            : 'That request could not be read. Please check the form and try again.';
    }
    const requestId = crypto.randomUUID();
    if (databaseAway) ctx.log('error', `[${requestId}] ${req.method} ${req.originalUrl}: database unavailable: ${describeConnectionError(err)}`);
    else if (err instanceof AppError && err.advice !== undefined) ctx.log('info', `[${requestId}] ${req.method} ${req.path} refused (${status}): ${message}`);
    else if (status >= 500) ctx.log('error', `[${requestId}] ${req.method} ${req.originalUrl}: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) return;
    const fields = err instanceof Invalid ? err.fields : {};
    if (req.accepts(['html', 'json']) === 'json' && !req.accepts('html')) {
      res.status(status).json({ error: message, fields, requestId: status >= 500 ? requestId : undefined });
      return;
    }
    // Errors can happen before the locals middleware ran: give the layout what it needs.
    const defaults = { currentUser: req.user ?? null, csrfToken: '', flash: [], currentPath: req.path, clockPinned: false, errors: {}, values: {} };
    for (const [k, v] of Object.entries(defaults)) if (res.locals[k] === undefined) res.locals[k] = v;
    const formPage = takeFormPage(req, res);
    if (err instanceof Invalid && formPage) {
      // Bad input to a form (src/http/form-page.ts): the route's page again, with its errors and the submitted values.
      renderInvalid(formPage, err, req, res).catch((renderErr: unknown) => handle(renderErr, req, res, next));
      return;
    }
    if (err instanceof StaleEdit) {
      // A save from a stale page: show both texts and let the person save knowingly (src/versions.ts).
      return render(res, 'errors/stale-edit', staleEditModel(err, req, req.user?.timeZone ?? 'UTC'), status, (renderErr) => {
        ctx.log('error', `[${requestId}] conflict page failed: ${renderErr.stack ?? renderErr.message}`);
        res.status(status).type('text').send(message);
      });
    }
    render(
      res,
      status >= 500 && !(err instanceof AppError && err.advice) ? 'errors/500' : 'errors/4xx',
      {
        title: status === 503 ? 'Temporarily unavailable' : status >= 500 ? 'Something went wrong' : 'We could not do that',
        message,
        advice: err instanceof AppError ? err.advice : undefined,
        status,
        requestId,
      },
      status,
      (renderErr) => {
        ctx.log('error', `[${requestId}] error page failed: ${renderErr.stack ?? renderErr.message}`);
        res.status(status).type('text').send(message);
      },
    );
  };
  return handle;
}
