import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { formatDateTime } from '../time';
import { platformsOf, toolUrls } from './platforms';
import { toolJwks } from './tool-keys';

/** GET /lti/jwks: the tool's public keys as a JWK Set (platforms verify the tool's client assertions with it). */
const jwks = (ctx: AppContext) => async (_req: Request, res: Response) => {
  res.set('Cache-Control', 'public, max-age=300');
  res.json(await toolJwks(ctx.db, ctx.clock.now()));
};

/** The instructor's LTI page: the tool's URLs to paste into Studio or Canvas, and the registered platforms. */
const ltiPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const platforms = await platformsOf(ctx.db, me.offeringId);
  render(res, 'lti/index', {
    title: 'LTI: launch from edX',
    urls: toolUrls(ctx.config.baseUrl),
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
  });
};

export const ltiRoutes: RouteDef[] = [
  { method: 'get', path: '/lti/jwks', access: 'public', sessionless: true, handler: jwks, summary: 'The tool’s public keys (JWK Set)' },
  { method: 'get', path: '/instructor/lti', access: ['instructor'], handler: ltiPage, summary: 'The LTI tool’s URLs and the registered platforms' },
];
