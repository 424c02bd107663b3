import { describe, expect, it } from 'vitest';
import { maxWeightAssignment } from '../../src/matching/assignment.js';

/** Best total by trying every assignment (small sizes only). */
function bruteForce(w: number[][], cols: number): number {
  const rows = w.length;
  let best = 0;
  const used = new Array<boolean>(cols).fill(false);
  const go = (i: number, sum: number) => {
    if (i === rows) {
      best = Math.max(best, sum);
      return;
    }
    go(i + 1, sum); // row i stays unassigned
    for (let j = 0; j < cols; j++) {
      const v = w[i]?.[j] ?? 0;
      if (used[j] || v <= 0) continue;
      used[j] = true;
      go(i + 1, sum + v);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

function total(w: number[][], a: Array<number | null>): number {
  return a.reduce<number>((s, j, i) => s + (j === null ? 0 : (w[i]?.[j] ?? 0)), 0);
}

describe('maxWeightAssignment', () => {
  it('beats greedy: the first row must give way', () => {
    // Greedy gives row 0 column 0 (10) and leaves row 1 with nothing; the optimum is 9 + 8.
    expect(maxWeightAssignment([[10, 9], [8, 0]], 2)).toEqual([1, 0]);
  });

  it('leaves rows without an edge unassigned and uses each column once', () => {
    expect(maxWeightAssignment([[0, 0], [5, 0], [7, 0]], 2)).toEqual([null, null, 0]);
  });

  it('handles more columns than rows and empty inputs', () => {
    expect(maxWeightAssignment([[0, 0, 3]], 3)).toEqual([2]);
    expect(maxWeightAssignment([], 4)).toEqual([]);
    expect(maxWeightAssignment([[1], [2]], 0)).toEqual([null, null]);
  });

  it('finds the optimum on random matrices (checked by brute force)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let t = 0; t < 300; t++) {
      const rows = 1 + Math.floor(rand() * 6);
      const cols = 1 + Math.floor(rand() * 6);
      const w = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rand() < 0.4 ? 0 : Math.round(rand() * 100))));
      const a = maxWeightAssignment(w, cols);
      const picked = a.filter((j) => j !== null);
      expect(new Set(picked).size).toBe(picked.length);
      expect(total(w, a)).toBe(bruteForce(w, cols));
    }
  });
});
