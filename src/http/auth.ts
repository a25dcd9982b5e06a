import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Role } from '../accounts/accounts.tables';
import { accountsService } from '../accounts/accounts.service';
import { usersRepository } from '../accounts/users.repository';
import type { AppContext } from '../context';
import { Forbidden } from '../errors';
import type { Access } from './routing';
import { sessionPreload } from './session-store';

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
    }
  }
}

/** passport-local with the email/password form; the session keeps only the user id. */
export function configurePassport(ctx: AppContext): passport.PassportStatic {
  const pp = new passport.Passport();
  pp.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      accountsService
        .authenticate(ctx.db, email, password, ctx.clock.now())
        .then((user) => done(null, user ?? false))
        .catch(done);
    }),
  );
  pp.serializeUser((user, done) => done(null, user.id));
  pp.deserializeUser((req: Request, id: number, done: (err: unknown, user?: Express.User | false) => void) => {
    // The session read already joined the (active) user: no second query.
    const preload = sessionPreload(req);
    if (preload) return done(null, preload.user && preload.user.id === id ? preload.user : false);
    usersRepository
      .findById(ctx.db, id)
      .then((u) => done(null, u && !u.deactivated_at ? accountsService.sessionUser(u) : false))
      .catch(done);
  });
  return pp as unknown as passport.PassportStatic;
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
