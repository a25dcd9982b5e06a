/**
 * `npm run tree:stats [-- DIR]`: the numbers issue 15 ("One owner for every thing") measured the tree by,
 * printed as a Markdown table, so the tree can be compared before and after a change (run it in a
 * checkout of each commit). Counts only; it enforces nothing (the lint checks do that).
 *
 * - imports between feature folders of src/ (not counting the low layers http/, db/, mail/, course/,
 *   files directly in src/, and the two composition roots), and folder pairs that import each other;
 * - files outside a `*.repository.ts` that build SQL (kysely builders or sql``), migrations and seeding excluded;
 * - invalid input reported as `{ ok: false` results, as thrown `Invalid`, and try/catch in route handlers;
 * - views: CSRF hidden inputs written outside the kit, hand-written selects/file inputs/radios outside the kit;
 * - CSS: literal colours outside `:root`, `.pct-N` classes;
 * - tests: `student1@` occurrences, raw database calls in test files outside test/helpers;
 * - lines over 160 characters in src/ and test/.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));

function files(dir: string, ext: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p, ext);
    return ext.test(e.name) ? [p] : [];
  });
}
const read = (f: string) => fs.readFileSync(f, 'utf8');
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
const rel = (f: string) => path.relative(root, f);

const src = path.join(root, 'src');
const srcFiles = files(src, /\.ts$/);
const low = new Set(['http', 'db', 'mail', 'course']);
const roots = new Set(['src/http/route-table.ts', 'src/db/database.ts']);
const folderOf = (f: string) => {
  const parts = path.relative(src, f).split(path.sep);
  return parts.length > 1 ? parts[0] : undefined;
};

let crossImports = 0;
const pairs = new Set<string>();
const importRe = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/g;
for (const f of srcFiles) {
  const from = folderOf(f);
  if (!from || low.has(from) || roots.has(rel(f))) continue;
  for (const m of read(f).matchAll(importRe)) {
    const to = folderOf(path.resolve(path.dirname(f), m[1]));
    if (!to || to === from || low.has(to)) continue;
    crossImports++;
    pairs.add(`${from}>${to}`);
  }
}
const mutual = [...pairs].filter((p) => {
  const [a, b] = p.split('>');
  return a < b && pairs.has(`${b}>${a}`);
});

const sqlRe = /\b(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/;
const sqlOutsideRepos = srcFiles.filter((f) => !f.endsWith('.repository.ts') && !/src\/(seed\.ts|scale\/|backup\/)/.test(rel(f)) && sqlRe.test(read(f)));

const srcText = srcFiles.map(read).join('\n');
const routeFiles = srcFiles.filter((f) => f.endsWith('.routes.ts'));
const routeCatches = routeFiles.reduce((n, f) => n + count(read(f), /\bcatch\s*[({]/g), 0);

const views = files(path.join(root, 'views'), /\.ejs$/).filter((f) => !rel(f).startsWith('views/emails/'));
const kitDir = ['views/kit/', 'views/partials/'];
const outsideKit = views.filter((f) => !kitDir.some((k) => rel(f).startsWith(k)));
const csrfOutsideKit = outsideKit.reduce((n, f) => n + count(read(f), /name="_csrf"/g), 0);
const controlsOutsideKit = outsideKit.reduce((n, f) => n + count(read(f), /<select\b|type="file"|type="radio"/g), 0);

const css = files(path.join(root, 'public'), /\.css$/)
  .map(read)
  .join('\n');
const cssOutsideRoot = css.replace(/:root\s*\{[^}]*\}/g, '');
const literalColours = count(cssOutsideRoot, /#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(/g);
const pctClasses = count(css, /\.pct-\d+/g);

const testFiles = files(path.join(root, 'test'), /\.ts$/);
const testBodies = testFiles.filter((f) => !rel(f).startsWith('test/helpers/'));
const student1 = testFiles.reduce((n, f) => n + count(read(f), /student1@/g), 0);
const rawDb = testBodies.reduce((n, f) => n + count(read(f), /\bdb\s*\.\s*(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/g), 0);
const longLines = [...srcFiles, ...testFiles].reduce(
  (n, f) =>
    n +
    read(f)
      .split('\n')
      .filter((l) => l.length > 160).length,
  0,
);

const rows: [string, number | string][] = [
  ['source files in src/ (lines)', `${srcFiles.length} (${srcText.split('\n').length})`],
  ['imports between feature folders', crossImports],
  ['feature folder pairs importing each other', mutual.length ? `${mutual.length} (${mutual.join(', ').replace(/>/g, '↔')})` : 0],
  ['files outside repositories that build SQL', sqlOutsideRepos.length],
  ['`{ ok: false` results in src/', count(srcText, /ok:\s*false/g)],
  ['thrown `Invalid` in src/', count(srcText, /new Invalid\(/g)],
  ['catch blocks in route files', routeCatches],
  ['CSRF inputs written outside the view kit', csrfOutsideKit],
  ['selects / file inputs / radios written outside the kit', controlsOutsideKit],
  ['literal colours in CSS outside :root', literalColours],
  ['`.pct-N` classes in CSS', pctClasses],
  ['`student1@` in test/', student1],
  ['raw database calls in test files (outside helpers)', rawDb],
  ['lines over 160 characters (src/, test/)', longLines],
];
console.log('| measure | count |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
