import type { Request, Response } from 'express';
import { joinLinkSchema } from '../community/community.schemas';
import { communityService } from '../community/community.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { idParam } from '../http/params';
import { flash } from '../http/render';
import type { RouteDef } from '../http/routing';
import { rosterPageModel } from './roster.routes';

/** The roster page's community section: making and turning off join links (src/community/ owns them). */
/** The roster page with the join-link form shown again after bad input. */
const rosterForm = (ctx: AppContext): FormPage => ({
  view: 'roster/index',
  locals: async (req) => ({ ...(await rosterPageModel(ctx, currentUser(req))), csv: '', result: null }),
  fields: { expiresOn: 'expiresOn', maxUses: 'maxUses', label: 'label' },
});

const createLink = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const input = parseForm(joinLinkSchema, req.body);
  const link = await ctx.db.transaction().execute((trx) =>
    communityService.createLink(trx, {
      offeringId: me.offeringId,
      by: me.id,
      label: input.label,
      maxUses: input.maxUses ?? null,
      expiresOn: input.expiresOn ?? null,
      zone: me.timeZone,
      now: ctx.clock.now(),
    }),
  );
  flash(res, `Join link ready: ${ctx.config.baseUrl}/join/${link.code}. Share it with the community.`);
  res.redirect(303, '/instructor/roster#community');
};

const revokeLink = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const linkId = idParam(req.params.linkId, 'There is no such join link.');
  await ctx.db.transaction().execute((trx) => communityService.revokeLink(trx, me.offeringId, linkId, ctx.clock.now()));
  flash(res, 'The join link is turned off: nobody can join through it any more. People who joined keep their accounts.');
  res.redirect(303, '/instructor/roster#community');
};

const instructor = ['instructor'] as const;

export const joinLinksRoutes: RouteDef[] = [
  {
    method: 'post',
    path: '/instructor/roster/join-links',
    access: instructor,
    handler: (ctx) => submitsTo(rosterForm(ctx), createLink(ctx)),
    summary: 'Make a join link for the community',
  },
  { method: 'post', path: '/instructor/roster/join-links/:linkId/revoke', access: instructor, handler: revokeLink, summary: 'Turn off a join link' },
];
