import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RouteDef } from './routing';
import { refuseMultipart } from './uploads';
import { forgetHeldSession } from './session-store';

/** For routes with a secret in the URL: the token never leaves in a Referer header. */
function noReferrer(_req: Request, res: Response, next: NextFunction): void {
  res.set('Referrer-Policy', 'no-referrer');
  next();
}

/** For page views that change a menu count: the session's held read is dropped now and when the response is done. */
function freshSessionAfter(req: Request, res: Response, next: NextFunction): void {
  forgetHeldSession(req);
  res.on('finish', () => forgetHeldSession(req));
  next();
}

/**
 * What the route table's flags do, as middleware around the access guard. `changesMenuCounts`:
 * the next page view reads the session afresh. `secretUrl`: the
 * response (a redirect by the guard included) says Referrer-Policy: no-referrer. A POST without
 * `multipart` refuses a multipart body with 415 (after the access check, so who may call it
 * is answered first): only upload routes parse one and check its CSRF token.
 */
export function flagMiddleware(route: RouteDef): { beforeGuard: RequestHandler[]; afterGuard: RequestHandler[] } {
  return {
    beforeGuard: [...(route.secretUrl ? [noReferrer] : []), ...(route.changesMenuCounts ? [freshSessionAfter] : [])],
    afterGuard: route.method === 'post' && !route.multipart ? [refuseMultipart] : [],
  };
}
