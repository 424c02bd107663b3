import { describe, expect, it } from 'vitest';
import { SMALL_YOUNG_GENERATION, nodeFlagsFor } from '../../bin/node-flags.js';

describe('nodeFlagsFor (the flags bin/crate.js restarts itself with)', () => {
  it.each([
    ['serve', [SMALL_YOUNG_GENERATION]],
    ['download', [SMALL_YOUNG_GENERATION]],
    ['status', []],
    ['login', []],
    [undefined, []],
  ])('crate %s runs with %j', (command, flags) => {
    expect(nodeFlagsFor(command)).toEqual(flags);
  });

  it('the small young generation is a 1 MB semi-space', () => {
    expect(SMALL_YOUNG_GENERATION).toBe('--max-semi-space-size=1');
  });
});
