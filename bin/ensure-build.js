#!/usr/bin/env node
// `npm run build` (--always) and `npm start` (first, only when needed): compiles src/ to dist/ with
// tsc -p tsconfig.build.json, so a fresh clone's `npm ci && npm start` runs the compiled service.
// Without the compiler (an install with --omit=dev) it says so and `crate` runs the sources through
// tsx. The stamp (dist/.tsbuildinfo) is touched after every good build: an incremental tsc that had
// nothing to do leaves it old, and bin/crate.js would take the build for stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const stamp = `${root}dist/.tsbuildinfo`;
const sources = `${root}src`;

function current() {
  if (!existsSync(stamp)) return false;
  if (!existsSync(sources)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  return readdirSync(sources, { recursive: true, withFileTypes: true }).every(
    (e) => !e.isFile() || statSync(`${e.parentPath}/${e.name}`).mtimeMs <= builtAt,
  );
}

if (process.argv.includes('--always') || !current()) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    console.error('crate: no TypeScript compiler installed (npm ci without dev dependencies): running the sources through tsx.');
    process.exit(0);
  }
  if (!process.argv.includes('--always')) console.error('crate: compiling to dist/ (npm run build)…');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const now = new Date();
  utimesSync(stamp, now, now);
}
