/**
 * The build (`npm run build` → dist/) through the real binary: bin/crate.js runs dist/ when it is
 * current, the compiled commands work, and the Drizzle migrations are found from dist/ too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCrate } from './support/crate-bin.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-build-'));
  // Compiles only when dist/ is missing or older than src/ (CI builds before testing).
  const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/ensure-build.js')], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the compiled build', () => {
  it('is what bin/crate.js runs when it is current', async () => {
    const out = path.join(dir, 'loads.txt');
    const run = await runCrate(['--help'], {
      cwd: dir,
      env: { CRATE_RUN_FROM: '', CRATE_RECORD_LOADS: out },
      nodeArgs: ['--import', path.join(REPO_ROOT, 'test/cli/support/record-loads.mjs')],
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: crate');
    const loads = readFileSync(out, 'utf8');
    expect(loads).toContain(`${path.join(REPO_ROOT, 'dist/cli.js')}`);
    expect(loads).not.toMatch(/\/src\/cli\.ts/);
    expect(loads).not.toMatch(/node_modules\/tsx\//);
  });

  it('finds the migrations from dist/: a database made by the build is read by the built status', async () => {
    const file = path.join(dir, 'data', 'crate.sqlite');
    const open = pathToFileURL(path.join(REPO_ROOT, 'dist/db/open.js')).href;
    const made = spawnSync(process.execPath, ['--input-type=module', '-e', `(await import(${JSON.stringify(open)})).openDatabase(${JSON.stringify(file)}).close()`], { encoding: 'utf8' });
    expect(made.stderr).toBe('');
    expect(existsSync(file)).toBe(true);
    const run = await runCrate(['status'], { cwd: dir, from: 'dist', env: { CRATE_DATA_DIR: path.join(dir, 'data') } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No jobs yet');
  });
});
