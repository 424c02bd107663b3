/**
 * `npm run chaos` runs this last: the pacing proof over every chaos check that recorded its
 * simulator's action log in the shared context. Run alone (`npm run chaos -- pacing`), it runs
 * the kill-and-resume check first, as that is the one with restarts and FloodWaits.
 */
import type { ChaosContext } from './context.js';
import { checkPacing, describePacing } from './pacing-check.js';

export async function run(ctx: ChaosContext): Promise<{ lines: string[]; ok: boolean }> {
  if (ctx.pacingRecords().length === 0) {
    const killResume = await import('./kill-resume.js');
    await killResume.run(ctx);
  }
  const records = ctx.pacingRecords();
  const verdict = checkPacing(records);
  return { lines: describePacing(verdict, records), ok: verdict.ok && verdict.messages > 0 };
}
