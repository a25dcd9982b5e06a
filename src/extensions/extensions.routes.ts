import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { formatLocalDate } from '../time';
import { decisionSchema, grantQuerySchema, grantSchema, listFilterSchema, requestSchema } from './extensions.schemas';
import { extensionsService } from './extensions.service';

async function renderRequestPage(ctx: AppContext, req: Request, res: Response, posted?: { values: Record<string, string>; errors: FieldErrors }) {
  const me = currentUser(req);
  const model = await extensionsService.requestPage(ctx.db, me, idParam(req.params.requirementId), me.timeZone, ctx.clock.now());
  render(
    res,
    'extensions/request',
    { title: `Extension · ${model.requirement.title}`, ...model, values: posted?.values ?? { reason: '', proposed_due_on: '' }, errors: posted?.errors ?? {} },
    posted ? 422 : 200,
  );
}

const requestPage = (ctx: AppContext) => async (req: Request, res: Response) => renderRequestPage(ctx, req, res);

const requestExtension = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const values = submittedValues(req.body);
  const form = parseForm(requestSchema, req.body);
  if (!form.ok) return renderRequestPage(ctx, req, res, { values, errors: form.errors });
  const result = await ctx.db.transaction().execute((trx) => extensionsService.request(trx, me, requirementId, form.data, ctx.clock.now()));
  if (!result.ok) return renderRequestPage(ctx, req, res, { values, errors: result.errors });
  const replaced = result.replacedPending ? ' It replaces your earlier request, which was still waiting.' : '';
  flash(res, `Extension requested (to ${formatLocalDate(form.data.proposed_due_on)}). You will get an email when the instructor decides.${replaced}`);
  res.redirect(303, `/portfolios/${requirementId}/extension`);
};

const listPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { status } = listFilterSchema.parse(req.query);
  const model = await extensionsService.list(ctx.db, me, status, me.timeZone);
  render(res, 'extensions/list', { title: 'Extension requests', status, ...model });
};

async function renderDetail(ctx: AppContext, req: Request, res: Response, posted?: { values: Record<string, string>; errors: FieldErrors }) {
  const me = currentUser(req);
  const model = await extensionsService.detail(ctx.db, me, idParam(req.params.extensionId), me.timeZone);
  render(
    res,
    'extensions/decide',
    {
      title: `Extension request · ${model.request.student}`,
      ...model,
      values: posted ? { ...model.defaults, ...posted.values } : model.defaults,
      errors: posted?.errors ?? {},
    },
    posted ? 422 : 200,
  );
}

const detailPage = (ctx: AppContext) => async (req: Request, res: Response) => renderDetail(ctx, req, res);

const decide = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requestId = idParam(req.params.extensionId);
  const values = submittedValues(req.body);
  const form = parseForm(decisionSchema, req.body);
  if (!form.ok) return renderDetail(ctx, req, res, { values, errors: form.errors });
  const result = await ctx.db.transaction().execute((trx) => extensionsService.decide(trx, me, requestId, form.data, ctx.clock.now(), ctx.config.baseUrl));
  if (!result.ok) return renderDetail(ctx, req, res, { values, errors: result.errors });
  flash(res, `${result.status === 'approved' ? 'Approved' : 'Declined'} ${result.student}’s extension request. They are being emailed.`);
  res.redirect(303, '/instructor/extensions');
};

async function renderGrant(ctx: AppContext, req: Request, res: Response, posted?: { values: Record<string, string>; errors: FieldErrors }) {
  const me = currentUser(req);
  const model = await extensionsService.grantPage(ctx.db, me, grantQuerySchema.parse(req.query));
  render(
    res,
    'extensions/grant',
    { title: 'Grant an extension', ...model, values: posted ? { ...model.defaults, ...posted.values } : model.defaults, errors: posted?.errors ?? {} },
    posted ? 422 : 200,
  );
}

const grantPage = (ctx: AppContext) => async (req: Request, res: Response) => renderGrant(ctx, req, res);

const grant = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const values = submittedValues(req.body);
  const form = parseForm(grantSchema, req.body);
  if (!form.ok) return renderGrant(ctx, req, res, { values, errors: form.errors });
  const result = await ctx.db.transaction().execute((trx) => extensionsService.grant(trx, me, form.data, ctx.clock.now(), ctx.config.baseUrl));
  if (!result.ok) return renderGrant(ctx, req, res, { values, errors: result.errors });
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
    handler: requestPage,
    summary: 'Your extension requests for a portfolio, and the request form',
  },
  {
    method: 'post',
    path: '/portfolios/:requirementId/extension',
    access: student,
    handler: requestExtension,
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
    handler: grantPage,
    summary: 'Grant a student an extension without a request (an accommodation, an illness)',
  },
  {
    method: 'post',
    path: '/instructor/extensions/grant',
    access: instructor,
    handler: grant,
    summary: 'Grant an extension with a reason and a new date; emails the student',
  },
  {
    method: 'get',
    path: '/instructor/extensions/:extensionId',
    access: instructor,
    handler: detailPage,
    summary: 'One extension request and the decision form',
  },
  {
    method: 'post',
    path: '/instructor/extensions/:extensionId/decide',
    access: instructor,
    handler: decide,
    summary: 'Approve (possibly with another date) or decline an extension; emails the student',
  },
];
