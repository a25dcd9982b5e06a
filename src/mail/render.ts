import path from 'node:path';
import ejs from 'ejs';
import { viewsDir } from '../paths';

/**
 * Renders an email from views/emails/<name>.text.ejs and <name>.html.ejs (inside
 * views/emails/layout.html.ejs). Escaping is on in both: user text in an email is inert.
 */
export interface RenderedEmail {
  text: string;
  html: string;
}

export async function renderEmail(name: string, locals: Record<string, unknown>): Promise<RenderedEmail> {
  const dir = path.join(viewsDir, 'emails');
  const text = await ejs.renderFile(path.join(dir, `${name}.text.ejs`), locals, { async: false });
  const body = await ejs.renderFile(path.join(dir, `${name}.html.ejs`), locals, { async: false });
  const html = await ejs.renderFile(path.join(dir, 'layout.html.ejs'), { ...locals, body }, { async: false });
  return { text: text.replace(/\n{3,}/g, '\n\n').trim() + '\n', html };
}
