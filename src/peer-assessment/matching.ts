/**
 * Maximum bipartite matching (Hopcroft–Karp, iterative so deep augmenting paths cannot overflow
 * the stack). Left and right vertices are both 0..n-1; `adjacency[u]` lists the right vertices
 * left vertex u may be matched with, in the order they are tried. O(E·√V).
 * Returns matchOf[u] = the right vertex matched with u, or -1.
 */
export function maximumMatching(n: number, adjacency: readonly (readonly number[])[]): Int32Array {
  const matchL = new Int32Array(n).fill(-1);
  const matchR = new Int32Array(n).fill(-1);
  // A greedy start: most vertices are matched before the first phase.
  for (let u = 0; u < n; u++) {
    for (const v of adjacency[u]) {
      if (matchR[v] === -1) {
        matchL[u] = v;
        matchR[v] = u;
        break;
      }
    }
  }
  const INF = 0x7fffffff;
  const dist = new Int32Array(n);
  const next = new Int32Array(n);
  const stack = new Int32Array(n);
  const via = new Int32Array(n);

  const layer = (): boolean => {
    const queue: number[] = [];
    for (let u = 0; u < n; u++) {
      dist[u] = matchL[u] === -1 ? 0 : INF;
      if (dist[u] === 0) queue.push(u);
    }
    let found = false;
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head];
      for (const v of adjacency[u]) {
        const w = matchR[v];
        if (w === -1) found = true;
        else if (dist[w] === INF) {
          dist[w] = dist[u] + 1;
          queue.push(w);
        }
      }
    }
    return found;
  };

  const augment = (root: number): boolean => {
    let top = 0;
    stack[0] = root;
    while (top >= 0) {
      const u = stack[top];
      if (next[u] < adjacency[u].length) {
        const v = adjacency[u][next[u]++];
        const w = matchR[v];
        if (w === -1) {
          // Flip the path stack[0] → … → stack[top] → v.
          for (let i = top; i >= 0; i--) {
            const ui = stack[i];
            const vi = i === top ? v : via[i];
            matchL[ui] = vi;
            matchR[vi] = ui;
          }
          return true;
        }
        if (dist[w] === dist[u] + 1) {
          via[top] = v;
          stack[++top] = w;
        }
      } else {
        dist[u] = INF; // a dead end in this phase
        top--;
      }
    }
    return false;
  };

  while (layer()) {
    next.fill(0);
    let augmented = false;
    for (let u = 0; u < n; u++) if (matchL[u] === -1 && augment(u)) augmented = true;
    if (!augmented) break;
  }
  return matchL;
}
