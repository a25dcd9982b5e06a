import crypto from 'node:crypto';
import { usersRepository } from '../accounts/users.repository';
import type { Db } from '../db/database';
import { Invalid, NotFound } from '../errors';
import { formatDateTime } from '../time';
import { applyChange, assignPeers, dropOut, joinLate, swapAssessee, SwapRefused, teammateIndex, teammatePairCount, type Link, type Pairs } from './assignment';
import { peerAssessmentRepository } from '../portfolio/peer-assessments.repository';
import { peerAssignmentRepository as repo } from './peer-assignment.repository';

/**
 * The instructor's peer assignment step for one portfolio: run the seeded assignment, bring it
 * up to date after roster changes (late joiners spliced in, dropped students linked past), and
 * swap pairs by hand. Every change retires the replaced rows (replaced_at) and adds new ones;
 * the portfolio requirement row is locked so two changes never interleave.
 */
export const PAIRS_PER_PAGE = 100;
/** Up to this many students, the swap form suggests names (a datalist); beyond, type an email. */
export const SUGGEST_LIMIT = 300;

export interface Instructor {
  id: number;
  offeringId: number;
}

/** What an assignment action did, for the flash. Refusals are thrown (Invalid on `seed`, `assessor`, `assessee`). */
export interface ActionResult {
  message: string;
}

/** The smallest set of rows to retire and add to get from `before` to `after`. */
function difference(before: Pairs, after: Pairs): { retire: Link[]; add: Link[] } {
  const retire: Link[] = [];
  const add: Link[] = [];
  for (const [a, b] of before) if (after.get(a) !== b) retire.push([a, b]);
  for (const [a, b] of after) if (before.get(a) !== b) add.push([a, b]);
  return { retire, add };
}

async function write(trx: Db, requirementId: number, before: Pairs, after: Pairs, by: number, now: Date, seed: string | null) {
  const { retire, add } = difference(before, after);
  await repo.retire(trx, requirementId, retire, now);
  await repo.insertLinks(trx, requirementId, add, by, now, seed);
  return { retired: retire.length, added: add.length };
}

async function lockedRequirement(trx: Db, me: Instructor, requirementId: number) {
  const r = await repo.lockRequirement(trx, me.offeringId, requirementId);
  if (!r) throw new NotFound('We could not find that portfolio.');
  return r;
}

/** A new seed: short, so the instructor can note it and type it again. */
export function newSeed(): string {
  return crypto.randomBytes(5).toString('hex');
}

/** Runs the seeded assignment for every active student (replacing a current one nobody has started). */
async function assign(trx: Db, me: Instructor, requirementId: number, seedInput: string, now: Date): Promise<ActionResult> {
  const r = await lockedRequirement(trx, me, requirementId);
  const current = await repo.activePairs(trx, requirementId);
  if (current.pairs.size > 0 && (await repo.anyAssessment(trx, requirementId))) {
    const message =
      'Peer assessments have already been started for this portfolio, so the assignment cannot be rerun. Use “Update for roster changes” or swap pairs by hand.';
    throw new Invalid(message, { seed: message });
  }
  const students = await repo.activeStudentIds(trx, me.offeringId);
  if (students.length < 2)
    throw new Invalid('Peer assessment needs at least two active students.', { seed: 'Peer assessment needs at least two active students.' });
  const seed = seedInput || newSeed();
  const teammates = teammateIndex(await repo.teammatePairs(trx, r.edx_course_id));
  const pairs = assignPeers(students, teammates, seed);
  await write(trx, requirementId, current.pairs, pairs, me.id, now, seed);
  const mates = teammatePairCount(pairs, teammates);
  return { message: `Assigned ${pairs.size} students with seed “${seed}”: ${mates} assess a teammate from ${r.edx_code} Team Practice.` };
}

/** Late joiners are spliced into one existing pair each; dropped students' assessors take over their assessees. */
async function reconcile(trx: Db, me: Instructor, requirementId: number, now: Date): Promise<ActionResult> {
  const r = await lockedRequirement(trx, me, requirementId);
  const current = await repo.activePairs(trx, requirementId);
  const students = await repo.activeStudentIds(trx, me.offeringId);
  const active = new Set(students);
  const teammates = teammateIndex(await repo.teammatePairs(trx, r.edx_course_id));
  const seed = current.seed ?? 'by-hand';
  let pairs: Pairs = current.pairs;
  const dropped = [...new Set([...pairs.keys(), ...pairs.values()])].filter((id) => !active.has(id)).sort((a, b) => a - b);
  for (const d of dropped) pairs = applyChange(pairs, dropOut(pairs, d, teammates, seed));
  const newcomers = students.filter((id) => !pairs.has(id));
  if (pairs.size === 0 && students.length >= 2) {
    pairs = assignPeers(students, teammates, seed);
  } else {
    for (const n of newcomers) pairs = applyChange(pairs, joinLate(pairs, n, teammates, seed));
  }
  const changed = await write(trx, requirementId, current.pairs, pairs, me.id, now, null);
  if (changed.retired + changed.added === 0) return { message: 'The assignment already matches the roster: nothing changed.' };
  const unpaired = students.filter((id) => !pairs.has(id)).length;
  return {
    message: `Updated for roster changes: ${dropped.length} dropped, ${newcomers.length} joined; ${changed.retired} pairs replaced, ${changed.added} added. Everyone else keeps their colleague.${unpaired ? ` ${unpaired} student(s) could not be paired (fewer than two active students).` : ''}`,
  };
}

