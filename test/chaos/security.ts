/**
 * `npm run chaos -- security` (issue 7, item 4): strangers, file modes of the secrets, no secret in
 * any output at trace level, login codes never as plain digits. Prints `security: S/S checks passed`.
 */
import type { ChaosContext } from './context.js';
import { caseLines, runCases } from './cases/run-cases.js';
import { SECURITY_CASES } from './cases/security.js';

export async function run(ctx?: ChaosContext): Promise<{ lines: string[]; ok: boolean }> {
  const results = await runCases('security', SECURITY_CASES, ctx);
  return { lines: caseLines(results, (p, n) => `security: ${p}/${n} checks passed`), ok: results.every((r) => r.ok) };
}
