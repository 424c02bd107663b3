/**
 * `npm run chaos -- faults` (issue 7, item 2): every injected fault on the whole stack, plus the
 * Telegram outages mid-job with GramJS's own connection code (issue 10), and the
 * real-kernel variants (a 1 MB tmpfs, a read-only tmpfs) when this process may mount one.
 * Prints one line per fault and `faults: F/F handled`.
 */
import type { ChaosContext } from './context.js';
import { FAULT_CASES } from './cases/faults.js';
import { TMPFS_FAULT_CASES, tmpfsAvailable } from './cases/faults-tmpfs.js';
import { OUTAGE_CASES } from './cases/outage.js';
import { caseLines, runCases } from './cases/run-cases.js';

export async function run(ctx?: ChaosContext): Promise<{ lines: string[]; ok: boolean }> {
  const withTmpfs = tmpfsAvailable();
  const results = await runCases('faults', [...FAULT_CASES, ...OUTAGE_CASES, ...(withTmpfs ? TMPFS_FAULT_CASES : [])], ctx);
  const lines = caseLines(results, (p, n) => `faults: ${p}/${n} handled`);
  if (!withTmpfs) lines.splice(lines.length - 1, 0, '  (real-disk variants skipped: mounting a tmpfs needs root; the injected ENOSPC/EROFS cases ran)');
  return { lines, ok: results.every((r) => r.ok) };
}
