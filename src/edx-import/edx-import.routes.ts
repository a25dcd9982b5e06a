import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { Invalid, NotFound } from '../errors';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm, submittedValues } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { readDelimitedUpload } from '../http/text-upload';
import { singleUpload } from '../http/uploads';
import { formatDate, formatDateTime } from '../time';
import { edxImportRepository as repo } from './edx-import.repository';
import { linkSchema, MAX_REPORT_BYTES, uploadSchema } from './edx-import.schemas';
import { edxImportService, UNMATCHED_KEPT, type UnmatchedRow } from './edx-import.service';

/** The edX grade report import: the upload page and its log, one import's result (with its
 * unmatched learners, each linkable to a student), and the link action. */
const instructor = ['instructor'] as const;

/** The upload page: the courses, with when each was last imported, and the import log. */
const indexForm = (ctx: AppContext): FormPage => ({
  view: 'edx-import/index',
  locals: async (req) => {
    const me = currentUser(req);
    const [courses, latest, log] = await Promise.all([
      courseRepository.edxCourses(ctx.db, me.offeringId),
      repo.latestImports(ctx.db, me.offeringId),
      repo.imports(ctx.db, me.offeringId, 20),
    ]);
    const latestOf = new Map(latest.map((l) => [l.edx_course_id, new Date(l.imported_at as unknown as string | Date)]));
    return {
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
      reportErrors: [],
      values: {},
    };
  },
  fields: { file: 'report' },
});

const upload = (ctx: AppContext) =>
  submitsTo(indexForm(ctx), [
    ...singleUpload('report', MAX_REPORT_BYTES),
    async (req: Request, res: Response) => {
      const me = currentUser(req);
      const file = req.file && req.file.size > 0 ? req.file : null;
      const form = parseForm(uploadSchema, { ...req.body, report: file ? 'attached' : '' });
      const read = readDelimitedUpload(file!.buffer);
      if (!read.ok) throw new Invalid(read.message, { report: read.message });
      const outcome = await ctx.db.transaction().execute((trx) =>
        edxImportService.importReport(trx, {
          offeringId: me.offeringId,
          edxCourseId: form.edxCourseId,
          importedBy: me.id,
          fileName: file!.originalname || 'grade report.csv',
          text: read.value.text,
          delimiter: read.value.delimiter,
          now: ctx.clock.now(),
        }),
      );
      if (!outcome.ok) {
        // The report's own problems, line by line: a table on the page, not messages by the form's fields.
        const page = await indexForm(ctx).locals(req, res);
        return render(res, 'edx-import/index', { ...page, errors: {}, reportErrors: outcome.errors, values: submittedValues(req.body) }, 422);
      }
      flash(res, 'The edX grade report was imported.');
      res.redirect(303, `/instructor/edx-import/imports/${outcome.importId}`);
    },
  ]);

const NO_SUCH_IMPORT = 'There is no such import.';

const importForm = (ctx: AppContext): FormPage => ({
  view: 'edx-import/import',
  locals: async (req) => {
    const me = currentUser(req);
    const log = await repo.importById(ctx.db, me.offeringId, idParam(req.params.importId, NO_SUCH_IMPORT));
    if (!log) throw new NotFound(NO_SUCH_IMPORT);
    const people = await repo.people(ctx.db, me.offeringId);
    const unmatched = (Array.isArray(log.unmatched_rows) ? log.unmatched_rows : []) as UnmatchedRow[];
    return {
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
      values: {},
    };
  },
});

const link = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const importId = idParam(req.params.importId, NO_SUCH_IMPORT);
  if (!(await repo.importById(ctx.db, me.offeringId, importId))) throw new NotFound(NO_SUCH_IMPORT);
  const input = parseForm(linkSchema, req.body);
  const linked = await ctx.db.transaction().execute((trx) =>
    edxImportService.linkAccount(trx, {
      offeringId: me.offeringId,
      userId: input.userId,
      username: input.username,
      by: me.id,
      now: ctx.clock.now(),
    }),
  );
  flash(
    res,
    `Linked the edX learner ${input.username} to ${linked.studentName}. Upload the report again to record their edX progress: re-importing the same file changes nothing else.`,
  );
  res.redirect(303, `/instructor/edx-import/imports/${importId}`);
};

export const edxImportRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/edx-import',
    access: instructor,
    nav: { label: 'edX progress', order: 140 },
    handler: (ctx) => showForm(indexForm(ctx)),
    summary: 'edX grade report import: upload form and import log',
  },
  { method: 'post', path: '/instructor/edx-import', access: instructor, multipart: true, handler: upload, summary: 'Import an edX grade report CSV' },
  {
    method: 'get',
    path: '/instructor/edx-import/imports/:importId',
    access: instructor,
    handler: (ctx) => showForm(importForm(ctx)),
    summary: 'One edX import: counts and unmatched learners',
  },
  {
    method: 'post',
    path: '/instructor/edx-import/imports/:importId/link',
    access: instructor,
    handler: (ctx) => submitsTo(importForm(ctx), link(ctx)),
    summary: 'Link an unmatched edX learner to a student',
  },
];
