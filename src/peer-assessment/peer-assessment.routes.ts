import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import type { Db } from '../db/database';
import { Invalid } from '../errors';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm, submittedValues } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { assessmentSchema, assignSchema, pageQuerySchema, swapSchema } from './peer-assessment.schemas';
import { peerAssessmentService } from './peer-assessment.service';
import { peerAssignmentService, type ActionResult } from './peer-assignment.service';

// ── The instructor's assignment step ────────────────────────────────────────────────────────

const assignmentsForm = (ctx: AppContext): FormPage => ({
  view: 'peer-assessment/assignments',
  locals: async (req, _res, posted) => {
    const me = currentUser(req);
    const requirementId = idParam(req.params.requirementId);
    const { page } = pageQuerySchema.parse(req.query);
    const model = await peerAssignmentService.page(ctx.db, me, requirementId, page, me.timeZone);
    return {
      title: `Peer assignments · ${model.requirement.title}`,
      ...model,
      // The form that comes back with its messages: the swap form, or the assignment run.
      form: posted ? (posted.values.action === 'swap' ? 'swap' : 'assign') : null,
      values: {},
      pageUrl: (n: number) => `/instructor/peer-assignments/${requirementId}${n > 1 ? `?page=${n}` : ''}`,
    };
  },
});

const CHOOSE_AN_ACTION = 'Choose an action: assign, update for roster changes, or swap.';

function assignmentAction(ctx: AppContext, me: Express.User, requirementId: number, body: unknown): (trx: Db) => Promise<ActionResult> {
  const now = ctx.clock.now();
  const action = submittedValues(body).action;
  if (action === 'swap') {
    const input = parseForm(swapSchema, body);
    return (trx) => peerAssignmentService.swap(trx, me, requirementId, input, now);
  }
  if (action === 'reconcile') return (trx) => peerAssignmentService.reconcile(trx, me, requirementId, now);
  if (action === 'assign') {
    const { seed } = parseForm(assignSchema, body);
    return (trx) => peerAssignmentService.assign(trx, me, requirementId, seed, now);
  }
  throw new Invalid(CHOOSE_AN_ACTION, { _form: CHOOSE_AN_ACTION });
}

const changeAssignments = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const requirementId = idParam(req.params.requirementId);
  const action = assignmentAction(ctx, me, requirementId, req.body);
  const result = await ctx.db.transaction().execute(action);
  flash(res, result.message);
  res.redirect(303, `/instructor/peer-assignments/${requirementId}`);
};

// ── Assessors and assessees ─────────────────────────────────────────────────────────────────

const myList = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await peerAssessmentService.myAssessments(ctx.db, me, me.timeZone);
  render(res, 'peer-assessment/index', { title: 'Peer assessment', ...model });
};

const assessmentForm = (ctx: AppContext): FormPage => ({
  view: 'peer-assessment/show',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await peerAssessmentService.assessmentPage(ctx.db, me, idParam(req.params.assignmentId), me.timeZone, ctx.clock.now());
    const title =
      me.role === 'instructor'
        ? `Peer assessment of ${model.assignment.assesseeName} by ${model.assignment.assessorName}`
        : `Peer assessment of ${model.assignment.assesseeName}`;
    return { title, ...model, values: model.answers };
  },
});

const saveAssessment = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const assignmentId = idParam(req.params.assignmentId);
  const input = parseForm(assessmentSchema, req.body);
  const saved = await ctx.db.transaction().execute((trx) => peerAssessmentService.save(trx, me, assignmentId, input, ctx.clock.now(), ctx.config.baseUrl));
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
    handler: (ctx) => showForm(assignmentsForm(ctx)),
    summary: 'Peer assignment for a portfolio: the pairs, roster changes, seed',
  },
  {
    method: 'post',
    path: '/instructor/peer-assignments/:requirementId',
    access: instructor,
    handler: (ctx) => submitsTo(assignmentsForm(ctx), changeAssignments(ctx)),
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
    handler: (ctx) => showForm(assessmentForm(ctx)),
    summary: 'A peer assessment: the assessee’s work and the form (assessor), or read-only (instructor)',
  },
  {
    method: 'post',
    path: '/peer-assessments/:assignmentId',
    access: student,
    handler: (ctx) => submitsTo(assessmentForm(ctx), saveAssessment(ctx)),
    summary: 'Save a draft of, or submit, your peer assessment (a new version each time)',
  },
];
