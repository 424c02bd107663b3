/** `crate verify PATH… [--deep] [--json]` through the real CLI (runCli, every command registered), on real files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { EXIT_REFUSED } from '../../src/cli/verify.js';
import type { VerifyReport } from '../../src/library/verify/report.js';
import { makeFlac } from '../fakes/flac-writer.js';
import { hasReferenceTools, read, referenceFlac, vorbisComments, withBlocks, zeroed } from '../fakes/hostile-flac.js';

const missingTools = hasReferenceTools();
let dir = '';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function crate(...argv: string[]) {
  const out = capture();
  const err = capture();
  const code = await runCli(['node', 'crate', ...argv], { env: { LOG_LEVEL: 'silent' }, cwd: dir, stdout: out.stream, stderr: err.stream, shutdownSignal: new AbortController().signal });
  return { code, out: out.text(), err: err.text() };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-verify-cli-'));
  const lib = path.join(dir, 'library', 'Late Night');
  mkdirSync(lib, { recursive: true });
  writeFileSync(path.join(lib, 'Kerri Chandler - Rain.flac'), makeFlac({ artist: 'Kerri Chandler', title: 'Rain', isrc: 'USABC0000001', durationMs: 12_000 }));
  writeFileSync(path.join(lib, 'cut.flac'), makeFlac({ artist: 'A', title: 'Cut', durationMs: 12_000 }).subarray(0, 300));
  writeFileSync(path.join(lib, 'notes.txt'), 'not audio, not a .flac: not listed');
  if (missingTools) return;
  const clean = read(referenceFlac(dir, 'clean', { seconds: 10, bits: 24, rate: 96000, tags: { ARTIST: 'Moodymann', TITLE: 'Shades of Jae' } }));
  writeFileSync(path.join(dir, 'clean.flac'), clean);
  writeFileSync(path.join(dir, 'damaged.flac'), zeroed(clean, 0.5, 16));
  writeFileSync(path.join(dir, 'bomb.flac'), withBlocks(clean, [{ type: 4, body: vorbisComments(300_000) }], { dropTags: true }));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crate verify', () => {
  it('a folder: each FLAC with its verdict and facts; exit 4 when one is refused', async () => {
    const r = await crate('verify', 'library');
    expect(r.code).toBe(EXIT_REFUSED);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(r.out).toMatch(/^ok {7}library\/Late Night\/Kerri Chandler - Rain\.flac: FLAC 16-bit 44\.1 kHz, 0:12, .*"Kerri Chandler - Rain", ISRC USABC0000001$/m);
    expect(r.out).toMatch(/^REFUSED {2}library\/Late Night\/cut\.flac: truncated: /m);
    expect(lines[2]).toBe('2 files: 1 ok, 1 refused (structure and completeness; add --deep to decode the audio).');
    expect(r.err).toBe('');
  });

  it('--deep decodes: a 16-byte hole in the middle is refused, the clean 24/96 file passes with its MD5 checked', async () => {
    if (missingTools) return void console.log(`crate verify --deep not run: ${missingTools}`);
    const r = await crate('verify', 'clean.flac', 'damaged.flac', '--deep');
    expect(r.code).toBe(EXIT_REFUSED);
    expect(r.out).toMatch(/^ok {7}clean\.flac: FLAC 24-bit 96 kHz, 0:10, .*MD5 checked, "Moodymann - Shades of Jae"$/m);
    expect(r.out).toMatch(/^REFUSED {2}damaged\.flac: damaged audio: /m);
    const shallow = await crate('verify', 'damaged.flac');
    expect(shallow.code).toBe(0);
  });

  it('--json: the verdict, the reason and the facts per file', async () => {
    if (missingTools) return void console.log(`crate verify --json not run: ${missingTools}`);
    const r = await crate('verify', 'clean.flac', 'bomb.flac', '--json', '--deep');
    expect(r.code).toBe(EXIT_REFUSED);
    const parsed = JSON.parse(r.out) as { files: VerifyReport[]; ok: number; refused: number };
    expect(parsed).toMatchObject({ ok: 1, refused: 1 });
    expect(parsed.files[0]).toMatchObject({ verdict: 'ok', deep: 'md5_match', facts: { format: 'FLAC', bitDepth: 24, sampleRate: 96000, durationMs: 10_000, tags: { artist: 'Moodymann' } } });
    expect(parsed.files[1]).toMatchObject({ verdict: 'rejected', kind: 'over_limit', deep: 'not_run', facts: null });
    expect(parsed.files[1]!.reason).toMatch(/VORBIS_COMMENT/);
  });

  it('all good: exit 0', async () => {
    const r = await crate('verify', path.join('library', 'Late Night', 'Kerri Chandler - Rain.flac'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 file: 1 ok, 0 refused/);
  });

  it('a path that does not exist: exit 2 and says which', async () => {
    const r = await crate('verify', 'library', 'nowhere');
    expect(r.code).toBe(2);
    expect(r.err).toBe('crate: No such file or folder: nowhere\n');
  });
});
