import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import type { Delimiter, DelimitedText } from '../http/text-upload';
import { rosterImportRepository as repo, type RosterImport } from './roster-import.repository';
import { rosterService, type RosterPreview, type RosterRowError } from './roster.service';

/**
 * A roster import in two steps. `stage` checks the decoded file and, when every row is good,
 * keeps it as a preview (nothing is written to the roster). `confirm` runs it: up to
 * INLINE_MAX rows in the confirming request's transaction, more as a queued job the worker
 * runs (`runQueuedImports`), still all-or-nothing in one transaction, with its progress shown
 * on the import's page. An import is confirmed once: the status moves from 'preview' under a
 * row lock, so a second confirmation finds it already done or queued.
 */
export const INLINE_MAX = 200;
const LEASE_SECONDS = 15 * 60;

export type StageResult = { ok: true; importId: number } | { ok: false; preview: RosterPreview };

async function defaultZone(db: Db, offeringId: number): Promise<string> {
  return (await courseRepository.offering(db, offeringId)).time_zone;
}

async function stage(
  db: Db,
  input: { offeringId: number; createdBy: number; fileName: string | null; source: DelimitedText; now: Date },
): Promise<StageResult> {
  const { source } = input;
  const preview = await rosterService.check(db, input.offeringId, source.text, await defaultZone(db, input.offeringId), source.delimiter);
  if (preview.errors.length) return { ok: false, preview };
  const importId = await repo.insert(db, {
    offering_id: input.offeringId,
    created_by: input.createdBy,
    created_at: input.now,
    file_name: input.fileName,
    encoding: source.encoding,
    delimiter: source.delimiter,
    csv_text: source.text,
    row_count: preview.toCreate.length + preview.alreadyEnrolled.length,
    error: null,
    locked_until: null,
    updated_at: input.now,
  });
  return { ok: true, importId };
}

/** The staged import and, while it is still a preview, its rows as they will be imported now. */
async function show(db: Db, offeringId: number, importId: number): Promise<{ staged: RosterImport; preview: RosterPreview | null }> {
  const staged = await repo.findInOffering(db, offeringId, importId);
  if (!staged) throw new NotFound('There is no such roster import.');
  if (staged.status !== 'preview') return { staged, preview: null };
  const preview = await rosterService.check(db, offeringId, staged.csv_text, await defaultZone(db, offeringId), staged.delimiter as Delimiter);
  return { staged, preview };
}

function describeErrors(errors: RosterRowError[]): string {
  const shown = errors.slice(0, 5).map((e) => `Line ${e.line}: ${e.message}`);
  return `Nothing was imported: ${shown.join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}.`;
}

/** Confirms a previewed import: runs a small one now, queues a large one. Returns the import as it stands. */
async function confirm(
  db: Db,
  input: { offeringId: number; importId: number; baseUrl: string; now: Date },
): Promise<{ staged: RosterImport; alreadyConfirmed: boolean }> {
  const staged = await repo.lockInOffering(db, input.offeringId, input.importId);
  if (!staged) throw new NotFound('There is no such roster import.');
  if (staged.status !== 'preview') return { staged, alreadyConfirmed: true };
  if (staged.row_count > INLINE_MAX) {
    await repo.update(db, staged.id, { status: 'queued', updated_at: input.now });
    return { staged: { ...staged, status: 'queued' }, alreadyConfirmed: false };
  }
  const result = await rosterService.importRoster(db, input.offeringId, staged.csv_text, {
    baseUrl: input.baseUrl,
    now: input.now,
    defaultZone: await defaultZone(db, input.offeringId),
    delimiter: staged.delimiter as Delimiter,
  });
  const changes = result.errors.length
    ? { status: 'failed' as const, error: describeErrors(result.errors), updated_at: input.now }
    : { status: 'done' as const, processed: staged.row_count, created_count: result.created, updated_at: input.now };
  await repo.update(db, staged.id, changes);
  return { staged: { ...staged, ...changes }, alreadyConfirmed: false };
}

class ImportRefused extends Error {}

/**
 * Runs one claimed import all-or-nothing. On PostgreSQL its progress is written beside the
 * transaction (a short statement on another connection) so the page can show it; on PGlite,
 * one connection, progress is written inside it and seen when it ends.
 */
async function runClaimed(ctx: AppContext, staged: RosterImport): Promise<void> {
  const now = ctx.clock.now();
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const progressDb = ctx.dbKind === 'postgres' ? ctx.db : trx;
      const result = await rosterService.importRoster(trx, staged.offering_id, staged.csv_text, {
        baseUrl: ctx.config.baseUrl,
        now,
        defaultZone: await defaultZone(trx, staged.offering_id),
        delimiter: staged.delimiter as Delimiter,
        onProgress: (processed) => repo.update(progressDb, staged.id, { processed, updated_at: ctx.clock.now() }),
      });
      if (result.errors.length) throw new ImportRefused(describeErrors(result.errors));
      await repo.update(trx, staged.id, {
        status: 'done',
        processed: staged.row_count,
        created_count: result.created,
        locked_until: null,
        updated_at: ctx.clock.now(),
      });
    });
  } catch (err) {
    const message = err instanceof ImportRefused ? err.message : 'The import failed and nothing was imported. Try again, or ask for help with the file.';
    if (!(err instanceof ImportRefused)) ctx.log('error', `roster import ${staged.id} failed: ${(err as Error)?.stack ?? String(err)}`);
    await repo.update(ctx.db, staged.id, { status: 'failed', processed: 0, error: message, locked_until: null, updated_at: ctx.clock.now() });
  }
}

/** The worker's job: runs the queued roster imports, one claimed at a time. Returns how many ran. */
export async function runQueuedImports(ctx: AppContext, max = 5): Promise<number> {
  let ran = 0;
  for (; ran < max; ran += 1) {
    const claimed = await repo.claimNext(ctx.db, LEASE_SECONDS, ctx.clock.now());
    if (!claimed) break;
    await runClaimed(ctx, claimed);
  }
  return ran;
}

export const rosterImportService = Object.freeze({ stage, show, confirm, runQueuedImports });
