import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { Invalid, NotFound } from '../errors';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { readDelimitedUpload } from '../http/text-upload';
import { singleUpload } from '../http/uploads';
import { formatDate, formatDateTime } from '../time';
import { edxImportRepository as repo } from './edx-import.repository';
import { linkSchema, MAX_REPORT_BYTES, uploadSchema } from './edx-import.schemas';
import { edxImportService, UNMATCHED_KEPT, type UnmatchedRow } from './edx-import.service';
import type { ReportError } from './grade-report';

/** The edX grade report import: the upload page and its log, one import's result (with its
 * unmatched learners, each linkable to a student), and the link action. */
const instructor = ['instructor'] as const;

async function renderIndex(
  ctx: AppContext,
  req: Request,
  res: Response,
  opts: { errors?: FieldErrors; reportErrors?: ReportError[]; values?: Record<string, string> } = {},
) {
  const me = currentUser(req);
  const [courses, latest, log] = await Promise.all([
    courseRepository.edxCourses(ctx.db, me.offeringId),
    repo.latestImports(ctx.db, me.offeringId),
    repo.imports(ctx.db, me.offeringId, 20),
  ]);
  const latestOf = new Map(latest.map((l) => [l.edx_course_id, new Date(l.imported_at as unknown as string | Date)]));
  const failed = Boolean(opts.reportErrors?.length || Object.keys(opts.errors ?? {}).length);
  render(
    res,
    'edx-import/index',
    {
      title: 'edX progress import',
      courses: courses.map((c) => {
        const at = latestOf.get(c.id);
        return { id: c.id, code: c.code, title: c.title, importedOn: at ? formatDate(at, me.timeZone) : null };
      }),
      log: log.map((i) => ({
        url: `/instructor/edx-import/imports/${i.id}`,
        when: formatDateTime(i.imported_at, me.timeZone),
        code: i.edx_code,
        fileName: i.file_name,
        by: i.imported_by_name,
        learners: i.learner_rows,
        matched: i.matched,
        unmatched: i.unmatched,
      })),
      errors: opts.errors ?? {},
      reportErrors: opts.reportErrors ?? [],
      values: opts.values ?? {},
    },
    failed ? 422 : 200,
  );
}

const indexPage = (ctx: AppContext) => (req: Request, res: Response) => renderIndex(ctx, req, res);

const upload = (ctx: AppContext) => [
  ...singleUpload('report', MAX_REPORT_BYTES),
  async (req: Request, res: Response) => {
    const me = currentUser(req);
    const values = submittedValues(req.body);
    const form = parseForm(uploadSchema, req.body);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    if (!req.file || req.file.size === 0) errors.report = 'Choose the grade report CSV file downloaded from edX.';
    if (!form.ok || errors.report) return renderIndex(ctx, req, res, { errors, values });
    const read = readDelimitedUpload(req.file!.buffer);
    if (!read.ok) return renderIndex(ctx, req, res, { errors: { report: read.message }, values });
    const outcome = await ctx.db.transaction().execute((trx) =>
      edxImportService.importReport(trx, {
        offeringId: me.offeringId,
        edxCourseId: form.data.edxCourseId,
        importedBy: me.id,
        fileName: req.file!.originalname || 'grade report.csv',
        text: read.value.text,
        delimiter: read.value.delimiter,
        now: ctx.clock.now(),
      }),
    );
    if (!outcome.ok) return renderIndex(ctx, req, res, { reportErrors: outcome.errors, values });
    flash(res, 'The edX grade report was imported.');
    res.redirect(303, `/instructor/edx-import/imports/${outcome.importId}`);
  },
];

const NO_SUCH_IMPORT = 'There is no such import.';

async function renderImport(ctx: AppContext, req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, string> = {}) {
  const me = currentUser(req);
  const log = await repo.importById(ctx.db, me.offeringId, idParam(req.params.importId, NO_SUCH_IMPORT));
  if (!log) throw new NotFound(NO_SUCH_IMPORT);
  const people = await repo.people(ctx.db, me.offeringId);
  const unmatched = (Array.isArray(log.unmatched_rows) ? log.unmatched_rows : []) as UnmatchedRow[];
  render(
    res,
    'edx-import/import',
    {
      title: `edX import · ${log.edx_code}`,
      log: {
        id: log.id,
        code: log.edx_code,
        courseId: log.edx_course_id,
        title: log.edx_title,
        when: formatDateTime(log.imported_at, me.timeZone),
        by: log.imported_by_name,
        fileName: log.file_name,
        learners: log.learner_rows,
        matched: log.matched,
        matchedByUsername: log.matched_by_username,
        unmatched: log.unmatched,
        subsections: log.subsection_columns,
        progressRows: log.progress_rows,
      },
      unmatched: unmatched.map((u) => ({ ...u, linkable: Boolean(u.username) && !u.reason.startsWith('Course staff') })),
      unmatchedHidden: Math.max(0, log.unmatched - Math.min(unmatched.length, UNMATCHED_KEPT)),
      students: people
        .filter((p) => p.role === 'student' && !p.deactivated_at)
        .map((p) => ({ id: p.id, label: `${p.name} (${p.section ?? 'no section'})${p.username ? ` · edX ${p.username}` : ''}` })),
      errors,
      values,
    },
    Object.keys(errors).length ? 422 : 200,
  );
}

const importPage = (ctx: AppContext) => (req: Request, res: Response) => renderImport(ctx, req, res);

const link = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const importId = idParam(req.params.importId, NO_SUCH_IMPORT);
  if (!(await repo.importById(ctx.db, me.offeringId, importId))) throw new NotFound(NO_SUCH_IMPORT);
  const values = submittedValues(req.body);
  const form = parseForm(linkSchema, req.body);
  if (!form.ok) return renderImport(ctx, req, res, form.errors, values);
  let linked: { studentName: string };
  try {
    linked = await ctx.db.transaction().execute((trx) =>
      edxImportService.linkAccount(trx, {
        offeringId: me.offeringId,
        userId: form.data.userId,
        username: form.data.username,
        by: me.id,
        now: ctx.clock.now(),
      }),
    );
  } catch (err) {
    if (err instanceof Invalid) return renderImport(ctx, req, res, { ...err.fields }, values);
    throw err;
  }
  flash(
    res,
    `Linked the edX learner ${form.data.username} to ${linked.studentName}. Upload the report again to record their edX progress: re-importing the same file changes nothing else.`,
  );
  res.redirect(303, `/instructor/edx-import/imports/${importId}`);
};

export const edxImportRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/edx-import',
    access: instructor,
    nav: { label: 'edX progress', order: 140 },
    handler: indexPage,
    summary: 'edX grade report import: upload form and import log',
  },
  { method: 'post', path: '/instructor/edx-import', access: instructor, multipart: true, handler: upload, summary: 'Import an edX grade report CSV' },
  {
    method: 'get',
    path: '/instructor/edx-import/imports/:importId',
    access: instructor,
    handler: importPage,
    summary: 'One edX import: counts and unmatched learners',
  },
  {
    method: 'post',
    path: '/instructor/edx-import/imports/:importId/link',
    access: instructor,
    handler: link,
    summary: 'Link an unmatched edX learner to a student',
  },
];
