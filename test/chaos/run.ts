/**
 * `npm run chaos [-- <name>…]` runs the long reliability checks (issue 7).
 *
 * Contract for a chaos module test/chaos/<name>.ts: it exports
 *   `export async function run(ctx: ChaosContext): Promise<{ lines: string[]; ok: boolean }>`
 * (ctx may be ignored). Files without such an export (helpers, child scripts, *.test.ts) are never
 * imported: the runner looks for the export in the source text first, so a child script's
 * top-level code cannot run by accident.
 *
 * Pacing evidence: every module that drives a SimulatedLosslessBot hands its action log to
 * `ctx.recordPacing(...)`; `pacing.ts` runs last and checks all of them together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { createChaosContext, type ChaosContext } from './context.js';

export type ChaosResult = { lines: string[]; ok: boolean };
type ChaosModule = { run?: (ctx: ChaosContext) => Promise<ChaosResult> };

const here = path.dirname(fileURLToPath(import.meta.url));
const LAST = 'pacing';
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'run.ts')
  .filter((f) => /export\s+(async\s+)?function\s+run\s*\(/.test(readFileSync(path.join(here, f), 'utf8')))
  .map((f) => f.slice(0, -3))
  .sort((a, b) => Number(a === LAST) - Number(b === LAST) || a.localeCompare(b));

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !available.includes(a));
if (unknown.length > 0) {
  console.error(`unknown chaos check(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const chosen = asked.length > 0 ? available.filter((a) => asked.includes(a)) : available;

const ctx = createChaosContext();
let failed = false;
for (const name of chosen) {
  const started = Date.now();
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as ChaosModule;
  if (typeof mod.run !== 'function') continue;
  try {
    const result = await mod.run(ctx);
    for (const line of result.lines) console.log(line);
    if (!result.ok) failed = true;
    console.error(`(${name}: ${result.ok ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed = true;
    console.error(`${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
