/**
 * `npm run chaos -- kill-resume`: a 50-track job SIGKILLed at 20 points spread over its life
 * (while sending, while a menu is pending, mid-download, between download and rename, during
 * verification, during a FloodWait) and restarted each time. Real time, DELAY_BETWEEN_REQUESTS=2.
 */
import type { ChaosContext } from './context.js';
import { describeKillResume, runKillResume, type KillKind } from './kill-resume-scenario.js';

/** Six categories spread over the job's life; each variant of a category is hit at least once. */
export const TWENTY_KILLS: KillKind[] = [
  'sending',
  'menu-before-reply',
  'mid-download',
  'downloaded',
  'verify-link',
  'flood',
  'menu-row-click',
  'sending',
  'mid-download',
  'verify-unlink',
  'downloaded',
  'flood',
  'menu-quality-click',
  'mid-download',
  'sending',
  'verify-unlinked',
  'downloaded',
  'menu-before-reply',
  'flood',
  'mid-download',
];

export async function run(ctx?: ChaosContext): Promise<{ lines: string[]; ok: boolean }> {
  const result = await runKillResume({ tracks: 50, notFound: [16, 33], kills: TWENTY_KILLS, floodSeconds: 6 });
  ctx?.recordPacing(result.pacing);
  const ok = result.kills.every((k) => k.clean) && result.violations.length === 0;
  return { lines: describeKillResume(result), ok };
}