/**
 * After the instructor drops or re-enrolls one student (src/roster): in every portfolio with a
 * current assignment, that student alone is linked past (dropOut: their assessor takes over their
 * assessee) or spliced in as a late joiner (joinLate). Other pending roster changes are left to
 * "Update for roster changes", as before. Returns how many portfolios changed.
 */
async function applyRosterChange(trx: Db, me: Instructor, userId: number, change: 'drop' | 'join', now: Date): Promise<number> {
  const requirementIds = await repo.assignedRequirementIds(trx, me.offeringId, change === 'drop' ? userId : null);
  let changedPortfolios = 0;
  for (const id of requirementIds) {
    const r = await lockedRequirement(trx, me, id);
    const current = await repo.activePairs(trx, id);
    const teammates = teammateIndex(await repo.teammatePairs(trx, r.edx_course_id));
    const seed = current.seed ?? 'by-hand';
    const pairs = applyChange(
      current.pairs,
      change === 'drop' ? dropOut(current.pairs, userId, teammates, seed) : joinLate(current.pairs, userId, teammates, seed),
    );
    const written = await write(trx, id, current.pairs, pairs, me.id, now, null);
    if (written.retired + written.added > 0) changedPortfolios++;
  }
  return changedPortfolios;
}

/** By hand: the assessor now assesses the chosen colleague (the one who assessed them takes the assessor's old colleague). */
async function swap(trx: Db, me: Instructor, requirementId: number, input: { assessor: string; assessee: string }, now: Date): Promise<ActionResult> {
  await lockedRequirement(trx, me, requirementId);
  const [assessor, assessee] = await Promise.all([usersRepository.findByEmail(trx, input.assessor), usersRepository.findByEmail(trx, input.assessee)]);
  const isStudent = (u: typeof assessor) => !!u && u.role === 'student' && u.offering_id === me.offeringId && !u.deactivated_at;
  const errors: Record<string, string> = {};
  if (!isStudent(assessor)) errors.assessor = 'Enter the email of an active student in this course.';
  if (!isStudent(assessee)) errors.assessee = 'Enter the email of an active student in this course.';
  if (Object.keys(errors).length) throw new Invalid('Enter the emails of two active students in this course.', errors);
  const current = await repo.activePairs(trx, requirementId);
  try {
    const pairs = applyChange(current.pairs, swapAssessee(current.pairs, assessor!.id, assessee!.id));
    const changed = await write(trx, requirementId, current.pairs, pairs, me.id, now, null);
    if (changed.added === 0) return { message: `${assessor!.name} already assesses ${assessee!.name}.` };
    return { message: `${assessor!.name} now assesses ${assessee!.name} (${changed.retired} pairs replaced).` };
  } catch (err) {
    if (err instanceof SwapRefused) throw new Invalid(err.message, { assessee: err.message });
    throw err;
  }
}

/** The instructor's page: the current pairs (paged), the run's seed, and pending roster changes. */
async function page(db: Db, me: Instructor, requirementId: number, pageNo: number, zone: string) {
  const r = await repo.requirement(db, me.offeringId, requirementId);
  if (!r) throw new NotFound('We could not find that portfolio.');
  const [current, students, started] = await Promise.all([
    repo.activePairs(db, requirementId),
    repo.activeStudentIds(db, me.offeringId),
    repo.anyAssessment(db, requirementId),
  ]);
  const active = new Set(students);
  const inPairs = new Set([...current.pairs.keys(), ...current.pairs.values()]);
  const dropped = [...inPairs].filter((id) => !active.has(id)).length;
  const joined = students.filter((id) => !current.pairs.has(id)).length;
  const { rows, total } = await repo.pairPage(db, requirementId, r.edx_course_id, PAIRS_PER_PAGE, (pageNo - 1) * PAIRS_PER_PAGE);
  const progress = await peerAssessmentRepository.progressOf(
    db,
    rows.map((p) => p.id),
  );
  const suggestions = students.length <= SUGGEST_LIMIT ? await repo.activeStudentNames(db, me.offeringId) : [];
  return {
    requirement: { id: r.id, title: r.title, edxCode: r.edx_code },
    seed: current.seed,
    total,
    page: pageNo,
    pages: Math.max(1, Math.ceil(total / PAIRS_PER_PAGE)),
    activeStudents: students.length,
    rosterChanges: { dropped, joined, any: current.pairs.size > 0 && dropped + joined > 0 },
    canRerun: current.pairs.size === 0 || !started,
    assigned: current.pairs.size > 0,
    suggestions,
    pairs: rows.map((p) => {
      const prog = progress.get(p.id);
      return {
        id: p.id,
        assessor: { name: p.assessor_name, email: p.assessor_email, dropped: !!p.assessor_deactivated_at },
        assessee: { name: p.assessee_name, email: p.assessee_email, dropped: !!p.assessee_deactivated_at },
        teammates: !!p.teammates,
        origin: p.seed ? `Seed ${p.seed}` : 'Adjusted',
        assignedAt: formatDateTime(p.assigned_at, zone),
        status: prog?.submitted ? 'Submitted' : prog ? 'Draft saved' : 'Not started',
        state: prog?.submitted ? 'ok' : prog ? 'draft' : 'none',
      };
    }),
  };
}

export const peerAssignmentService = Object.freeze({ assign, reconcile, applyRosterChange, swap, page });
