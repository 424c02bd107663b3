import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { runScenario } from '../../src/matching/eval-format.js';
import { devSetPath, loadDevSet } from '../bench/match.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crate-debug-match-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function crate(...args: string[]) {
  const out = sink();
  const err = sink();
  const code = await runCli(['node', 'crate', ...args], { env: { LOG_LEVEL: 'silent' }, cwd: dir, stdout: out.stream, stderr: err.stream, shutdownSignal: new AbortController().signal });
  return { code, out: out.text(), err: err.text() };
}

async function file(name: string, content: unknown): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const SMALL = {
  format: 'crate-match-eval/1',
  scenarios: [
    {
      id: 's1',
      kind: 'attribution',
      requests: [
        { id: 'r1', artists: ['Bicep'], title: 'Glue', durationMs: 269_320 },
        { id: 'r2', artists: ['Kerri Chandler'], title: 'Rain - Dub', durationMs: 428_050 },
      ],
      files: [
        { id: 'f1', fileName: 'Kerri Chandler - Rain.flac', tags: { artist: 'Kerri Chandler', title: 'Rain', durationMs: 430_780 } },
        { id: 'f2', fileName: '02. Bicep - Glue.flac', tags: {} },
      ],
      expected: { f1: 'r2', f2: null },
    },
    { id: 'm1', kind: 'menu', request: { id: 'q', artists: ['Bicep'], title: 'Glue', durationMs: 269_500 }, buttons: ['Bicep - Glue (Edit) [3:20]', 'Bicep - Glue [4:29]', '◉', '1 / 2', '→'], expected: null },
  ],
};

describe('crate debug match', () => {
  it('prints one JSON line per scenario, exactly as ARCHITECTURE.md §7 says (expected is ignored)', async () => {
    const r = await crate('debug', 'match', '--input', await file('small.json', SMALL));
    expect(r.code).toBe(0);
    expect(r.out).toBe('{"id":"s1","assignments":{"f1":null,"f2":"r1"}}\n{"id":"m1","choice":1}\n');
  });

  it('prints the same as the product functions on the dev set', async () => {
    const r = await crate('debug', 'match', '--input', devSetPath());
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(loadDevSet().scenarios.map((s) => runScenario(s)));
  });

  it('--explain writes reasons to stderr and leaves stdout unchanged', async () => {
    const r = await crate('debug', 'match', '--explain', '--input', await file('small2.json', SMALL));
    expect(r.out).toBe('{"id":"s1","assignments":{"f1":null,"f2":"r1"}}\n{"id":"m1","choice":1}\n');
    expect(r.err).toContain('version differs');
  });

  it.each([
    ['a missing file', () => Promise.resolve(path.join(dir, 'nope.json')), 'input file not found'],
    ['invalid JSON', () => file('bad.json', '{"format": '), 'is not valid JSON'],
    ['another format', () => file('other.json', { format: 'something/2', scenarios: [] }), 'is not a crate-match-eval/1 file'],
    ['a broken scenario', () => file('broken.json', { format: 'crate-match-eval/1', scenarios: [{ id: 'x', kind: 'menu', request: { id: 'q', artists: 'Bicep', title: 'Glue' }, buttons: [] }] }), 'scenarios.0.request.artists'],
  ])('%s is a clear user error', async (_name, make, message) => {
    const r = await crate('debug', 'match', '--input', await make());
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('    at ');
  });

  it('requires --input', async () => {
    const r = await crate('debug', 'match');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('--input');
  });
});
