import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { localDateOf } from '../time';
import { writeGradebookCsv } from './gradebook.csv';
import { gradebookPage } from './gradebook.service';
import { gradebookQuerySchema, gradeSchema, STATUS_FILTERS, type GradebookQuery } from './grading.schemas';
import { gradingService } from './grading.service';
import { RACKHAM_QUOTE, RACKHAM_SOURCE } from './rackham';

export const STATUS_LABELS: Record<(typeof STATUS_FILTERS)[number], string> = {
  not_submitted: 'Not submitted',
  submitted: 'Submitted on time',
  late: 'Submitted late',
  extension: 'Extension granted',
  ungraded: 'Submitted, not graded',
  S: 'Graded S',
  U: 'Graded U',
};

/** Gradebook links that keep the current filters (paging without JavaScript). */
function gradebookUrl(query: GradebookQuery, path = '/instructor/gradebook') {
  return (changes: Partial<Record<'page', number>> = {}) => {
    const params = new URLSearchParams();
    const merged = { section: query.section, status: query.status, portfolio: query.portfolio, page: null as number | null, ...changes };
    for (const [k, v] of Object.entries(merged)) if (v !== null && v !== undefined && !(k === 'page' && v === 1)) params.set(k, String(v));
    const qs = params.toString();
    return `${path}${qs ? `?${qs}` : ''}`;
  };
}

const gradebook = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = gradebookQuerySchema.parse(req.query);
  const model = await gradebookPage(ctx.db, me.offeringId, query, me.timeZone);
  const url = gradebookUrl(query);
  render(res, 'grading/gradebook', {
    title: 'Gradebook',
    ...model,
    statusLabels: STATUS_LABELS,
    pageUrl: (page: number) => url({ page }),
    csvUrl: gradebookUrl(query, '/instructor/gradebook.csv')(),
  });
};

const gradebookCsv = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = gradebookQuerySchema.parse(req.query);
  res.type('text/csv; charset=utf-8');
  res.attachment(`gradebook-${localDateOf(ctx.clock.now(), me.timeZone)}.csv`);
  await writeGradebookCsv(ctx.db, me.offeringId, query, res);
};

const gradingForm = (ctx: AppContext): FormPage => ({
  view: 'grading/grade',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await gradingService.gradingPage(ctx.db, me, idParam(req.params.submissionId), me.timeZone);
    return {
      title: `Grade · ${model.submission.studentName} · ${model.submission.requirementTitle}`,
      ...model,
      values: { grade: model.grade?.grade ?? '', feedback: model.grade?.feedback ?? '' },
      rackham: RACKHAM_QUOTE,
      rackhamSource: RACKHAM_SOURCE,
    };
  },
});

const recordGrade = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const submissionId = idParam(req.params.submissionId);
  const input = parseForm(gradeSchema, req.body);
  const result = await ctx.db.transaction().execute((trx) => gradingService.recordGrade(trx, me, submissionId, input, ctx.clock.now(), ctx.config.baseUrl));
  if (result.changed) flash(res, `Recorded ${result.grade} for ${result.studentName}. They are being emailed.`);
  else flash(res, 'The grade and feedback are unchanged: nothing was recorded or sent.', 'info');
  res.redirect(303, `/instructor/submissions/${submissionId}/grade`);
};

const feedbackPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await gradingService.feedbackPage(ctx.db, me, idParam(req.params.requirementId), me.timeZone);
  render(res, 'grading/feedback', { title: `Feedback · ${model.requirement.edxCode} portfolio`, ...model });
};

const instructor = ['instructor'] as const;

export const gradingRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/gradebook',
    access: instructor,
    nav: { label: 'Gradebook', order: 170 },
    handler: gradebook,
    summary: 'Gradebook: every student’s portfolios, grades and certificates (filter, paged)',
  },
  {
    method: 'get',
    path: '/instructor/gradebook.csv',
    access: instructor,
    handler: gradebookCsv,
    summary: 'Gradebook as CSV (streamed; formula-injection safe)',
  },
  {
    method: 'get',
    path: '/instructor/submissions/:submissionId/grade',
    access: instructor,
    handler: (ctx) => showForm(gradingForm(ctx)),
    summary: 'Grade a portfolio submission: frozen portfolio, peer assessment, late/extension facts, history',
  },
  {
    method: 'post',
    path: '/instructor/submissions/:submissionId/grade',
    access: instructor,
    handler: (ctx) => submitsTo(gradingForm(ctx), recordGrade(ctx)),
    summary: 'Record S or U with feedback (audit log; emails the student)',
  },
  {
    method: 'get',
    path: '/portfolios/:requirementId/feedback',
    access: ['student'],
    handler: feedbackPage,
    summary: 'Your grade and feedback for a portfolio, and what S/U mean',
  },
];
