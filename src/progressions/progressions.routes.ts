import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { firstString, parseForm, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam, recordId } from '../http/params';
import type { RouteDef } from '../http/routing';
import { localDateOf } from '../time';
import { assessmentCsv } from './assessment.csv';
import { assessmentSchema, compareSchema, EVIDENCE_MAX, partnershipSchema } from './progressions.schemas';
import { progressionsService as service, type Viewer } from './progressions.service';
import { INCOMPLETE_IN_DRAFT, NOT_DESCRIBED, NOT_STARTED, rubricModel } from './progressions.views';

// iLEAD Developmental Progressions: the rubric, partnerships and their dated self-assessments.

const viewer = (req: Request): Viewer => {
  const me = currentUser(req);
  return { id: me.id, role: me.role, offeringId: me.offeringId, timeZone: me.timeZone };
};

const queryId = (v: unknown) => {
  const parsed = recordId.optional().safeParse(firstString(v) || undefined);
  return parsed.success ? parsed.data : undefined;
};

const listPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = viewer(req);
  render(res, 'progressions/index', {
    title: 'Developmental Progressions',
    partnerships: await service.listPartnerships(ctx.db, me),
    isInstructor: me.role === 'instructor',
  });
};

const rubricPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const key = typeof req.query.version === 'string' ? req.query.version : undefined;
  const rubric = await service.rubricVersion(ctx.db, key);
  const versions = await service.listVersions(ctx.db);
  render(res, 'progressions/rubric', {
    title: `${rubric.title} (${rubric.label})`,
    rubric: rubricModel(rubric),
    versions,
    currentKey: rubric.key,
    notDescribed: NOT_DESCRIBED,
    incompleteInDraft: INCOMPLETE_IN_DRAFT,
  });
};

async function partnershipFormModel(ctx: AppContext, me: Viewer, partnershipId: number | null, values: Record<string, unknown>, errors: FieldErrors) {
  const selected = new Set((Array.isArray(values.members) ? values.members : values.members ? [values.members] : []).map(String));
  return {
    title: partnershipId ? 'Edit partnership' : 'New partnership',
    partnershipId,
    values,
    errors,
    candidates: (await service.memberCandidates(ctx.db, me)).map((c) => ({ ...c, checked: selected.has(String(c.id)) })),
  };
}

const partnershipIdOf = (req: Request): number | null => (req.params.partnershipId === undefined ? null : idParam(req.params.partnershipId));

/** The new and edit partnership form: the partnership's values, or what was submitted (members as sent). */
const partnershipForm = (ctx: AppContext): FormPage => ({
  view: 'progressions/partnership-form',
  locals: async (req, _res, posted) => {
    const me = viewer(req);
    const partnershipId = partnershipIdOf(req);
    let values: Record<string, unknown> = {};
    if (posted) values = { ...posted.values, members: (req.body as Record<string, unknown>)?.members ?? [] };
    else if (partnershipId !== null) {
      const p = (await service.partnershipPage(ctx.db, me, partnershipId)).partnership;
      values = { name: p.name, ihe: p.ihe, lea: p.lea, members: p.memberIds.map(String) };
    }
    return partnershipFormModel(ctx, me, partnershipId, values, {});
  },
  values: (_submitted, locals) => locals.values as Record<string, unknown>,
});

const savePartnership = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = viewer(req);
  const partnershipId = partnershipIdOf(req);
  if (partnershipId !== null) await service.visiblePartnership(ctx.db, me, partnershipId);
  const input = parseForm(partnershipSchema, req.body);
  const id = await ctx.db.transaction().execute((trx) => service.savePartnership(trx, me, input, ctx.clock.now(), partnershipId ?? undefined));
  flash(res, partnershipId ? 'Partnership saved.' : `Partnership “${input.name}” created.`);
  res.redirect(303, `/progressions/partnerships/${id}`);
};

const partnershipPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const page = await service.partnershipPage(ctx.db, viewer(req), idParam(req.params.partnershipId));
  render(res, 'progressions/partnership', { title: page.partnership.name, ...page, section: 'overview' });
};

function today(ctx: AppContext, me: Viewer): string {
  return localDateOf(ctx.clock.now(), me.timeZone);
}

async function assessmentFormModel(ctx: AppContext, me: Viewer, partnershipId: number, copyFrom: number | undefined) {
  const form = await service.assessmentForm(ctx.db, me, partnershipId, copyFrom);
  return {
    title: `Record an assessment · ${form.partnership.name}`,
    ...form,
    rubric: rubricModel(form.rubric),
    values: { assessedOn: today(ctx, me), ...form.values },
    errors: {} as FieldErrors,
    today: today(ctx, me),
    notStarted: NOT_STARTED,
    evidenceMax: EVIDENCE_MAX,
    section: 'record',
  };
}

