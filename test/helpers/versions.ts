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
