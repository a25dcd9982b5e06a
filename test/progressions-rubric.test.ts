import fs from 'node:fs';
import path from 'node:path';
import { readRubricFile } from '../src/progressions/rubric.loader';

/**
 * The 96 cells of the iLEAD Developmental Progressions (draft 02/18) against the source text.
 *
 * The source (seeds/progressions/ilead-draft-02-18.source.txt, a verbatim copy of the text the
 * issue names) is a table extracted to text: each line holds two or three objectives side by
 * side, tab-separated, as [title, stage 1, stage 2, stage 3, stage 4] groups; a group whose title
 * is empty and whose next cell is a stage heading is a repeated header, not an objective. This
 * test re-reads the table on its own and compares every cell with the seeded rubric.
 */
const root = path.join(__dirname, '..');
const sourceText = fs.readFileSync(path.join(root, 'seeds/progressions/ilead-draft-02-18.source.txt'), 'utf8');
const rubric = readRubricFile(path.join(root, 'seeds/progressions/ilead-draft-02-18.json'));

const STAGE_HEADINGS = [
  '"EXPLORING CHANGE IDEAS"',
  '"SMALL CHANGE IMPLEMENTATION"',
  '"INTEGRATING IS/NIC INTO THE CORE WORK"',
  '"INSTITUTIONALIZING AND SUSTAINING THE WORK"',
];

/** Titles whose number the extraction lost or garbled. */
const UNNUMBERED_TITLES: Record<string, number> = {
  'i. commument to the laca of Improvement': 1,
  'Lurriculum/Program Development': 2,
  'Improvement Science as a Signature Pedagogy': 5,
};

/** The OCR letter-garbling restored in titles, and nothing else. */
const TITLE_FIXES: [RegExp, string][] = [
  [/^i\. /, ''],
  [/\bcommument\b/, 'Commitment'],
  [/\blaca\b/, 'Idea'],
  [/\bLurriculum\b/, 'Curriculum'],
  [/\bFacuity\b/, 'Faculty'],
  [/\bPartenership\b/g, 'Partnership'],
];

/**
 * Whitespace collapsed, and words the extraction broke at a line end joined again
 * ("IS/ NICs" → "IS/NICs", "district- wide" → "district-wide"). No other change to descriptors.
 */
function rejoin(cell: string): string {
  return cell
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(\w)([/-]) (\w)/g, '$1$2$3');
}

interface SourceRow {
  number: number;
  title: string;
  cells: string[];
}

function sourceRows(): SourceRow[] {
  const rows: SourceRow[] = [];
  for (const line of sourceText.split('\n')) {
    if (!line.includes('\t')) continue;
    const fields = line.split('\t');
    expect(fields.length % 5).toBe(0);
    for (let i = 0; i < fields.length; i += 5) {
      const [title, ...cells] = fields.slice(i, i + 5).map((f) => f.trim());
      if (title === '' && cells[0] === STAGE_HEADINGS[0]) {
        expect(cells).toEqual(STAGE_HEADINGS);
        continue;
      }
      const numbered = title.match(/^(\d+)\. (.+)$/);
      const number = numbered ? Number(numbered[1]) : UNNUMBERED_TITLES[title];
      if (!number) throw new Error(`Unrecognized row title in the source: ${JSON.stringify(title)}`);
      rows.push({ number, title: numbered ? numbered[2] : title, cells });
    }
  }
  return rows.sort((a, b) => a.number - b.number);
}

const rows = sourceRows();

test('the source holds each of the 24 objectives exactly once, and the rubric has the same 24', () => {
  expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  expect(rubric.objectives.map((o) => o.number)).toEqual(rows.map((r) => r.number));
});

