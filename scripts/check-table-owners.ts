/**
 * `npm run check:tables` (part of `npm run lint`): a feature owns its tables (STYLE habit 15).
 *
 * The owner of a table is the folder of src/ whose tables file declares it: each `export interface
 * XxxTables { table_name: … }` (the interfaces `db/database.ts` joins into `Database`). Every
 * src/**\/*.ts is scanned for statements naming a table:
 *  - kysely calls with a string literal: `selectFrom('t')`, `selectFrom('t as x')`, arrays of
 *    them, `insertInto`, `updateTable`, `deleteFrom`, `mergeInto` and the `…Join…` family;
 *  - raw SQL in `sql\`…\`` templates: `from|join|into|update <table>`.
 * Each (file, table) pair where the file is outside the table's owner folder is a finding.
 *
 * Exempt by design, because they treat the whole database alike rather than one feature's data:
 * seeding (src/seed.ts, src/scale/), backup/export/import (src/backup/), and migrations (outside
 * src/). The Database type itself (db/database.ts) only names tables files.
 *
 * Moving every statement to its owner is done step by step, so the findings are compared with
 * scripts/table-owners.baseline.json (the pairs that remain): the check fails on a finding that is
 * not in the baseline (new SQL outside its owner) AND on a baseline entry that no longer occurs
 * (remove it: the baseline only shrinks and always says exactly what is left).
 * `tsx scripts/check-table-owners.ts --write-baseline` rewrites it from the current tree.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const srcDir = path.join(root, 'src');
const baselineFile = path.join(__dirname, 'table-owners.baseline.json');

const exempt = (rel: string) => rel === 'src/seed.ts' || rel.startsWith('src/scale/') || rel.startsWith('src/backup/') || rel === 'src/db/database.ts';

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const folderOf = (rel: string) => rel.split('/')[1];

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/[^\n]*/g, (m, before: string | undefined) => (m.startsWith('/*') ? ' ' : (before ?? '')));
}

const files = tsFiles(srcDir).map((f) => ({ rel: path.relative(root, f).split(path.sep).join('/'), text: withoutComments(fs.readFileSync(f, 'utf8')) }));

/** table → owner folder, from every `interface XxxTables { … }`. */
const owner = new Map<string, string>();
for (const { rel, text } of files) {
  for (const m of text.matchAll(/export\s+interface\s+\w+Tables\s*\{([^}]*)\}/g)) {
    for (const k of m[1].matchAll(/^\s*(\w+)\s*:/gm)) {
      const prev = owner.get(k[1]);
      if (prev && prev !== folderOf(rel)) throw new Error(`table ${k[1]} is declared by two folders: ${prev} and ${folderOf(rel)}`);
      owner.set(k[1], folderOf(rel));
    }
  }
}

const callPattern =
  /\.(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin|innerJoinLateral|leftJoinLateral|crossJoinLateral)\(\s*(\[[^\]]*\]|['"][^'"]+['"])/g;
const sqlTemplatePattern = /\bsql(?:<[^`]*?>)?`((?:[^`\\]|\\.)*)`/g;
const rawPattern = /\b(?:from|join|into|update)\s+"?(\w+)"?/gi;

function tablesNamed(text: string): Set<string> {
  const named = new Set<string>();
  for (const m of text.matchAll(callPattern)) {
    for (const lit of m[1].matchAll(/['"]([^'"]+)['"]/g)) {
      const name = lit[1].trim().split(/\s+/)[0];
      if (owner.has(name)) named.add(name);
    }
  }
  for (const m of text.matchAll(sqlTemplatePattern)) {
    for (const r of m[1].matchAll(rawPattern)) if (owner.has(r[1])) named.add(r[1]);
  }
  return named;
}

const findings: string[] = [];
for (const { rel, text } of files) {
  if (exempt(rel)) continue;
  for (const table of tablesNamed(text)) if (owner.get(table) !== folderOf(rel)) findings.push(`${rel} ${table}`);
}
findings.sort();

if (process.argv.includes('--write-baseline')) {
  fs.writeFileSync(baselineFile, JSON.stringify(findings, null, 2) + '\n');
  console.log(`check:tables: wrote ${findings.length} (file, table) pairs outside their owner to ${path.relative(root, baselineFile)}`);
} else {
  const baseline = new Set<string>(JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as string[]);
  const found = new Set(findings);
  const added = findings.filter((f) => !baseline.has(f));
  const gone = [...baseline].filter((b) => !found.has(b));
  for (const f of added) {
    const [file, table] = f.split(' ');
    console.error(`${file}: statement on ${table}, which ${owner.get(table)}/ owns; ask its repository or service (or export a query fragment from it)`);
  }
  for (const b of gone) console.error(`${b.replace(' ', ': ')} no longer occurs; remove it from scripts/table-owners.baseline.json`);
  if (added.length || gone.length) {
    console.error(`check:tables: ${added.length} new pair(s) outside their owner, ${gone.length} stale baseline entr(y/ies)`);
    process.exitCode = 1;
  } else {
    console.log(`check:tables: ${owner.size} tables; ${findings.length} (file, table) pairs outside their owner, all in the baseline`);
  }
}
