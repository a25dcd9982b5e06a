import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RouteDef } from './routing';
import { refuseMultipart } from './uploads';

/** For routes with a secret in the URL: the token never leaves in a Referer header. */
function noReferrer(_req: Request, res: Response, next: NextFunction): void {
  res.set('Referrer-Policy', 'no-referrer');
  next();
}

/**
 * What the route table's flags do, as middleware around the access guard. `secretUrl`: the
 * response (a redirect by the guard included) says Referrer-Policy: no-referrer. A POST without
 * `multipart` refuses a multipart body with 415 (after the access check, so who may call it
 * is answered first): only upload routes parse one and check its CSRF token.
 */
export function flagMiddleware(route: RouteDef): { beforeGuard: RequestHandler[]; afterGuard: RequestHandler[] } {
  return {
    beforeGuard: route.secretUrl ? [noReferrer] : [],
    afterGuard: route.method === 'post' && !route.multipart ? [refuseMultipart] : [],
  };
}
