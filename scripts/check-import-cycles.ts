/**
 * `npm run check:cycles` (part of `npm run lint`): no import cycles between the folders of src/.
 * Every `import … from '…'`, `export … from '…'`, side-effect `import '…'` and `import('…')` in
 * src/**\/*.ts is read; a relative specifier is mapped to the top-level folder it lands in
 * (src/lessons/x.ts → `lessons`; a file directly in src/ is its own node, e.g. `src:errors`).
 * Type-only imports count: they couple the folders just the same. Strongly connected components
 * of the folder graph (Tarjan) are printed, each edge with one example import; exit code 1 if any.
 *
 * Two files assemble every feature by design and are the only ones whose imports are not edges:
 * the route table (it lists every feature's routes itself, README Architecture) and the Database
 * type (each feature owns its `*.tables.ts`; `db/database.ts` joins them into one type). Counting
 * them would put every folder in one cycle and hide the real ones.
 */
import fs from 'node:fs';
import path from 'node:path';

const srcDir = path.join(__dirname, '..', 'src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The graph node a file in src/ belongs to. */
function nodeOf(file: string): string | undefined {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  return parts.length === 1 ? `src:${parts[0].replace(/\.(ts|js)$/, '')}` : parts[0];
}

const specifierPattern = /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Comments removed, string contents kept (a specifier is a string). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/[^\n]*/g, (m, before: string | undefined) => (m.startsWith('/*') ? ' ' : (before ?? '')));
}

interface Edge {
  from: string;
  to: string;
  example: string;
}

const compositionRoots = new Set(['http/route-table.ts', 'db/database.ts'].map((f) => path.join(srcDir, f)));

const edges = new Map<string, Edge>();
for (const file of tsFiles(srcDir)) {
  if (compositionRoots.has(file)) continue;
  const from = nodeOf(file)!;
  const text = withoutComments(fs.readFileSync(file, 'utf8'));
  for (const m of text.matchAll(specifierPattern)) {
    const specifier = m[1] ?? m[2];
    if (!specifier.startsWith('.')) continue;
    const to = nodeOf(path.resolve(path.dirname(file), specifier));
    if (!to || to === from) continue;
    const key = `${from}\u0000${to}`;
    if (!edges.has(key)) edges.set(key, { from, to, example: `${path.relative(path.join(srcDir, '..'), file)} → '${specifier}'` });
  }
}

const graph = new Map<string, string[]>();
for (const { from, to } of edges.values()) {
  graph.set(from, [...(graph.get(from) ?? []), to]);
  if (!graph.has(to)) graph.set(to, []);
}

/** Tarjan's strongly connected components. */
function stronglyConnected(g: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const v of [...g.keys()].sort()) if (!index.has(v)) visit(v);
  return components.filter((c) => c.length > 1).map((c) => c.sort());
}

const cycles = stronglyConnected(graph);
if (cycles.length === 0) {
  console.log(`check:cycles: no import cycles between the ${graph.size} folders of src/`);
} else {
  for (const component of cycles) {
    const members = new Set(component);
    console.error(`Import cycle between ${component.join(', ')}:`);
    const inside = [...edges.values()]
      .filter((e) => members.has(e.from) && members.has(e.to))
      .sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`));
    for (const e of inside) console.error(`  ${e.from} → ${e.to}   e.g. ${e.example}`);
  }
  console.error(`check:cycles: ${cycles.length} import cycle(s) between folders of src/; the lower concept must not import the higher one`);
  process.exitCode = 1;
}
