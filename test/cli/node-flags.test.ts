import { describe, expect, it } from 'vitest';
import { MEMORY_SAVING_MODE, SMALL_YOUNG_GENERATION, nodeEnvFor, nodeFlagsFor } from '../../bin/node-flags.js';

describe('nodeFlagsFor (the flags bin/crate.js restarts itself with)', () => {
  it.each([
    ['serve', [SMALL_YOUNG_GENERATION, MEMORY_SAVING_MODE]],
    ['download', [SMALL_YOUNG_GENERATION]],
    ['status', []],
    ['login', []],
    [undefined, []],
  ])('crate %s runs with %j', (command, flags) => {
    expect(nodeFlagsFor(command)).toEqual(flags);
  });

  it('the small young generation is a 1 MB semi-space; serve also runs in V8\'s memory-saving mode', () => {
    expect(SMALL_YOUNG_GENERATION).toBe('--max-semi-space-size=1');
    expect(MEMORY_SAVING_MODE).toBe('--optimize-for-size');
  });

  it('serve restarts with two malloc arenas unless the owner set another number; other commands keep the environment as it is', () => {
    expect(nodeEnvFor('serve', { PATH: '/bin' })).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '2' });
    expect(nodeEnvFor('serve', { MALLOC_ARENA_MAX: '8' })).toEqual({ MALLOC_ARENA_MAX: '8' });
    expect(nodeEnvFor('download', { PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });
});
