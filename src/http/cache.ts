import type { NextFunction, Request, Response } from 'express';

/**
 * Everything served by the app's routes is private by default: pages, CSVs and files shown behind
 * a session, and the token pages (set-password, email confirmation) must never sit in a shared or
 * browser cache. A route that may be cached (the calendar feed) sets its own Cache-Control.
 */
export function noStoreByDefault(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}
