import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseCache } from '../course/course-cache';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash } from '../http/render';
import type { RouteDef } from '../http/routing';
import { formatDateTime } from '../time';
import { platformFormSchema, platformsOf, registerPlatform, toolUrls } from './platforms';
import { toolJwks } from './tool-keys';

/** GET /lti/jwks: the tool's public keys as a JWK Set (platforms verify the tool's client assertions with it). */
const jwks = (ctx: AppContext) => async (_req: Request, res: Response) => {
  res.set('Cache-Control', 'public, max-age=300');
  res.json(await toolJwks(ctx.db, ctx.clock.now()));
};

/** The instructor's LTI page: the tool's URLs to paste into Studio or Canvas, the registered platforms, and a form to register one. */
const ltiForm = (ctx: AppContext): FormPage => ({
  view: 'lti/index',
  locals: async (req) => {
    const me = currentUser(req);
    const platforms = await platformsOf(ctx.db, me.offeringId);
    return {
      title: 'LTI: launch from edX',
      urls: toolUrls(ctx.config.baseUrl),
      values: {},
      platforms: platforms.map((p) => ({
        issuer: p.issuer,
        clientId: p.client_id,
        authUrl: p.auth_url,
        tokenUrl: p.token_url,
        jwksUrl: p.jwks_url,
        deployments: p.deployments,
        linkedLearners: p.linkedLearners,
        scores: p.scores,
        updated: formatDateTime(p.updated_at, me.timeZone),
      })),
    };
  },
});

/** Registers a platform from the page: the same rules as `npm run lti:register`, for the instructor's own offering. */
const register = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const input = parseForm(platformFormSchema, req.body);
  const slug = (await courseCache.current(ctx.db, me.offeringId)).offering.slug;
  const result = await ctx.db.transaction().execute((trx) => registerPlatform(trx, { ...input, offering: slug }, ctx.clock.now()));
  flash(
    res,
    `${result.created ? 'Registered' : 'Updated'} ${input.issuer} (client id ${input.clientId}); deployment ${input.deploymentId} ${result.deploymentAdded ? 'added' : 'already known'}.`,
  );
  res.redirect(303, '/instructor/lti');
};

export const ltiRoutes: RouteDef[] = [
  { method: 'get', path: '/lti/jwks', access: 'public', sessionless: true, handler: jwks, summary: 'The tool’s public keys (JWK Set)' },
  {
    method: 'get',
    path: '/instructor/lti',
    access: ['instructor'],
    handler: (ctx) => showForm(ltiForm(ctx)),
    summary: 'The LTI tool’s URLs and the registered platforms',
  },
  {
    method: 'post',
    path: '/instructor/lti/platforms',
    access: ['instructor'],
    handler: (ctx) => submitsTo(ltiForm(ctx), register(ctx)),
    summary: 'Register an LTI platform and deployment (as npm run lti:register does)',
  },
];
