import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { DELIMITER_NAMES, readDelimitedPaste, readDelimitedUpload, type Delimiter, type DelimitedText } from '../http/text-upload';
import { singleUpload } from '../http/uploads';
import { formatDateTime } from '../time';
import type { RosterImport } from './roster-import.repository';
import { importSchema } from './roster-import.schemas';
import { rosterImportService } from './roster-import.service';
import { rosterPageModel } from './roster.routes';
import type { RosterPreview } from './roster.service';

/** Roster import: upload → preview (nothing written) → confirm → done, or a job with a progress page. */
const PREVIEW_ROWS = 100;

function previewModel(source: { encoding: string; delimiter: Delimiter; fileName: string | null }, preview: RosterPreview) {
  const rows = [...preview.toCreate.map((r) => ({ ...r, isNew: true })), ...preview.alreadyEnrolled.map((r) => ({ ...r, isNew: false }))].sort(
    (a, b) => a.line - b.line,
  );
  return {
    encoding: source.encoding,
    delimiterName: DELIMITER_NAMES[source.delimiter],
    fileName: source.fileName,
    errors: preview.errors,
    rows: rows
      .slice(0, PREVIEW_ROWS)
      .map((r) => ({ line: r.line, name: r.name, email: r.email, section: r.sectionCode, timeZone: r.timeZone, isNew: r.isNew })),
    hiddenRows: Math.max(0, rows.length - PREVIEW_ROWS),
    newCount: preview.toCreate.length,
    existingCount: preview.alreadyEnrolled.length,
  };
}

function stateModel(staged: RosterImport, timeZone: string) {
  const active = staged.status === 'queued' || staged.status === 'running';
  return {
    id: staged.id,
    status: staged.status,
    createdAt: formatDateTime(staged.created_at, timeZone),
    processed: staged.processed,
    total: staged.row_count,
    created: staged.created_count,
    unchanged: staged.row_count - staged.created_count,
    error: staged.error,
    refreshSeconds: active ? 2 : null,
  };
}

const upload = (ctx: AppContext) => [
  ...singleUpload('file', 5 * 1024 * 1024),
  async (req: Request, res: Response) => {
    const me = currentUser(req);
    const body = importSchema.safeParse(req.body);
    const pasted = body.success ? (body.data.csv ?? '') : '';
    const refuse = async (message: string) =>
      render(res, 'roster/index', { ...(await rosterPageModel(ctx, me)), csv: pasted, result: { errors: [{ line: 1, message }] } }, 422);
    let source: DelimitedText;
    if (req.file && req.file.size > 0) {
      const read = readDelimitedUpload(req.file.buffer);
      if (!read.ok) return refuse(read.message);
      source = read.value;
    } else if (pasted.trim()) source = readDelimitedPaste(pasted);
    else return refuse('Choose a CSV file or paste the roster.');
    const fileName = req.file && req.file.size > 0 ? req.file.originalname || 'roster.csv' : null;
    const staged = await ctx.db
      .transaction()
      .execute((trx) => rosterImportService.stage(trx, { offeringId: me.offeringId, createdBy: me.id, fileName, source, now: ctx.clock.now() }));
    if (!staged.ok) {
      return render(
        res,
        'roster/import',
        {
          title: 'Roster import',
          staged: null,
          preview: previewModel({ ...source, fileName }, staged.preview),
          csv: fileName ? '' : pasted,
          refreshSeconds: null,
        },
        422,
      );
    }
    res.redirect(303, `/instructor/roster/imports/${staged.importId}`);
  },
];

const importIdOf = (req: Request): number => idParam(req.params.rosterImportId, 'There is no such roster import.');

const importPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { staged, preview } = await rosterImportService.show(ctx.db, me.offeringId, importIdOf(req));
  const state = stateModel(staged, me.timeZone);
  render(res, 'roster/import', {
    title: state.status === 'preview' ? 'Roster import preview' : 'Roster import',
    staged: state,
    preview: preview ? previewModel({ encoding: staged.encoding, delimiter: staged.delimiter as Delimiter, fileName: staged.file_name }, preview) : null,
    source: { encoding: staged.encoding, delimiterName: DELIMITER_NAMES[staged.delimiter as Delimiter], fileName: staged.file_name },
    csv: '',
    refreshSeconds: state.refreshSeconds,
  });
};

const confirm = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const importId = importIdOf(req);
  const { staged, alreadyConfirmed } = await ctx.db
    .transaction()
    .execute((trx) => rosterImportService.confirm(trx, { offeringId: me.offeringId, importId, baseUrl: ctx.config.baseUrl, now: ctx.clock.now() }));
  if (alreadyConfirmed) flash(res, 'This import was already confirmed; nothing more was imported.', 'info');
  else if (staged.status === 'done') {
    const unchanged = staged.row_count - staged.created_count;
    flash(
      res,
      `Imported ${staged.created_count} new student${staged.created_count === 1 ? '' : 's'} and sent their invitations.` +
        (unchanged ? ` ${unchanged} already on the roster were left unchanged.` : ''),
    );
    return res.redirect(303, '/instructor/roster');
  } else if (staged.status === 'queued') flash(res, `The import of ${staged.row_count} rows is queued; this page shows its progress.`, 'info');
  res.redirect(303, `/instructor/roster/imports/${importId}`);
};

const instructor = ['instructor'] as const;

export const rosterImportRoutes: RouteDef[] = [
  {
    method: 'post',
    path: '/instructor/roster/import',
    access: instructor,
    multipart: true,
    handler: upload,
    summary: 'Upload a roster CSV: decoded and checked, kept for preview (nothing imported yet)',
  },
  {
    method: 'get',
    path: '/instructor/roster/imports/:rosterImportId',
    access: instructor,
    handler: importPage,
    summary: 'A roster import: preview, progress or outcome',
  },
  {
    method: 'post',
    path: '/instructor/roster/imports/:rosterImportId/confirm',
    access: instructor,
    handler: confirm,
    summary: 'Confirm a previewed roster import',
  },
];
