import fc from 'fast-check';
import {
  applyChange,
  assignPeers,
  dropOut,
  isDerangement,
  joinLate,
  swapAssessee,
  teammateIndex,
  teammatePairCount,
  type Pairs,
  type Teammates,
} from '../src/peer-assessment/assignment';

/**
 * Properties of the peer assignment (src/peer-assessment/assignment.ts) over random class sizes
 * (2..60) and random Team Practice histories. What "teammates preferred" guarantees: the number
 * of students who assess a teammate is the maximum over all derangements (checked against brute
 * force for small classes), so whenever everyone can assess a teammate, everyone does.
 */

interface Klass {
  students: number[];
  teammates: Teammates;
  seed: string;
}

/** Students with scattered ids; each lesson puts students in teams (-1 = no team that lesson). */
const klass = (min: number, max: number) =>
  fc
    .integer({ min, max })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        offset: fc.integer({ min: 1, max: 10_000 }),
        lessons: fc.array(fc.array(fc.integer({ min: -1, max: Math.max(1, Math.ceil(n / 3)) }), { minLength: n, maxLength: n }), { maxLength: 6 }),
        seed: fc.string({ maxLength: 12 }),
      }),
    )
    .map(({ n, offset, lessons, seed }): Klass => {
      const students = Array.from({ length: n }, (_, i) => offset + i * 7);
      const pairs: [number, number][] = [];
      for (const lesson of lessons) {
        lesson.forEach((team, i) => {
          if (team < 0) return;
          for (let j = i + 1; j < n; j++) if (lesson[j] === team) pairs.push([students[i], students[j]]);
        });
      }
      return { students, teammates: teammateIndex(pairs), seed };
    });

/** The most teammate links any derangement of `students` can have (brute force; small n only). */
function bestPossible(students: number[], teammates: Teammates): number {
  const n = students.length;
  const used = new Array<boolean>(n).fill(false);
  let best = 0;
  const walk = (i: number, count: number) => {
    if (count + (n - i) <= best) return;
    if (i === n) {
      best = count;
      return;
    }
    for (let j = 0; j < n; j++) {
      if (used[j] || j === i) continue;
      used[j] = true;
      walk(i + 1, count + (teammates.get(students[i])?.has(students[j]) ? 1 : 0));
      used[j] = false;
    }
  };
  walk(0, 0);
  return best;
}

const links = (pairs: Pairs) => new Set([...pairs].map(([a, b]) => `${a}>${b}`));
const changedLinks = (before: Pairs, after: Pairs) => [...links(before)].filter((l) => !links(after).has(l)).length;

test('a derangement: everyone assesses exactly one colleague, is assessed by exactly one, never themself', () => {
  fc.assert(
    fc.property(klass(2, 60), ({ students, teammates, seed }) => {
      const pairs = assignPeers(students, teammates, seed);
      expect(isDerangement(pairs, students)).toBe(true);
      expect(new Set(pairs.values()).size).toBe(students.length);
      for (const [a, b] of pairs) expect(a).not.toBe(b);
    }),
    { numRuns: 300 },
  );
});

test('reproducible: the same seed and roster give the same pairs, whatever order they come in', () => {
  fc.assert(
    fc.property(klass(2, 60), fc.integer(), ({ students, teammates, seed }, salt) => {
      const first = assignPeers(students, teammates, seed);
      const reordered = [...students].sort((a, b) => ((a * 31 + salt) % 97) - ((b * 31 + salt) % 97));
      const again = assignPeers(reordered, teammates, seed);
      expect([...again].sort((x, y) => x[0] - y[0])).toEqual([...first].sort((x, y) => x[0] - y[0]));
    }),
    { numRuns: 150 },
  );
});

test('different seeds explore different pairs (the seed matters)', () => {
  const students = Array.from({ length: 30 }, (_, i) => i + 1);
  const none = teammateIndex([]);
  const results = new Set(['a', 'b', 'c', 'd', 'e'].map((seed) => JSON.stringify([...assignPeers(students, none, seed)])));
  expect(results.size).toBeGreaterThan(1);
});

test('teammates preferred: as many students assess a teammate as any derangement allows (brute force, n ≤ 8)', () => {
  fc.assert(
    fc.property(klass(2, 8), ({ students, teammates, seed }) => {
      const pairs = assignPeers(students, teammates, seed);
      expect(teammatePairCount(pairs, teammates)).toBe(bestPossible(students, teammates));
    }),
    { numRuns: 400 },
  );
});

