import path from 'node:path';
import ejs from 'ejs';
import { viewsDir } from '../paths';

/**
 * Renders an email from views/emails/<name>.text.ejs and <name>.html.ejs (inside
 * views/emails/layout.html.ejs). The HTML part escapes every value (user text is inert); the
 * text/plain part is not HTML, so its values are written as they are (`O'Brien & Co`, never
 * `O&#39;Brien &amp; Co`), whichever tag a template uses. Control characters never reach here:
 * they are refused at input (src/http/text-hygiene.ts).
 */
export interface RenderedEmail {
  text: string;
  html: string;
}

export async function renderEmail(name: string, locals: Record<string, unknown>): Promise<RenderedEmail> {
  const dir = path.join(viewsDir, 'emails');
  const text = await ejs.renderFile(path.join(dir, `${name}.text.ejs`), locals, { async: false, escape: asPlainText });
  const body = await ejs.renderFile(path.join(dir, `${name}.html.ejs`), locals, { async: false });
  const html = await ejs.renderFile(path.join(dir, 'layout.html.ejs'), { ...locals, body }, { async: false });
  return { text: text.replace(/\n{3,}/g, '\n\n').trim() + '\n', html };
}

/** A value in a text/plain part: as it is (no HTML entities). */
function asPlainText(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
