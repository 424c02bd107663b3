/**
 * `npm run bench -- <name> [<name>…]` runs test/bench/<name>.ts (each exports `run(): Promise<string[]>`)
 * and prints its lines. With no name, every benchmark runs. Ratios are measured side by side in one run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !available.includes(a));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const names = asked.length > 0 ? asked : available;
if (names.length > 1) {
  // Each benchmark in a fresh process, so one's heap does not inflate the next one's RSS figures.
  let failedAny = false;
  for (const name of names) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name], { stdio: 'inherit' });
    if (child.status !== 0) failedAny = true;
  }
  process.exit(failedAny ? 1 : 0);
}

let failed = false;
for (const name of names) {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run?: () => Promise<string[]> };
  if (typeof mod.run !== 'function') continue;
  try {
    for (const line of await mod.run()) console.log(line);
  } catch (err) {
    failed = true;
    console.error(`${name}: failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
