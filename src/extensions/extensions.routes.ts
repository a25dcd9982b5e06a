import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { keepDefaults, showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { formatLocalDate } from '../time';
import { decisionSchema, grantQuerySchema, grantSchema, listFilterSchema, requestSchema } from './extensions.schemas';
import { extensionsService } from './extensions.service';

const requestForm = (ctx: AppContext): FormPage => ({
  view: 'extensions/request',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await extensionsService.requestPage(ctx.db, me, idParam(req.params.requirementId), me.timeZone, ctx.clock.now());
    return { title: `Extension · ${model.requirement.title}`, ...model, values: { reason: '', proposed_due_on: '' } };
  },
  fields: { proposedDueOn: 'proposed_due_on' },
});

const requestExtension = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const input = parseForm(requestSchema, req.body);
  const result = await ctx.db.transaction().execute((trx) => extensionsService.request(trx, me, requirementId, input, ctx.clock.now()));
  const replaced = result.replacedPending ? ' It replaces your earlier request, which was still waiting.' : '';
  flash(res, `Extension requested (to ${formatLocalDate(input.proposed_due_on)}). You will get an email when the instructor decides.${replaced}`);
  res.redirect(303, `/portfolios/${requirementId}/extension`);
};

const listPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { status } = listFilterSchema.parse(req.query);
  const model = await extensionsService.list(ctx.db, me, status, me.timeZone);
  render(res, 'extensions/list', { title: 'Extension requests', status, ...model });
};

/** A service's form defaults under the form's HTML names. */
const asFormValues = ({ grantedDueOn, ...rest }: { grantedDueOn: string } & Record<string, string>) => ({ ...rest, granted_due_on: grantedDueOn });

const decideForm = (ctx: AppContext): FormPage => ({
  view: 'extensions/decide',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await extensionsService.detail(ctx.db, me, idParam(req.params.extensionId), me.timeZone);
    return { title: `Extension request · ${model.request.student}`, ...model, values: asFormValues(model.defaults) };
  },
  fields: { grantedDueOn: 'granted_due_on' },
  values: keepDefaults,
});

const decide = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requestId = idParam(req.params.extensionId);
  const input = parseForm(decisionSchema, req.body);
  const result = await ctx.db.transaction().execute((trx) => extensionsService.decide(trx, me, requestId, input, ctx.clock.now(), ctx.config.baseUrl));
  flash(res, `${result.status === 'approved' ? 'Approved' : 'Declined'} ${result.student}’s extension request. They are being emailed.`);
  res.redirect(303, '/instructor/extensions');
};

const grantForm = (ctx: AppContext): FormPage => ({
  view: 'extensions/grant',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await extensionsService.grantPage(ctx.db, me, grantQuerySchema.parse(req.query));
    return { title: 'Grant an extension', ...model, values: asFormValues(model.defaults) };
  },
  fields: { grantedDueOn: 'granted_due_on' },
  values: keepDefaults,
});

const grant = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const input = parseForm(grantSchema, req.body);
  const result = await ctx.db.transaction().execute((trx) => extensionsService.grant(trx, me, input, ctx.clock.now(), ctx.config.baseUrl));
  flash(res, `Granted ${result.student} an extension to ${formatLocalDate(result.on)}. They are being emailed.`);
  res.redirect(303, '/instructor/extensions?status=approved');
};

const student = ['student'] as const;
const instructor = ['instructor'] as const;

export const extensionsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/portfolios/:requirementId/extension',
    access: student,
    handler: (ctx) => showForm(requestForm(ctx)),
    summary: 'Your extension requests for a portfolio, and the request form',
  },
  {
    method: 'post',
    path: '/portfolios/:requirementId/extension',
    access: student,
    handler: (ctx) => submitsTo(requestForm(ctx), requestExtension(ctx)),
    summary: 'Request an extension (reason and proposed date)',
  },
  {
    method: 'get',
    path: '/instructor/extensions',
    access: instructor,
    nav: { label: 'Extensions', order: 180 },
    handler: listPage,
    summary: 'Extension requests (filter by status; pending first)',
  },
  {
    method: 'get',
    path: '/instructor/extensions/grant',
    access: instructor,
    handler: (ctx) => showForm(grantForm(ctx)),
    summary: 'Grant a student an extension without a request (an accommodation, an illness)',
  },
  {
    method: 'post',
    path: '/instructor/extensions/grant',
    access: instructor,
    handler: (ctx) => submitsTo(grantForm(ctx), grant(ctx)),
    summary: 'Grant an extension with a reason and a new date; emails the student',
  },
  {
    method: 'get',
    path: '/instructor/extensions/:extensionId',
    access: instructor,
    handler: (ctx) => showForm(decideForm(ctx)),
    summary: 'One extension request and the decision form',
  },
  {
    method: 'post',
    path: '/instructor/extensions/:extensionId/decide',
    access: instructor,
    handler: (ctx) => submitsTo(decideForm(ctx), decide(ctx)),
    summary: 'Approve (possibly with another date) or decline an extension; emails the student',
  },
];
