import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { AppError } from '../errors';

/**
 * Synchronizer-token CSRF protection (csrf-sync): the token lives in the session and every
 * state-changing form posts it as `_csrf`. Multipart forms are checked after the upload parser.
 */
const { generateToken, isRequestValid } = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    const v = Array.isArray(fromBody) ? fromBody[0] : fromBody;
    return typeof v === 'string' ? v : (req.get('x-csrf-token') ?? undefined);
  },
});

export class CsrfError extends AppError {
  constructor() {
    super('This form has expired or did not come from this site. Go back, reload the page and try again.', 403);
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isMultipart(req: Request): boolean {
  return (req.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * The routes exempt, each posted from another site with no session of ours and authorized by a
 * secret it carries instead:
 * - RFC 8058 one-click unsubscribe, POSTed by a mail provider: its signed URL (src/mail/unsubscribe.ts)
 *   is the authority, and it can only turn an email off;
 * - the LTI 1.3 endpoints (src/lti/launch.routes.ts), posted from the platform's page or iframe where
 *   no cookie of ours can be relied on: each is authorized by a single-use server-side secret (the
 *   OIDC state, a pending-link token, a hand-off code, a deep linking token).
 */
const crossSitePosts = [/^\/unsubscribe\/[^/]+$/, /^\/lti\/(login|launch|open|link|deep-link)$/];

export function isCsrfExempt(method: string, path: string): boolean {
  return method.toUpperCase() === 'POST' && crossSitePosts.some((p) => p.test(path));
}

/** Global: checks url-encoded posts; multipart requests are left to `verifyCsrfAfterUpload`. */
export function csrfProtection(req: Request, _res: Response, next: NextFunction): void {
  if (safeMethods.has(req.method) || isMultipart(req)) return next();
  if (isCsrfExempt(req.method, req.path)) return next();
  if (!isRequestValid(req)) return next(new CsrfError());
  next();
}

export function verifyCsrfAfterUpload(req: Request, _res: Response, next: NextFunction): void {
  if (!isRequestValid(req)) return next(new CsrfError());
  next();
}

export function csrfToken(req: Request): string {
  return generateToken(req);
}
