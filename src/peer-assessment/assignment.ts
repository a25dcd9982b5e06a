import { maximumMatching } from './matching';
import { seededRandom, shuffled, type Random } from './prng';

/**
 * Peer assignment, as pure functions (no database) so they can be property-tested.
 *
 * An assignment maps each assessor to the one colleague they assess. For a class it is a
 * derangement: a permutation of the students with no fixed point, so everyone assesses exactly
 * one colleague, is assessed by exactly one, and no one assesses themself.
 *
 * "Prefer a colleague who shared a Team Practice team": `assignPeers` maximises the number of
 * students who assess a teammate. It takes a maximum matching of the teammate graph (assessor →
 * teammate), which is an upper bound for any derangement, and closes its chains into cycles with
 * non-teammate links, which keeps every teammate link. The one exception is a single student
 * left over with everyone else already in teammate cycles: that student is spliced into a cycle
 * (after a teammate of theirs when they have one, which keeps the count; otherwise one link is
 * lost, and no derangement can do better, since the leftover has no teammate to assess or be
 * assessed by). So the number of teammate pairs is always the maximum possible; in particular,
 * when a derangement exists in which everyone assesses a teammate, everyone does.
 *
 * The seed shuffles the order in which students and their teammates are tried and the order
 * the chains are joined in: the same seed and the same roster and teams give the same pairs.
 *
 * Roster changes keep everyone else's pair: a late joiner is spliced into one existing link
 * (a → b becomes a → new → b); a dropped student's assessor takes over the dropped student's
 * assessee (a → d → b becomes a → b). A hand swap gives an assessor a chosen assessee and that
 * assessee's former assessor the assessor's old one (see swapAssessee). Each returns the links
 * to retire and the links to add; applyChange applies them.
 */
export type Pairs = ReadonlyMap<number, number>;
export type Link = readonly [assessor: number, assessee: number];

export interface Change {
  retire: Link[];
  add: Link[];
}

/** Undirected "shared a team" relation, as a lookup. */
export type Teammates = ReadonlyMap<number, ReadonlySet<number>>;

export function teammateIndex(pairs: Iterable<readonly [number, number]>): Map<number, Set<number>> {
  const index = new Map<number, Set<number>>();
  const add = (a: number, b: number) => {
    let set = index.get(a);
    if (!set) index.set(a, (set = new Set()));
    set.add(b);
  };
  for (const [a, b] of pairs) {
    if (a === b) continue;
    add(a, b);
    add(b, a);
  }
  return index;
}

const areTeammates = (t: Teammates, a: number, b: number) => t.get(a)?.has(b) ?? false;

/** A fresh assignment for `students` (any order; duplicates ignored). Empty when fewer than 2. */
export function assignPeers(students: readonly number[], teammates: Teammates, seed: string): Map<number, number> {
  const ids = [...new Set(students)].sort((a, b) => a - b);
  const result = new Map<number, number>();
  if (ids.length < 2) return result;
  const random = seededRandom(`assign:${seed}`);
  const order = shuffled(ids, random);
  const indexOf = new Map(order.map((id, i) => [id, i]));

  const adjacency = order.map((id) => {
    const mates = [...(teammates.get(id) ?? [])].filter((m) => m !== id && indexOf.has(m)).sort((a, b) => a - b);
    return shuffled(mates, random).map((m) => indexOf.get(m)!);
  });
  const matchOf = maximumMatching(order.length, adjacency);

  const next = new Int32Array(order.length).fill(-1);
  const hasPrev = new Uint8Array(order.length);
  matchOf.forEach((v, u) => {
    if (v >= 0) {
      next[u] = v;
      hasPrev[v] = 1;
    }
  });

  // Chains: start at a student no one (yet) assesses, follow the links to one who assesses no one.
  const chains: { head: number; tail: number }[] = [];
  for (let u = 0; u < order.length; u++) {
    if (hasPrev[u]) continue;
    let tail = u;
    while (next[tail] !== -1) tail = next[tail];
    chains.push({ head: u, tail });
  }
  const joined = shuffled(chains, random);
  if (joined.length === 1 && joined[0].head === joined[0].tail) {
    spliceLeftover(joined[0].head, next, order, teammates, random);
  } else {
    joined.forEach((c, i) => {
      next[c.tail] = joined[(i + 1) % joined.length].head;
    });
  }
  next.forEach((v, u) => result.set(order[u], order[v]));
  return result;
}

