/** Issue 7, item 4 in CI: strangers, secret file modes, secrets in logs, login codes. */
import { describe, expect, it } from 'vitest';
import { SECURITY_CASES } from './cases/security.js';

describe('security', () => {
  for (const c of SECURITY_CASES) {
    it(c.name, async () => {
      expect((await c.run()).detail).toBeTruthy();
    }, 60_000);
  }
});
