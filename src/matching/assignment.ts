/**
 * Maximum-weight bipartite assignment (Hungarian algorithm, O(n³)): rows to columns, each used at
 * most once, maximising the summed weight. A weight ≤ 0 means "no edge": such a row stays unassigned.
 */
export function maxWeightAssignment(weights: number[][], columns: number): Array<number | null> {
  const rows = weights.length;
  const n = Math.max(rows, columns);
  if (n === 0) return [];
  // Minimise cost = -weight; missing edges and padding cost 0 (the same as leaving the row free).
  const cost = (i: number, j: number): number => {
    const w = i < rows && j < columns ? (weights[i]?.[j] ?? 0) : 0;
    return w > 0 ? -w : 0;
  };
  const INF = Number.POSITIVE_INFINITY;
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0); // p[j]: row (1-based) assigned to column j
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(INF);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0] as number;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - (u[i0] as number) - (v[j] as number);
        if (cur < (minv[j] as number)) {
          minv[j] = cur;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j] as number] = (u[p[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else minv[j] = (minv[j] as number) - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      p[j0] = p[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number | null>(rows).fill(null);
  for (let j = 1; j <= n; j++) {
    const i = (p[j] as number) - 1;
    if (i >= 0 && i < rows && j - 1 < columns && (weights[i]?.[j - 1] ?? 0) > 0) result[i] = j - 1;
  }
  return result;
}
