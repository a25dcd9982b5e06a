import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { assessmentSchema, assignSchema, pageQuerySchema, swapSchema } from './peer-assessment.schemas';
import { peerAssessmentService } from './peer-assessment.service';
import { peerAssignmentService, type ActionResult } from './peer-assignment.service';

type Posted = { values: Record<string, string>; errors: FieldErrors };

// ── The instructor's assignment step ────────────────────────────────────────────────────────

async function renderAssignments(ctx: AppContext, req: Request, res: Response, posted?: Posted & { form: 'assign' | 'swap' }) {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const { page } = pageQuerySchema.parse(req.query);
  const model = await peerAssignmentService.page(ctx.db, me, requirementId, page, me.timeZone);
  render(
    res,
    'peer-assessment/assignments',
    {
      title: `Peer assignments · ${model.requirement.title}`,
      ...model,
      form: posted?.form ?? null,
      values: posted?.values ?? {},
      errors: posted?.errors ?? {},
      pageUrl: (n: number) => `/instructor/peer-assignments/${requirementId}${n > 1 ? `?page=${n}` : ''}`,
    },
    posted ? 422 : 200,
  );
}

const assignmentsPage = (ctx: AppContext) => async (req: Request, res: Response) => renderAssignments(ctx, req, res);

const changeAssignments = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const values = submittedValues(req.body);
  const now = ctx.clock.now();
  let result: ActionResult;
  let form: 'assign' | 'swap' = 'assign';
  if (values.action === 'swap') {
    form = 'swap';
    const parsed = parseForm(swapSchema, req.body);
    if (!parsed.ok) return renderAssignments(ctx, req, res, { values, errors: parsed.errors, form });
    result = await ctx.db.transaction().execute((trx) => peerAssignmentService.swap(trx, me, requirementId, parsed.data, now));
  } else if (values.action === 'reconcile') {
    result = await ctx.db.transaction().execute((trx) => peerAssignmentService.reconcile(trx, me, requirementId, now));
  } else if (values.action === 'assign') {
    const parsed = parseForm(assignSchema, req.body);
    if (!parsed.ok) return renderAssignments(ctx, req, res, { values, errors: parsed.errors, form });
    result = await ctx.db.transaction().execute((trx) => peerAssignmentService.assign(trx, me, requirementId, parsed.data.seed, now));
  } else {
    result = { ok: false, errors: { _form: 'Choose an action: assign, update for roster changes, or swap.' } };
  }
  if (!result.ok) return renderAssignments(ctx, req, res, { values, errors: result.errors, form });
  flash(res, result.message);
  res.redirect(303, `/instructor/peer-assignments/${requirementId}`);
};

// ── Assessors and assessees ─────────────────────────────────────────────────────────────────

const myList = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await peerAssessmentService.myAssessments(ctx.db, me, me.timeZone);
  render(res, 'peer-assessment/index', { title: 'Peer assessment', ...model });
};

async function renderAssessment(ctx: AppContext, req: Request, res: Response, posted?: Posted) {
  const me = currentUser(req);
  const model = await peerAssessmentService.assessmentPage(ctx.db, me, idParam(req.params.assignmentId), me.timeZone, ctx.clock.now());
  const title =
    me.role === 'instructor'
      ? `Peer assessment of ${model.assignment.assesseeName} by ${model.assignment.assessorName}`
      : `Peer assessment of ${model.assignment.assesseeName}`;
  render(res, 'peer-assessment/show', { title, ...model, values: posted?.values ?? model.answers, errors: posted?.errors ?? {} }, posted ? 422 : 200);
}

const assessmentPage = (ctx: AppContext) => async (req: Request, res: Response) => renderAssessment(ctx, req, res);

const saveAssessment = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const assignmentId = idParam(req.params.assignmentId);
  const form = parseForm(assessmentSchema, req.body);
  if (!form.ok) return renderAssessment(ctx, req, res, { values: submittedValues(req.body), errors: form.errors });
  const saved = await ctx.db.transaction().execute((trx) => peerAssessmentService.save(trx, me, assignmentId, form.data, ctx.clock.now()));
  flash(
    res,
    saved.status === 'submitted'
      ? `Peer assessment of ${saved.assesseeName} submitted (version ${saved.versionNo}). ${saved.assesseeName} can read it now.`
      : `Draft saved (version ${saved.versionNo}). ${saved.assesseeName} sees it only once you submit.`,
  );
  res.redirect(303, `/peer-assessments/${assignmentId}`);
};

const receivedPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await peerAssessmentService.received(ctx.db, me, idParam(req.params.requirementId), me.timeZone);
  render(res, 'peer-assessment/received', { title: `Peer assessment of your work · ${model.requirement.title}`, ...model });
};

const student = ['student'] as const;
const instructor = ['instructor'] as const;

export const peerAssessmentRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/peer-assignments/:requirementId',
    access: instructor,
    handler: assignmentsPage,
    summary: 'Peer assignment for a portfolio: the pairs, roster changes, seed',
  },
  {
    method: 'post',
    path: '/instructor/peer-assignments/:requirementId',
    access: instructor,
    handler: changeAssignments,
    summary: 'Run the seeded peer assignment, update it for roster changes, or swap a pair by hand',
  },
  {
    method: 'get',
    path: '/peer-assessments',
    access: student,
    nav: { label: 'Peer assessment', order: 120 },
    handler: myList,
    summary: 'Whom you assess, and the assessments you received',
  },
  {
    method: 'get',
    path: '/peer-assessments/received/:requirementId',
    access: student,
    handler: receivedPage,
    summary: 'The submitted peer assessment of your work for a portfolio',
  },
  {
    method: 'get',
    path: '/peer-assessments/:assignmentId',
    access: 'authenticated',
    handler: assessmentPage,
    summary: 'A peer assessment: the assessee’s work and the form (assessor), or read-only (instructor)',
  },
  {
    method: 'post',
    path: '/peer-assessments/:assignmentId',
    access: student,
    handler: saveAssessment,
    summary: 'Save a draft of, or submit, your peer assessment (a new version each time)',
  },
];
