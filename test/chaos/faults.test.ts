/**
 * Issue 7, item 2 in CI: each injected fault on the whole stack (virtual time; the real-tmpfs
 * variants run in `npm run chaos -- faults`).
 */
import { describe, expect, it } from 'vitest';
import { FAULT_CASES } from './cases/faults.js';

describe('faults: nothing lost, nothing misnamed, the owner told', () => {
  for (const c of FAULT_CASES) {
    it(c.name, async () => {
      const outcome = await c.run();
      expect(outcome.detail).toBeTruthy();
    }, 60_000);
  }
});
