import { LRUCache } from 'lru-cache';
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import * as time from '../time';

/**
 * Helpers every view can call as `h.…`. Markdown is rendered with raw HTML off, then sanitized:
 * what a user writes can never become script.
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

/**
 * `headingsFrom` shifts a text's headings so that its `#` becomes that level (capped at h6): a
 * student's headings then sit below the page's own (a `##` in a study guide is never a component).
 */
export function renderMarkdown(source: string, opts: { headingsFrom?: number } = {}): string {
  const shift = Math.max(0, (opts.headingsFrom ?? 1) - 1);
  const text = source ?? '';
  const key = `${shift}:${text}`;
  const kept = rendered.get(key);
  if (kept !== undefined) return kept;
  const html = sanitizedHtml(text, shift);
  if (text.length <= MEMO_MAX_SOURCE) rendered.set(key, html);
  return html;
}

/**
 * Rendered Markdown by its text (issue 19): a lesson page renders the same study guides and team
 * artifacts on every view, and rendering them again was 4% of its CPU (markdown-it, sanitize-html and its parser). The output
 * depends on the text and the heading shift alone, so a copy kept per instance is never stale and
 * needs nothing shared; the memo is bounded by size (a few MB), and texts over 64 KB are not kept.
 */
const MEMO_MAX_SOURCE = 64 * 1024;
const rendered = new LRUCache<string, string>({ maxSize: 8 * 1024 * 1024, sizeCalculation: (html, key) => html.length + key.length });

function sanitizedHtml(source: string, shift: number): string {
  const headings = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`h${n}`, `h${Math.min(6, n + shift)}`]));
  return sanitizeHtml(md.render(source), {
    allowedTags: [
      'p',
      'br',
      'strong',
      'em',
      'ul',
      'ol',
      'li',
      'blockquote',
      'code',
      'pre',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'a',
      'hr',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
    ],
    allowedAttributes: { a: ['href', 'title'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }), ...(shift ? headings : {}) },
  });
}

export const viewHelpers = Object.freeze({
  ...time,
  markdown: renderMarkdown,
  percent: (part: number, whole: number) => (whole > 0 ? Math.round((100 * part) / whole) : 0),
  plural: (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`,
});