const assessmentForm = (ctx: AppContext): FormPage => ({
  view: 'progressions/assessment-form',
  // A blank form, or a copy of the assessment `?from=` names (the form carries the copy's id when posted).
  locals: (req, _res, posted) => assessmentFormModel(ctx, viewer(req), idParam(req.params.partnershipId), posted ? undefined : queryId(req.query.from)),
});

const recordAssessment = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = viewer(req);
  const partnershipId = idParam(req.params.partnershipId);
  const model = await assessmentFormModel(ctx, me, partnershipId, undefined);
  const numbers = model.rubric.groups.flatMap((g) => g.rows.map((o) => o.number));
  const input = parseForm(assessmentSchema(numbers, model.today), req.body);
  const id = await ctx.db.transaction().execute((trx) => service.recordAssessment(trx, me, partnershipId, input, ctx.clock.now()));
  flash(res, 'Assessment recorded.');
  res.redirect(303, `/progressions/assessments/${id}`);
};

const assessmentPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const page = await service.assessmentPage(ctx.db, viewer(req), idParam(req.params.assessmentId));
  render(res, 'progressions/assessment', { title: `${page.partnership.name} · ${page.assessment.assessedOnLabel}`, ...page, section: 'assessment' });
};

const historyPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const page = await service.historyPage(ctx.db, viewer(req), idParam(req.params.partnershipId));
  render(res, 'progressions/history', { title: `Change over time · ${page.partnership.name}`, ...page, section: 'history' });
};

const comparePage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const q = compareSchema.safeParse(req.query);
  const { from, to } = q.success ? q.data : { from: undefined, to: undefined };
  const page = await service.comparisonPage(ctx.db, viewer(req), idParam(req.params.partnershipId), from, to);
  render(res, 'progressions/compare', { title: `Compare assessments · ${page.partnership.name}`, ...page, section: 'compare' });
};

const exportCsv = (ctx: AppContext) => async (req: Request, res: Response) => {
  const { partnership, assessment, rubric, entries } = await service.exportRows(ctx.db, viewer(req), idParam(req.params.assessmentId));
  const slug =
    partnership.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'partnership';
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .attachment(`${slug}-${assessment.assessed_on}.csv`)
    .set('Cache-Control', 'private, no-store')
    .send(assessmentCsv(rubric, entries, assessment.assessed_on));
};

const P = '/progressions/partnerships/:partnershipId';

export const progressionsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/progressions',
    access: 'authenticated',
    nav: { label: 'Progressions', order: 900 },
    handler: listPage,
    summary: 'Developmental Progressions: partnerships the user may see',
  },
  { method: 'get', path: '/progressions/rubric', access: 'authenticated', handler: rubricPage, summary: 'The iLEAD Developmental Progressions rubric' },
  {
    method: 'get',
    path: '/progressions/partnerships/new',
    access: ['instructor'],
    handler: (ctx) => showForm(partnershipForm(ctx)),
    summary: 'New partnership form',
  },
  {
    method: 'post',
    path: '/progressions/partnerships',
    access: ['instructor'],
    handler: (ctx) => submitsTo(partnershipForm(ctx), savePartnership(ctx)),
    summary: 'Create a partnership',
  },
  { method: 'get', path: P, access: 'authenticated', handler: partnershipPage, summary: 'A partnership: members, assessments, latest heat map' },
  {
    method: 'post',
    path: P,
    access: ['instructor'],
    handler: (ctx) => submitsTo(partnershipForm(ctx), savePartnership(ctx)),
    summary: 'Update a partnership and its members',
  },
  { method: 'get', path: `${P}/edit`, access: ['instructor'], handler: (ctx) => showForm(partnershipForm(ctx)), summary: 'Edit partnership form' },
  {
    method: 'get',
    path: `${P}/assessments/new`,
    access: 'authenticated',
    handler: (ctx) => showForm(assessmentForm(ctx)),
    summary: 'Assessment form (blank or a copy)',
  },
  {
    method: 'post',
    path: `${P}/assessments`,
    access: 'authenticated',
    handler: (ctx) => submitsTo(assessmentForm(ctx), recordAssessment(ctx)),
    summary: 'Record a dated assessment',
  },
  { method: 'get', path: `${P}/history`, access: 'authenticated', handler: historyPage, summary: 'Change over time per objective (SVG)' },
  { method: 'get', path: `${P}/compare`, access: 'authenticated', handler: comparePage, summary: 'Compare two assessments' },
  { method: 'get', path: '/progressions/assessments/:assessmentId', access: 'authenticated', handler: assessmentPage, summary: 'An assessment as a heat map' },
  { method: 'get', path: '/progressions/assessments/:assessmentId/export.csv', access: 'authenticated', handler: exportCsv, summary: 'An assessment as CSV' },
];
