/** Issue 10: Telegram outages in the middle of a job, GramJS's own connection code running (virtual time). */
import { describe, expect, it } from 'vitest';
import { OUTAGE_CASES } from './cases/outage.js';

describe('Telegram outages: jobs pause, resume, the owner is told twice, no burst', () => {
  for (const c of OUTAGE_CASES) {
    it(c.name, async () => {
      const outcome = await c.run();
      expect(outcome.detail).toBeTruthy();
    }, 180_000);
  }
});