test('version, stage names and the three groups', () => {
  expect(rubric.label).toBe('draft 02/18');
  expect(sourceText).toContain('Developmental Progressions (Draft 02/18)');
  expect(rubric.stages.map((s) => s.name)).toEqual([
    'Exploring change ideas',
    'Small change implementation',
    'Integrating IS/NIC into the core work',
    'Institutionalizing and sustaining the work',
  ]);
  expect(rubric.stages.map((s) => `"${s.name.toUpperCase()}"`)).toEqual(STAGE_HEADINGS);
  const groupOf = (n: number) => rubric.objectives[n - 1].group;
  for (let n = 1; n <= 24; n++) expect([n, groupOf(n)]).toEqual([n, n <= 10 ? 'ihe' : n <= 17 ? 'lea' : 'partnership']);
  expect(rubric.groups.map((g) => [g.key, g.firstObjective, g.lastObjective])).toEqual([
    ['ihe', 1, 10],
    ['lea', 11, 17],
    ['partnership', 18, 24],
  ]);
  expect(sourceText).toContain(rubric.caution);
});

test('titles are the source titles with only the OCR garbling restored', () => {
  for (const row of rows) {
    const restored = TITLE_FIXES.reduce((t, [from, to]) => t.replace(from, to), row.title);
    expect([row.number, rubric.objectives[row.number - 1].title]).toEqual([row.number, restored]);
  }
  expect(rubric.objectives.map((o) => o.title).slice(0, 5)).toEqual([
    'Commitment to the Idea of Improvement',
    'Curriculum/Program Development',
    'Faculty Development and Promotion',
    'Faculty Engagement',
    'Improvement Science as a Signature Pedagogy',
  ]);
  expect(rubric.objectives[17].title).toBe('Partnership Relationships');
  expect(rubric.objectives[19].title).toBe('Formalizing Partnership Data Agreement');
});

test('all 96 cells: each descriptor is its source cell, word for word', () => {
  let compared = 0;
  for (const row of rows) {
    const objective = rubric.objectives[row.number - 1];
    row.cells.forEach((cell, s) => {
      const descriptor = objective.descriptors[s];
      const where = `objective ${row.number}, stage ${s + 1}`;
      const listed = rubric.cellStatus.find((c) => c.objective === row.number && c.stage === s + 1);
      if (descriptor === null) {
        expect([where, cell, listed?.status]).toEqual([where, '', 'empty']);
      } else {
        expect([where, descriptor]).toEqual([where, rejoin(cell)]);
      }
      compared++;
    });
  }
  expect(compared).toBe(96);
});

test('every descriptor’s words appear in the source, in order', () => {
  const flat = rejoin(sourceText);
  for (const o of rubric.objectives) {
    for (const d of o.descriptors) if (d !== null) expect(flat).toContain(d);
  }
});

test('the empty and cut-short cells are exactly the ones the source leaves so, and none is filled in', () => {
  const nulls = rubric.objectives.flatMap((o) => o.descriptors.flatMap((d, s) => (d === null ? [`${o.number}.${s + 1}`] : [])));
  expect(nulls).toEqual(['16.1', '22.1', '23.1', '24.1']);
  const emptyInSource = rows.flatMap((r) => r.cells.flatMap((c, s) => (c === '' ? [`${r.number}.${s + 1}`] : [])));
  expect(emptyInSource).toEqual(['16.1', '22.1', '23.1', '24.1']);
  // Objective 8's first cell survives only as the tail of a sentence ("… courses and programs."):
  // kept as the draft has it, and marked incomplete.
  expect(rows[7].cells[0]).toBe('courses and programs.');
  expect(rubric.objectives[7].descriptors[0]).toBe('courses and programs.');
  expect(rubric.cellStatus.map(({ objective, stage, status }) => ({ objective, stage, status }))).toEqual([
    { objective: 8, stage: 1, status: 'incomplete' },
    { objective: 16, stage: 1, status: 'empty' },
    { objective: 22, stage: 1, status: 'empty' },
    { objective: 23, stage: 1, status: 'empty' },
    { objective: 24, stage: 1, status: 'empty' },
  ]);
});

test('descriptors keep no extraction artefacts', () => {
  for (const o of rubric.objectives) {
    for (const d of o.descriptors) {
      if (d === null) continue;
      expect(d).toBe(d.trim());
      expect(d).not.toMatch(/\s{2,}|\t|\w[/-] \w/);
    }
  }
});
