import { StaleEdit, type EditableField, type Edition } from './errors';

/**
 * "No lost updates": every form that edits shared or versioned text carries the version it was
 * opened on (`base_version`, views/kit/base-version.ejs, written by views/kit/form-open.ejs, parsed by `baseVersionField` in
 * src/http/forms.ts). A version token is a string: the id of the latest version row, or '' when
 * no version exists yet. Services read the current version inside their transaction (after taking
 * the lock that orders saves) and call `requireCurrentVersion` before writing anything.
 */
export const NO_VERSION = '';

export function versionToken(id: number | string | null | undefined): string {
  return id === null || id === undefined ? NO_VERSION : String(id);
}

export interface Submission {
  /** What is being saved, in course vocabulary: "team artifact", "study guide"… */
  what: string;
  /** The version the form was opened on. */
  base: string;
  /** The submitted text, as the conflict page compares it (several fields joined with headings). */
  text: string;
  /** The fields the person may edit again on the conflict page. */
  fields: EditableField[];
}

/** Throws StaleEdit unless the form was opened on the current version (or would save the very same text). */
export function requireCurrentVersion(current: Edition | null, submission: Submission): void {
  const token = current?.token ?? NO_VERSION;
  if (submission.base === token) return;
  if (current && current.text === submission.text) return;
  throw new StaleEdit(submission.what, current ?? { token, text: '', by: null, at: null }, submission.text, submission.fields);
}

/** Several labelled answers as one text to compare (Learning Check, assessments, grade and feedback). */
export function labelledText(parts: { label: string; text: string }[]): string {
  return parts.map((p) => `## ${p.label}\n${p.text}`).join('\n\n');
}
