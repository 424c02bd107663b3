/** Issue 7, item 3 in CI: hostile input gets a clear message, exit code or bot reply; names stay safe. */
import { describe, expect, it } from 'vitest';
import { INPUT_CASES } from './cases/input.js';
import { botLinks } from './cases/security.js';

describe('hostile input', () => {
  for (const c of [...INPUT_CASES, botLinks]) {
    it(c.name, async () => {
      expect((await c.run()).detail).toBeTruthy();
    }, 60_000);
  }
});
