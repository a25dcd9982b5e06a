/**
 * `npm run check:views` (part of `npm run lint`): every form control is written through its partial in views/kit/
 * (STYLE habit 16). Outside views/kit/ (and views/emails/, which have no forms), a view may not write:
 *   - the CSRF input (`_csrf`) or a `<form` tag: kit/form-open writes both;
 *   - `<select`, `<textarea`, or an `<input` other than a hidden one or a read-only text to copy:
 *     kit/select, kit/field, kit/file, kit/checkbox and kit/radios write those; a `<button`: kit/button;
 *   - a `pct-N` width class: kit/progress draws a native <progress>.
 * Each offending line is printed as file:line; exit code 1 if any.
 */
import fs from 'node:fs';
import path from 'node:path';

const viewsDir = path.join(__dirname, '..', 'views');
const exempt = ['kit', 'emails'];

const rules: { what: string; test: (line: string) => boolean }[] = [
  { what: 'the CSRF input (use kit/form-open)', test: (l) => l.includes('_csrf') },
  { what: 'a <form> tag (use kit/form-open)', test: (l) => /<form[\s>]/i.test(l) },
  { what: 'a <select> (use kit/select)', test: (l) => /<select[\s>]/i.test(l) },
  { what: 'a <textarea> (use kit/field with textarea: true)', test: (l) => /<textarea[\s>]/i.test(l) },
  {
    what: 'an <input> (use kit/field, kit/file, kit/checkbox or kit/radios)',
    test: (l) => [...l.matchAll(/<input\b[^>]*>/gi)].some(([tag]) => !/type="hidden"/i.test(tag) && !/\breadonly\b/i.test(tag)),
  },
  { what: 'a <button> (use kit/button)', test: (l) => /<button[\s>]/i.test(l) },
  { what: 'a pct-N width class (use kit/progress)', test: (l) => /\bpct-\d+/.test(l) },
];

function ejsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return exempt.includes(path.relative(viewsDir, p)) ? [] : ejsFiles(p);
    return e.isFile() && p.endsWith('.ejs') ? [p] : [];
  });
}

const problems: string[] = [];
for (const file of ejsFiles(viewsDir)) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    for (const rule of rules) if (rule.test(line)) problems.push(`${path.relative(process.cwd(), file)}:${i + 1}: writes ${rule.what}`);
  });
}

if (problems.length) {
  console.error(`Views write controls by hand (views/kit/ has a partial for each):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('Views: every form control comes from views/kit/.');
