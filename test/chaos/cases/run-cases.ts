/** Runs a table of chaos cases and turns the results into the lines `npm run chaos` prints. */
import type { ChaosContext } from '../context.js';
import type { ChaosCase } from './faults.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export async function runCases(
  source: string,
  cases: ChaosCase[],
  ctx?: ChaosContext,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const started = Date.now();
    try {
      const outcome = await c.run();
      for (const p of outcome.pacing ?? []) ctx?.recordPacing({ source: `${source}/${c.name}`, ...p });
      results.push({ name: c.name, ok: true, detail: outcome.detail, ms: Date.now() - started });
    } catch (err) {
      const detail = err instanceof Error ? (err.name === 'CaseFailure' ? err.message : (err.stack ?? err.message)) : String(err);
      results.push({ name: c.name, ok: false, detail, ms: Date.now() - started });
    }
  }
  return results;
}

/** "  ok   name — detail" lines, then the summary line. */
export function caseLines(results: CaseResult[], summary: (passed: number, total: number) => string): string[] {
  const passed = results.filter((r) => r.ok).length;
  return [
    ...results.map((r) => `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} — ${r.detail.split('\n').join('\n         ')}`),
    summary(passed, results.length),
  ];
}
