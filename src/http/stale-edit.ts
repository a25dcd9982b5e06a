import { diffLines } from 'diff';
import type { Request } from 'express';
import type { StaleEdit } from '../errors';
import { formatDateTime } from '../time';
import { submittedValues } from './forms';

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Line diff from the current version (theirs) to the submitted text (yours). */
export function lineDiff(theirs: string, yours: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(theirs, yours)) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    for (const text of part.value.replace(/\n$/, '').split('\n')) lines.push({ kind, text });
  }
  return lines;
}

/**
 * The conflict page's view model (views/errors/stale-edit.ejs), built by the error mapping from
 * the refused request: both texts, what changed, and two forms that post back to the same address
 * with the current version as their base. Every submitted value is carried, so nothing is lost.
 */
export function staleEditModel(err: StaleEdit, req: Request, zone: string) {
  const values = submittedValues(req.body);
  delete values._csrf;
  delete values.base_version;
  const editable = new Set(err.fields.map((f) => f.name));
  return {
    title: `Your ${err.what} is not saved yet`,
    what: err.what,
    message: err.message,
    theirs: { text: err.theirs.text, by: err.theirs.by, at: err.theirs.at ? formatDateTime(err.theirs.at, zone) : null, exists: err.theirs.token !== '' },
    yours: err.yours,
    diff: lineDiff(err.theirs.text, err.yours),
    action: req.originalUrl,
    multipart: typeof req.is('multipart/form-data') === 'string',
    // A file sent with the refused save was not stored: the person attaches it again.
    fileDropped: req.file !== undefined,
    base: err.theirs.token,
    fields: err.fields.map((f) => ({ ...f, value: values[f.name] ?? '' })),
    kept: Object.entries(values).filter(([name]) => !editable.has(name)),
    all: Object.entries(values),
  };
}
