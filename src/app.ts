import { withDateLanguage } from './time';
import express from 'express';
import helmet from 'helmet';
import type passport from 'passport';
import type { AppContext } from './context';
import { configurePassport } from './accounts/passport';
import { guard } from './http/auth';
import { noStoreByDefault } from './http/cache';
import { csrfProtection } from './http/csrf';
import { errorHandler, notFound } from './http/errors';
import { locals } from './http/locals';
import { inboxService } from './inbox/inbox.service';
import { navMenus } from './http/nav';
import { refuseControlCharactersInUrl } from './http/text-hygiene';
import { routeTable } from './http/route-table';
import type { Handler, RouteDef } from './http/routing';
import { PostgresSessionStore, sessionPreload, type PreloadCounts } from './http/session-store';
import { knownVersions } from './db/known-versions';
import { viewHelpers } from './http/view-helpers';
import { publicDir, viewsDir } from './paths';
import { mountBareCeiling, mountBenchRoutes } from './http/bench-routes';
import { flagMiddleware } from './http/route-flags';
import { framingOfSession } from './http/framing';

/** Builds the express app (no listen): the server and the tests both use it. */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  // Views include partials by their path from views/ ('/kit/field'): ejs resolves those against this
  // root directly, where a relative include costs a filesystem check on every render (issue 19).
  app.set('view options', { root: viewsDir });
  app.set('trust proxy', ctx.config.trustProxy);
  app.disable('x-powered-by');
  // Pages are never cached (Cache-Control: no-store, src/http/cache.ts), so express's ETag — a SHA-1
  // of every body — bought nothing; the calendar feed sets its own, static files theirs (issue 19).
  app.set('etag', false);
  app.locals.h = viewHelpers;
  if (ctx.config.NODE_ENV === 'production') app.enable('view cache');
  if (ctx.config.BENCH_ROUTES === 'on') mountBareCeiling(app, () => ctx.clock.now());

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          upgradeInsecureRequests: ctx.config.httpsOnly ? [] : null,
        },
      },
      strictTransportSecurity: ctx.config.httpsOnly,
    }),
  );
  app.use('/static', express.static(publicDir, { maxAge: ctx.config.NODE_ENV === 'production' ? '1d' : 0 }));
  app.use(noStoreByDefault);
  const pp = configurePassport(ctx);
  const routes = routeTable(() => pp as passport.PassportStatic);
  const mount = (route: RouteDef) => {
    const built = route.handler(ctx);
    const handlers = (Array.isArray(built) ? built : [built]) as Handler[];
    const { beforeGuard, afterGuard } = flagMiddleware(route);
    app[route.method](route.path, ...beforeGuard, guard(route.access), ...afterGuard, ...(handlers as express.RequestHandler[]));
  };
  // Probes answer before any session is read: /healthz stays up while the database is away.
  for (const route of routes) if (route.sessionless && route.access === 'public') mount(route);
  app.use(express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 500 }));
  const sessions = new PostgresSessionStore(ctx.db, undefined, menuCounts, ctx.config.SESSION_HOLD_MS);
  app.use(
    sessions.middleware({
      name: 'cc.sid',
      secret: ctx.config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.config.httpsOnly,
        maxAge: 1000 * 60 * 60 * 24 * 14,
      },
    }),
  );
  app.use(pp.initialize());
  app.use(pp.session());
  app.use(framingOfSession);
  // A page view (GET/HEAD) uses the course data version read with its session: one query fewer.
  app.use((req, _res, next) => {
    const version = req.method === 'GET' || req.method === 'HEAD' ? sessionPreload(req)?.courseVersion : null;
    if (version === null || version === undefined) return next();
    knownVersions.run(ctx.db, version, next);
  });
  // Dates on this request are written in the signed-in person's language of dates (src/time.ts).
  app.use((req, _res, next) => withDateLanguage(req.user?.dateLanguage, next));
  app.use(locals(ctx, navMenus(routes)));
  app.use(refuseControlCharactersInUrl);
  app.use(csrfProtection);

  for (const route of routes) if (!(route.sessionless && route.access === 'public')) mount(route);

  if (ctx.config.BENCH_ROUTES === 'on') mountBenchRoutes(app);

  app.use(notFound);
  app.use(errorHandler(ctx));
  return app;
}

/** The student's menu shows how many inbox items are unread: selected by the session read itself (no query of its own). */
const menuCounts: PreloadCounts = { '/inbox': (db, user) => inboxService.unreadCountExpression(db, user) };
