import type { NextFunction, Request, Response } from 'express';
import { Forbidden } from '../errors';
import type { Role } from '../roles';
import type { Access } from './routing';

declare global {
  namespace Express {
    interface User {
      id: number;
      email: string;
      name: string;
      role: Role;
      offeringId: number;
      sectionId: number | null;
      timeZone: string;
      /** How dates are written for them (src/time.ts). */
      dateLanguage: string;
    }
  }
}

/** The first authorization step, from the route table. */
export function guard(access: Access) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (access === 'public' || access === 'guest') return next();
    if (!req.user) {
      const nextUrl = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      return res.redirect(303, `/login${nextUrl}`);
    }
    if (access === 'authenticated' || access.includes(req.user.role)) return next();
    next(new Forbidden());
  };
}

export function currentUser(req: Request): Express.User {
  if (!req.user) throw new Forbidden('Please log in.');
  return req.user;
}
