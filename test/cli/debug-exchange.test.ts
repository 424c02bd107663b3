import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { registerDebugExchange } from '../../src/cli/debug-exchange.js';
import { EXCHANGE_DEV_SET } from '../fixtures/paths.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crate-debug-exchange-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function crate(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(c, _e, cb) {
        into.push(String(c));
        cb();
      },
    });
  const code = await runCli(['node', 'crate', ...args], { stdout: sink(out), stderr: sink(err), env: {}, cwd: dir, commands: [registerDebugExchange] });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('crate debug exchange', () => {
  it('prints one JSON line per scenario with the fields of the format', async () => {
    const input = path.join(dir, 'dev.json');
    await copyFile(EXCHANGE_DEV_SET, input);
    const { code, stdout, stderr } = await crate(['debug', 'exchange', '--input', input]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['id'])).toEqual([
      'dev-happy-path',
      'dev-placeholder-edited-into-menu',
      'dev-nothing-found-photo',
      'dev-subscription-gate',
      'dev-paging',
      'dev-wrong-document',
    ]);
    for (const l of lines) expect(Object.keys(l)).toEqual(['id', 'outcome', 'document', 'pause', 'sent', 'clicks', 'reason']);
    expect(lines[0]).toMatchObject({ outcome: 'download', document: 'm2', pause: null });
  });

  it('names the file and the scenario of a bad input, in plain words (exit 2)', async () => {
    const input = path.join(dir, 'bad.json');
    await writeFile(input, JSON.stringify({ format: 'crate-exchange/1', scenarios: [{ id: 'broken', request: { artists: [], title: 'x' }, bot: [] }] }));
    const bad = await crate(['debug', 'exchange', '--input', input]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`crate: ${input}: scenario "broken" (scenarios[0]): request.artists`);
    expect(bad.stdout).toBe('');
    const missing = await crate(['debug', 'exchange', '--input', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('input file not found');
  });
});
