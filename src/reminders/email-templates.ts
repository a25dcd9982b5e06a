import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { RenderedEmail } from '../mail/render';
import { viewsDir } from '../paths';

/**
 * renderEmail (src/mail/render.ts) for emails rendered by the thousand: the same files, layout,
 * escaping and output, but each template is compiled once (again when its file changes) instead
 * of on every call, which made compiling most of the cost of a reminder batch.
 * (If renderEmail learns to cache, this file can go.)
 */
const compiled = new Map<string, { mtimeMs: number; fn: ejs.TemplateFunction }>();

function template(file: string): ejs.TemplateFunction {
  const { mtimeMs } = fs.statSync(file);
  const hit = compiled.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.fn;
  const fn = ejs.compile(fs.readFileSync(file, 'utf8'), { filename: file });
  compiled.set(file, { mtimeMs, fn });
  return fn;
}

export function renderEmailFast(name: string, locals: Record<string, unknown>): RenderedEmail {
  const dir = path.join(viewsDir, 'emails');
  const text = template(path.join(dir, `${name}.text.ejs`))(locals);
  const body = template(path.join(dir, `${name}.html.ejs`))(locals);
  const html = template(path.join(dir, 'layout.html.ejs'))({ ...locals, body });
  return { text: text.replace(/\n{3,}/g, '\n\n').trim() + '\n', html };
}
