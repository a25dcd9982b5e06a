import type { Session } from './test-app';

/**
 * The version a form was opened on: the hidden `base_version` of the form on `html` that posts to
 * `action` (the first such form). Tests post it back as a browser would.
 */
export function formBase(html: string, action: string): string {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`No form posts to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const m = form.match(/name="base_version" value="(\d*)"/);
  if (!m) throw new Error(`The form posting to ${action} has no base_version`);
  return m[1];
}

/** Opens `page` (as a browser tab would) and returns the base_version of its form posting to `action`. */
export async function openForm(s: Session, page: string, action: string): Promise<string> {
  const res = await s.get(page);
  if (res.status !== 200) throw new Error(`GET ${page}: ${res.status}`);
  return formBase(res.text, action);
}

/** `fields` plus the base_version of the form posting to `action` on `page`, as a browser would send them. */
export async function withBase(s: Session, page: string, action: string, fields: Record<string, string>): Promise<Record<string, string>> {
  return { ...fields, base_version: await openForm(s, page, action) };
}

/** A study guide form's fields, from the lesson page's editing form. */
export const guideFields = (s: Session, unitId: number, fields: Record<string, string>) =>
  withBase(s, `/lessons/${unitId}?edit=study-guide`, `/lessons/${unitId}/study-guide`, fields);

/** A team artifact form's fields, from the lesson page. */
export const artifactFields = (s: Session, unitId: number, fields: Record<string, string>) =>
  withBase(s, `/lessons/${unitId}`, `/lessons/${unitId}/team-artifact`, fields);
