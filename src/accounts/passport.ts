import type { Request } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AppContext } from '../context';
import { sessionPreload } from '../http/session-store';
import { accountsService } from './accounts.service';
import { usersRepository } from './users.repository';

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