/** One student left over, everyone else in cycles: put them after a teammate when possible. */
function spliceLeftover(x: number, next: Int32Array, order: number[], teammates: Teammates, random: Random): void {
  const inCycles = order.map((_, i) => i).filter((i) => i !== x);
  const afterTeammate = inCycles.filter((i) => areTeammates(teammates, order[i], order[x]));
  const pool = afterTeammate.length ? afterTeammate : inCycles;
  const a = pool[Math.floor(random() * pool.length)];
  next[x] = next[a];
  next[a] = x;
}

/** Who assesses whom, inverted. */
function assessorsOf(pairs: Pairs): Map<number, number> {
  return new Map([...pairs].map(([assessor, assessee]) => [assessee, assessor]));
}

/**
 * A student who joined after the assignment: splice them into the existing link where they
 * gain the most teammate links (ties broken by the seed). No other pair changes.
 */
export function joinLate(pairs: Pairs, newcomer: number, teammates: Teammates, seed: string): Change {
  if (pairs.has(newcomer) || pairs.size === 0) return { retire: [], add: [] };
  const links = [...pairs].sort((x, y) => x[0] - y[0]);
  const gain = ([a, b]: Link) =>
    Number(areTeammates(teammates, a, newcomer)) + Number(areTeammates(teammates, newcomer, b)) - Number(areTeammates(teammates, a, b));
  const best = Math.max(...links.map(gain));
  const candidates = links.filter((l) => gain(l) === best);
  const [a, b] = candidates[Math.floor(seededRandom(`join:${seed}:${newcomer}`)() * candidates.length)];
  return {
    retire: [[a, b]],
    add: [
      [a, newcomer],
      [newcomer, b],
    ],
  };
}

/**
 * A student who dropped: their assessor takes over their assessee. When the two assessed each
 * other, the one left is spliced into another link (or left without a pair when no one else is).
 */
export function dropOut(pairs: Pairs, dropped: number, teammates: Teammates, seed: string): Change {
  const assessee = pairs.get(dropped);
  const assessor = assessorsOf(pairs).get(dropped);
  if (assessee === undefined || assessor === undefined) return { retire: [], add: [] };
  const retire: Link[] = [
    [assessor, dropped],
    [dropped, assessee],
  ];
  if (assessor !== assessee) return { retire, add: [[assessor, assessee]] };
  const rest = new Map([...pairs].filter(([a]) => a !== dropped && a !== assessor));
  const rejoin = joinLate(rest, assessor, teammates, seed);
  return { retire: [...retire, ...rejoin.retire], add: rejoin.add };
}

export class SwapRefused extends Error {}

/**
 * By hand: `assessor` now assesses `assessee`; whoever assessed `assessee` takes the assessor's
 * old assessee. When that whoever *is* the assessor's old assessee (a → b → c, and a should now
 * assess c), swapping would make b assess themself, so the three rotate instead: a → c → b → d,
 * where d is whom c assessed. Either way the result is still a derangement.
 */
export function swapAssessee(pairs: Pairs, assessor: number, assessee: number): Change {
  const old = pairs.get(assessor);
  const other = assessorsOf(pairs).get(assessee);
  if (old === undefined) throw new SwapRefused('That student has no colleague to assess in the current assignment.');
  if (other === undefined) throw new SwapRefused('That colleague is not in the current assignment.');
  if (assessor === assessee) throw new SwapRefused('A student cannot assess themself.');
  if (old === assessee) return { retire: [], add: [] };
  if (old !== other) {
    return {
      retire: [
        [assessor, old],
        [other, assessee],
      ],
      add: [
        [assessor, assessee],
        [other, old],
      ],
    };
  }
  const after = pairs.get(assessee)!;
  return {
    retire: [
      [assessor, old],
      [old, assessee],
      [assessee, after],
    ],
    add: [
      [assessor, assessee],
      [assessee, old],
      [old, after],
    ],
  };
}

/** The pairs after a change. */
export function applyChange(pairs: Pairs, change: Change): Map<number, number> {
  const out = new Map(pairs);
  for (const [a, b] of change.retire) if (out.get(a) === b) out.delete(a);
  for (const [a, b] of change.add) out.set(a, b);
  return out;
}

/** true when `pairs` is a derangement of exactly `students`. */
export function isDerangement(pairs: Pairs, students: readonly number[]): boolean {
  const ids = new Set(students);
  if (pairs.size !== ids.size) return false;
  const assessed = new Set<number>();
  for (const [a, b] of pairs) {
    if (a === b || !ids.has(a) || !ids.has(b) || assessed.has(b)) return false;
    assessed.add(b);
  }
  return assessed.size === ids.size;
}

/** How many students assess a teammate. */
export function teammatePairCount(pairs: Pairs, teammates: Teammates): number {
  let n = 0;
  for (const [a, b] of pairs) if (areTeammates(teammates, a, b)) n++;
  return n;
}
