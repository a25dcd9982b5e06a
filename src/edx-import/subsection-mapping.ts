import type { UnitKind } from '../course/course.tables';

/**
 * The first guess at which unit a report's subsection column counts toward. The instructor
 * corrects it on the mapping page; a correction is kept for every later import. Pure.
 *   "… Lesson 3 …" / "… Lesson 03 …"        → that lesson
 *   "Learning Check 03" / "Team Practice 03: …" (an assignment type and its number) → lesson 3
 *   "… Kickoff …" / "… Kick-off …"          → the Course Kickoff unit
 *   "… Closing …"                          → the Closing Thoughts unit
 *   anything else                          → no unit (ignored until the instructor maps it)
 */
export interface MappableUnit {
  id: number;
  kind: UnitKind;
  lessonNumber: number | null;
}

export function guessUnit(column: string, units: MappableUnit[]): number | null {
  const lesson = (n: number) => units.find((u) => u.kind === 'lesson' && u.lessonNumber === n)?.id ?? null;
  const named = column.match(/\blesson\s*0*(\d{1,2})\b/i);
  if (named) return lesson(Number(named[1]));
  if (/\bkick\s*-?\s*off\b/i.test(column)) return units.find((u) => u.kind === 'kickoff')?.id ?? null;
  if (/\bclosing\b/i.test(column)) return units.find((u) => u.kind === 'closing')?.id ?? null;
  const numbered = column.match(/^[^\d:]*?[A-Za-z]\s+0*(\d{1,2})\s*(?::|$)/);
  if (numbered) return lesson(Number(numbered[1]));
  return null;
}

/** "Lesson 03 · Framing Innovation – Metaphor and Analogy", "Course Kickoff", … */
export function unitLabel(u: { kind: UnitKind; lessonNumber: number | null; title: string }): string {
  return u.kind === 'lesson' ? `Lesson ${String(u.lessonNumber).padStart(2, '0')} · ${u.title}` : u.title;
}
