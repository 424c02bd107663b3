/**
 * Files crafted to hurt a reader are refused within seconds, with bounded memory, while the main
 * thread keeps ticking (verification runs in a limited worker; the decoder in its own process).
 * Real files from the reference encoder (sox + flac) and the test writer, then damaged on purpose.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFlacIntegrity } from '../../../src/library/flac-frames.js';
import { flacToolChecker } from '../../../src/library/verify/deep-check.js';
import { DEFAULT_LIMITS } from '../../../src/library/verify/limits.js';
import type { RejectKind, VerifyReport } from '../../../src/library/verify/report.js';
import { FileVerifier } from '../../../src/library/verify/verifier.js';
import { VerifyWorkerPool } from '../../../src/library/verify/worker-pool.js';
import { makeFlac } from '../../fakes/flac-writer.js';
import { startStallMeter } from '../../fakes/stall-meter.js';
import {
  fakeFrameHeaders,
  hasReferenceTools,
  picture,
  read,
  referenceFlac,
  vorbisComments,
  withBlocks,
  withoutMaxFrameSize,
  zeroed,
} from '../../fakes/hostile-flac.js';

const MiB = 1024 * 1024;
const missingTools = hasReferenceTools();
let dir = '';
const files: Record<string, string> = {};
let pool: VerifyWorkerPool;
let verifier: FileVerifier;

function put(name: string, bytes: Buffer): string {
  const file = path.join(dir, `${name}.flac`);
  writeFileSync(file, bytes);
  files[name] = file;
  return file;
}

/** Runs `fn` with the stall meter on: main-thread CPU between ticks (our blocking) and the wall gap. */
async function watched<T>(fn: () => Promise<T>): Promise<{ value: T; maxBusyMs: number; maxWallGapMs: number; elapsedMs: number; rssGrowthMb: number }> {
  const rss0 = process.memoryUsage().rss;
  const meter = startStallMeter(5);
  const started = performance.now();
  try {
    const value = await fn();
    const elapsedMs = performance.now() - started;
    return { value, ...meter.stop(), elapsedMs, rssGrowthMb: (process.memoryUsage().rss - rss0) / MiB };
  } catch (err) {
    meter.stop();
    throw err;
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-hostile-'));
  pool = new VerifyWorkerPool();
  verifier = new FileVerifier({ pool, deep: flacToolChecker() });
  if (missingTools) {
    console.log(`hostile-files: the reference-encoder cases do nothing here: ${missingTools}`);
    return;
  }
  const clean = read(referenceFlac(dir, 'clean', { seconds: 30, tags: { ARTIST: 'Daft Punk', TITLE: 'One More Time', ISRC: 'GBDUW0000059' } }));
  const writer = makeFlac({ artist: 'A', title: 'T', durationMs: 20_000 });
  put('writer', writer);
  // ~10.5 MB of tags: 850,000 comments (music-metadata alone: seconds blocked, GB of memory).
  put('comment-bomb', withBlocks(clean, [{ type: 4, body: vorbisComments(850_000) }], { dropTags: true }));
  // A count the block cannot hold, and one tag larger than the limit.
  put('comment-count-lie', withBlocks(clean, [{ type: 4, body: vorbisComments(2, 1, 0xffffffff) }], { dropTags: true }));
  put('comment-huge-tag', withBlocks(clean, [{ type: 4, body: vorbisComments(1, 2 * MiB) }], { dropTags: true }));
  // Three pictures of 15 MB each.
  const giant = picture(15 * MiB);
  put('giant-pictures', withBlocks(clean, [{ type: 6, body: giant }, { type: 6, body: giant }, { type: 6, body: giant }]));
  // 40 small pictures (each fine, too many in all).
  put('many-pictures', withBlocks(clean, Array.from({ length: 40 }, () => ({ type: 6, body: picture(512 * 1024) }))));
  // No max frame size and a long tail: of fake frame headers (worst case for a scan) and of noise.
  put('fake-frames-tail', Buffer.concat([withoutMaxFrameSize(clean), fakeFrameHeaders(16 * MiB)]));
  put('noise-tail', Buffer.concat([withoutMaxFrameSize(clean), Buffer.from(Array.from({ length: 8 * MiB }, (_, i) => (i * 2654435761) >>> 24))]));
  put('zeroed-40pct', zeroed(clean, 0.3, Math.floor(clean.length * 0.4)));
  put('zeroed-16-bytes', zeroed(clean, 0.5, 16));
  put('truncated-end', clean.subarray(0, clean.length - 1000));
  put('truncated-half', clean.subarray(0, Math.floor(clean.length / 2)));
  put('truncated-metadata', clean.subarray(0, 60));
  put('clean', clean);
}, 120_000);

afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const rejected: [name: string, kinds: RejectKind[], reason: RegExp][] = [
  ['comment-bomb', ['over_limit'], /tag block \(VORBIS_COMMENT\) of 10\.\d MB \(limit 1\.0 MB\)/],
  ['comment-count-lie', ['over_limit', 'not_flac'], /4294967295 tags/],
  ['comment-huge-tag', ['over_limit'], /tag block|a tag of/],
  ['giant-pictures', ['over_limit'], /embedded picture of 15\.0 MB/],
  ['many-pictures', ['over_limit'], /more than 16 embedded pictures/],
  ['fake-frames-tail', ['truncated'], /not audio|cut off/],
  ['noise-tail', ['truncated'], /cut off|not audio/],
  ['zeroed-40pct', ['damaged'], /damaged audio/],
  ['zeroed-16-bytes', ['damaged'], /damaged audio/],
  ['truncated-end', ['truncated'], /cut off|stops at/],
  ['truncated-half', ['truncated'], /cut off|stops at/],
  ['truncated-metadata', ['truncated'], /ends inside its metadata/],
];

describe('hostile FLAC files', () => {
  it.each(rejected)('%s is refused within seconds, memory bounded, the main thread never blocked', async (name, kinds, reason) => {
    if (missingTools) return void console.log(`hostile-files: ${name} not run: ${missingTools}`);
    const { value, maxBusyMs, maxWallGapMs, elapsedMs, rssGrowthMb } = await watched(() => verifier.verify(files[name]!, { deep: true }));
    expect(value.verdict).toBe('rejected');
    expect(kinds).toContain(value.kind);
    expect(value.reason).toMatch(reason);
    // Correctness bounds, generous on a loaded 2-core machine (not a benchmark): the main thread
    // never runs more than 200 ms at a stretch, and the timer is never late by seconds.
    expect(elapsedMs).toBeLessThan(10_000);
    expect(maxBusyMs).toBeLessThan(200);
    expect(maxWallGapMs).toBeLessThan(2_000);
    expect(rssGrowthMb).toBeLessThan(300);
  });

  it('a clean reference file passes with its facts and a matching MD5', async () => {
    if (missingTools) return void console.log(`hostile-files: clean not run: ${missingTools}`);
    const { value } = await watched(() => verifier.verify(files.clean!, { deep: true }));
    expect(value).toMatchObject<Partial<VerifyReport>>({ verdict: 'ok', kind: null, reason: null, deep: 'md5_match' });
    expect(value.facts).toMatchObject({ format: 'FLAC', bitDepth: 16, sampleRate: 44100, channels: 2, durationMs: 30_000, pictures: 0 });
    expect(value.facts?.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(value.facts?.tags).toMatchObject({ artist: 'Daft Punk', title: 'One More Time', isrc: 'GBDUW0000059' });
  });

  it("the test writer's file (no MD5 recorded) decodes and passes, and says the MD5 was not there to check", async () => {
    if (missingTools) return void console.log(`hostile-files: writer not run: ${missingTools}`);
    const r = await verifier.verify(files.writer!, { deep: true });
    expect(r).toMatchObject({ verdict: 'ok', deep: 'decoded_no_md5' });
  });

  it('without --deep a damaged middle is not seen (which is why the library decodes by default)', async () => {
    if (missingTools) return void console.log(`hostile-files: shallow not run: ${missingTools}`);
    const r = await verifier.verify(files['zeroed-16-bytes']!, { deep: false });
    expect(r).toMatchObject({ verdict: 'ok', deep: 'not_run' });
  });

  it('the tail check itself stays linear on 16 MB of fake frame headers (even on the main thread)', async () => {
    if (missingTools) return void console.log(`hostile-files: tail not run: ${missingTools}`);
    const { value, elapsedMs } = await watched(() => checkFlacIntegrity(files['fake-frames-tail']!));
    expect(value).toMatchObject({ ok: false, kind: 'truncated' });
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('if our bounds were too loose, the worker limits still contain a comment bomb', async () => {
    if (missingTools) return void console.log(`hostile-files: worker limits not run: ${missingTools}`);
    const loose = { ...DEFAULT_LIMITS, maxVorbisCommentBytes: 16 * MiB, maxVorbisComments: 2 ** 32, maxVorbisCommentLength: 16 * MiB };
    const tight = new VerifyWorkerPool({ parseLimits: loose, limits: { maxHeapMb: 64, timeoutMs: 3_000 } });
    try {
      const { value, maxBusyMs, elapsedMs } = await watched(() => new FileVerifier({ pool: tight, deep: null }).verify(files['comment-bomb']!));
      expect(value.verdict).toBe('rejected');
      expect(['memory', 'timeout']).toContain(value.kind);
      expect(value.reason).toMatch(/more than 64 MB of memory|longer than 3 s/);
      expect(elapsedMs).toBeLessThan(10_000);
      expect(maxBusyMs).toBeLessThan(200);
    } finally {
      await tight.close();
    }
  });

  it('a worker over its heap limit is stopped and the file refused for memory', async () => {
    if (missingTools) return void console.log(`hostile-files: worker memory not run: ${missingTools}`);
    const loose = { ...DEFAULT_LIMITS, maxVorbisCommentBytes: 16 * MiB, maxVorbisComments: 2 ** 32 };
    const small = new VerifyWorkerPool({ parseLimits: loose, limits: { maxHeapMb: 32, timeoutMs: 30_000 } });
    try {
      const r = await new FileVerifier({ pool: small, deep: null }).verify(files['comment-bomb']!);
      expect(r).toMatchObject({ verdict: 'rejected', kind: 'memory', reason: 'refused: checking it needed more than 32 MB of memory' });
    } finally {
      await small.close();
    }
  });

  it('a worker stopped at its time limit is replaced: the next file is verified normally', async () => {
    if (missingTools) return void console.log(`hostile-files: worker replacement not run: ${missingTools}`);
    const quick = new VerifyWorkerPool({ limits: { timeoutMs: 1 } });
    try {
      const r = await new FileVerifier({ pool: quick, deep: null }).verify(files.clean!);
      expect(r).toMatchObject({ verdict: 'rejected', kind: 'timeout' });
    } finally {
      await quick.close();
    }
    expect((await verifier.verify(files.clean!, { deep: false })).verdict).toBe('ok');
  });
});

describe('the deep check process', () => {
  it('is killed at its time limit, and on abort', async () => {
    if (missingTools) return void console.log(`hostile-files: deep-check limits not run: ${missingTools}`);
    const slow = flacToolChecker({ timeoutMs: 1 });
    expect(await slow.check(files.clean!)).toMatchObject({ ok: false, kind: 'timeout', reason: expect.stringMatching(/decoding it took longer than/) });
    const ac = new AbortController();
    const running = flacToolChecker().check(files.clean!, { signal: ac.signal });
    setImmediate(() => ac.abort(new Error('stopped by the owner')));
    await expect(running).rejects.toThrow('stopped by the owner');
  });
});
