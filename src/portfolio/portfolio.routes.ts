import { LEARNERS } from '../roles';
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { formatDuration } from '../time';
import { portfolioPage } from './portfolio-page';
import { reflectionSchema, submitSchema } from './portfolio.schemas';
import { portfolioService } from './portfolio.service';

const listPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const campus = me.role === 'student';
  const portfolios = await portfolioPage.listModel(ctx.db, me, me.timeZone, ctx.clock.now(), campus);
  render(res, 'portfolio/index', { title: 'Your portfolios', portfolios, campus });
};

const portfolioForm = (ctx: AppContext): FormPage => ({
  view: 'portfolio/show',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await portfolioPage.portfolioModel(ctx.db, me, idParam(req.params.requirementId), me.timeZone, ctx.clock.now(), me.role === 'student');
    return { title: model.requirement.title, ...model, readOnly: null, values: {} };
  },
});

const saveReflection = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const form = parseForm(reflectionSchema, req.body);
  const saved = await ctx.db
    .transaction()
    .execute((trx) => portfolioService.saveReflection(trx, me, requirementId, form.reflection_body, form.base_version, ctx.clock.now()));
  flash(
    res,
    saved.changed ? `Reflection saved (version ${saved.versionNo}). Earlier versions stay readable.` : 'Your reflection has not changed since the last save.',
    saved.changed ? 'success' : 'info',
  );
  res.redirect(303, `/portfolios/${requirementId}#reflection`);
};

const submit = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const { confirm } = submitSchema.parse(req.body);
  const result = await ctx.db.transaction().execute((trx) => portfolioService.submit(trx, me, requirementId, confirm, ctx.clock.now(), ctx.config.baseUrl));
  if (result.status === 'needs_confirmation') {
    const model = await portfolioPage.portfolioModel(ctx.db, me, requirementId, me.timeZone, ctx.clock.now());
    return render(res, 'portfolio/confirm', {
      title: `Submit ${model.requirement.title}?`,
      ...model,
      missing: result.missing.map((m) => ({ label: m.label, fixUrl: m.fixUrl })),
    });
  }
  const completeness = result.isComplete ? 'complete' : `with ${result.missingCount} item${result.missingCount === 1 ? '' : 's'} missing`;
  const late = result.isLate ? ` It is late by ${formatDuration(result.lateBySeconds * 1000)}.` : ' It is on time.';
  flash(res, `Portfolio submitted (${completeness}). What you submitted is frozen; later edits do not change it.${late}`, result.isLate ? 'info' : 'success');
  res.redirect(303, `/portfolios/${requirementId}/submissions/${result.submissionId}`);
};

const reflectionVersions = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await portfolioPage.portfolioModel(ctx.db, me, idParam(req.params.requirementId), me.timeZone, ctx.clock.now());
  render(res, 'portfolio/reflection-versions', { title: `Reflection versions · ${model.requirement.title}`, ...model });
};

const submissionPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await portfolioPage.submissionModel(ctx.db, me, idParam(req.params.requirementId), idParam(req.params.submissionId));
  render(res, 'portfolio/submission', { title: `Submission · ${model.requirement.title}`, ...model });
};

/** The instructor's read-only view of one student's portfolio. */
const studentPortfolio = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const student = await portfolioService.studentOf(ctx.db, me.offeringId, idParam(req.params.userId));
  const model = await portfolioPage.portfolioModel(
    ctx.db,
    { id: student.id, offeringId: student.offering_id },
    idParam(req.params.requirementId),
    me.timeZone,
    ctx.clock.now(),
  );
  render(res, 'portfolio/show', {
    title: `${student.name} · ${model.requirement.title}`,
    ...model,
    readOnly: { studentName: student.name, studentId: student.id },
    values: {},
    errors: {},
  });
};

const student = ['student'] as const;
/** Keeping a portfolio (its page, the reflection) is every learner's; submitting it for a grade is the campus students'. */
const learners = LEARNERS;

export const portfolioRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/portfolios',
    access: learners,
    nav: { label: 'Portfolios', order: 110 },
    handler: listPage,
    summary: 'Your portfolios (one per edX course)',
  },
  {
    method: 'get',
    path: '/portfolios/:requirementId',
    access: learners,
    handler: (ctx) => showForm(portfolioForm(ctx)),
    summary: 'A portfolio: checklist, due date, reflection, submissions',
  },
  {
    method: 'post',
    path: '/portfolios/:requirementId/reflection',
    access: learners,
    handler: (ctx) => submitsTo(portfolioForm(ctx), saveReflection(ctx)),
    summary: 'Save your personal reflection (a new version each time)',
  },
  {
    method: 'get',
    path: '/portfolios/:requirementId/reflection/versions',
    access: learners,
    handler: reflectionVersions,
    summary: 'Every version of your reflection',
  },
  {
    method: 'post',
    path: '/portfolios/:requirementId/submit',
    access: student,
    handler: submit,
    summary: 'Submit a portfolio (frozen snapshot; confirm when incomplete)',
  },
  {
    method: 'get',
    path: '/portfolios/:requirementId/submissions/:submissionId',
    access: 'authenticated',
    handler: submissionPage,
    summary: 'A frozen portfolio submission (its student, or the instructor)',
  },
  {
    method: 'get',
    path: '/instructor/students/:userId/portfolios/:requirementId',
    access: ['instructor'],
    handler: studentPortfolio,
    summary: 'A student’s portfolio, read-only',
  },
];
