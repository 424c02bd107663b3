/**
 * The fast variant of `npm run chaos -- kill-resume` for CI: real `crate download` child
 * processes on the simulated @LosslessRobot, SIGKILLed mid-download, between the download and its
 * move into the library, right after that move (before SQLite says so), and during a FloodWait,
 * then restarted. Everything lands once,
 * byte-identical, nothing is asked again, the FloodWait holds across the restart, and the bot
 * never sees two messages closer than the 2 s gap.
 */
import { describe, expect, it } from 'vitest';
import { describeKillResume, runKillResume } from './kill-resume-scenario.js';
import { checkPacing } from './pacing-check.js';

describe('kill and resume (SIGKILL, real child processes)', () => {
  it('survives SIGKILL mid-download, between download and rename, after the move into the library, and during a FloodWait', { timeout: 120_000 }, async () => {
    const result = await runKillResume({ tracks: 7, kills: ['mid-download', 'downloaded', 'verify-unlinked', 'flood'], floodSeconds: 3 });
    const lines = describeKillResume(result);
    expect(lines[0], lines.join('\n')).toBe('chaos: kill-resume 4/4 clean');
    expect(result.violations).toEqual([]);
    const pacing = checkPacing([result.pacing]);
    expect(pacing.problems).toEqual([]);
    expect(pacing.minGapMs).toBeGreaterThanOrEqual(2000);
    expect(pacing.duringFlood).toBe(0);
  });
});