test('when every student shared a team of two or more, every student assesses a teammate', () => {
  const partitioned = fc
    .array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 15 })
    .chain((sizes) =>
      fc.record({ sizes: fc.constant(sizes), seed: fc.string({ maxLength: 8 }), noise: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }) }),
    );
  fc.assert(
    fc.property(partitioned, ({ sizes, seed, noise }) => {
      const students: number[] = [];
      const pairs: [number, number][] = [];
      for (const size of sizes) {
        const team = Array.from({ length: size }, (_, i) => 100 + students.length + i);
        team.forEach((a, i) => team.slice(i + 1).forEach((b) => pairs.push([a, b])));
        students.push(...team);
      }
      for (const [x, y] of noise) pairs.push([students[x % students.length], students[y % students.length]]);
      const teammates = teammateIndex(pairs);
      const result = assignPeers(students, teammates, seed);
      expect(isDerangement(result, students)).toBe(true);
      expect(teammatePairCount(result, teammates)).toBe(students.length);
    }),
    { numRuns: 200 },
  );
});

test('a late joiner is spliced into one pair: everyone else keeps their colleague but one assessor', () => {
  fc.assert(
    fc.property(klass(2, 60), ({ students, teammates, seed }) => {
      const [newcomer, ...rest] = students;
      const before = assignPeers(rest, teammates, seed);
      if (before.size === 0) return; // one student alone has no pairs to join
      const after = applyChange(before, joinLate(before, newcomer, teammates, seed));
      expect(isDerangement(after, [...before.keys(), newcomer])).toBe(true);
      expect(changedLinks(before, after)).toBe(1);
    }),
    { numRuns: 200 },
  );
});

test('a dropped student: their assessor takes their assessee; no one else changes (2-cycles rejoin elsewhere)', () => {
  fc.assert(
    fc.property(klass(3, 60), fc.nat(), ({ students, teammates, seed }, pick) => {
      const before = assignPeers(students, teammates, seed);
      const dropped = students[pick % students.length];
      const assessor = [...before].find(([, b]) => b === dropped)![0];
      const assessee = before.get(dropped)!;
      const after = applyChange(before, dropOut(before, dropped, teammates, seed));
      const remaining = students.filter((s) => s !== dropped);
      expect(isDerangement(after, remaining)).toBe(true);
      if (assessor !== assessee) {
        expect(after.get(assessor)).toBe(assessee);
        expect(changedLinks(before, after)).toBe(2); // a→d and d→b, replaced by a→b
      } else {
        expect(changedLinks(before, after)).toBe(3); // the 2-cycle, and the one pair the partner joins
      }
    }),
    { numRuns: 200 },
  );
});

test('late joins and drops in any order keep a derangement of the current roster', () => {
  fc.assert(
    fc.property(klass(2, 40), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 15 }), ({ students, teammates, seed }, events) => {
      let roster = students.slice(0, 2);
      const pending = students.slice(2);
      let pairs: Pairs = assignPeers(roster, teammates, seed);
      for (const [join, n] of events) {
        if (join && pending.length) {
          const s = pending.shift()!;
          pairs = pairs.size ? applyChange(pairs, joinLate(pairs, s, teammates, seed)) : assignPeers([...roster, s], teammates, seed);
          roster = [...roster, s];
        } else if (!join && roster.length > 2) {
          const d = roster[n % roster.length];
          pairs = applyChange(pairs, dropOut(pairs, d, teammates, seed));
          roster = roster.filter((s) => s !== d);
        }
        expect(isDerangement(pairs, roster)).toBe(true);
      }
    }),
    { numRuns: 150 },
  );
});

test('a hand swap gives the assessor the chosen colleague and keeps a derangement, changing at most three pairs', () => {
  fc.assert(
    fc.property(klass(3, 60), fc.nat(), fc.nat(), ({ students, teammates, seed }, i, j) => {
      const before = assignPeers(students, teammates, seed);
      const assessor = students[i % students.length];
      const assessee = students[j % students.length];
      if (assessor === assessee) {
        expect(() => swapAssessee(before, assessor, assessee)).toThrow(/themself/);
        return;
      }
      const after = applyChange(before, swapAssessee(before, assessor, assessee));
      expect(isDerangement(after, students)).toBe(true);
      expect(after.get(assessor)).toBe(assessee);
      expect(changedLinks(before, after)).toBeLessThanOrEqual(3);
    }),
    { numRuns: 300 },
  );
});

test('a class of two assess each other; fewer than two get no pairs', () => {
  expect([...assignPeers([5, 9], teammateIndex([]), 'x')].sort()).toEqual([
    [5, 9],
    [9, 5],
  ]);
  expect(assignPeers([5], teammateIndex([]), 'x').size).toBe(0);
  expect(assignPeers([], teammateIndex([]), 'x').size).toBe(0);
});
