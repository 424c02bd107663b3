/**
 * `npm run chaos -- input` (issue 7, item 3): hostile links, private/deleted/editorial playlists,
 * a 10,000-track playlist, hostile titles, broken FLACs, huge non-audio documents, bad settings,
 * and hostile links sent to the control bot. Prints one line per case and `input: I/I handled`.
 */
import type { ChaosContext } from './context.js';
import { INPUT_CASES } from './cases/input.js';
import { caseLines, runCases } from './cases/run-cases.js';
import { botLinks } from './cases/security.js';

export async function run(ctx?: ChaosContext): Promise<{ lines: string[]; ok: boolean }> {
  const results = await runCases('input', [...INPUT_CASES, botLinks], ctx);
  return { lines: caseLines(results, (p, n) => `input: ${p}/${n} handled`), ok: results.every((r) => r.ok) };
}
