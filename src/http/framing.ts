import type { NextFunction, Request, Response } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** Set when an LTI launch signed this session in inside a platform's iframe: the origins that may frame its pages. */
    frameAncestors?: string[];
  }
}

/**
 * Pages are never framed (CSP `frame-ancestors 'none'`, set for every response in app.ts) except
 * where a platform launches the tool in its iframe (LTI, src/lti/): those responses name the
 * platform's origins here. `formAction` adds the origin a page's form posts to (a Deep Linking
 * response goes back to the platform). Both rewrite the one CSP header helmet set.
 */
export function allowFraming(res: Response, ancestors: readonly string[], opts: { formAction?: readonly string[] } = {}): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string') return;
  let next = csp.replace(/frame-ancestors [^;]*/, `frame-ancestors 'self' ${ancestors.join(' ')}`.trim());
  if (opts.formAction?.length) next = next.replace(/form-action [^;]*/, `form-action 'self' ${opts.formAction.join(' ')}`);
  res.setHeader('Content-Security-Policy', next);
  res.removeHeader('X-Frame-Options');
}

/** A session signed in by an LTI launch inside a platform's iframe: its pages may be framed by that platform. */
export function framingOfSession(req: Request, res: Response, next: NextFunction): void {
  const ancestors = req.session?.frameAncestors;
  if (ancestors?.length) allowFraming(res, ancestors);
  next();
}
