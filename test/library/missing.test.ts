import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { DrizzleTagCache } from '../../src/db/tag-cache-store.js';
import type { TrackInfo } from '../../src/domain/track.js';
import { checkFolder, findMissing } from '../../src/library/missing.js';
import type { ScannedFile } from '../../src/library/scan.js';
import { tmpDir } from '../spotify/support.js';
import { FLAC_FIXTURES } from '../fixtures/paths.js';

const FIX = FLAC_FIXTURES;
const tmp = tmpDir('crate-missing-');
const dir = path.join(tmp.dir, 'My Set');

function track(position: number, artists: string[], title: string, durationMs: number | null, isrc: string | null = null): TrackInfo {
  return { position, spotifyId: null, artists, title, album: null, durationMs, isrc, releaseYear: null };
}

const playlist: TrackInfo[] = [
  track(1, ['Kerri Chandler'], 'Rain - Original Mix', 2000, 'USABC9800001'),
  track(2, ['Róisín Murphy'], 'Overpowered', 2000),
  track(3, ['Some Artist'], 'Lost Track', 200_000),
  track(4, ['Kerri Chandler'], 'Bar A Thym', 1000),
  track(5, ['Daft Punk'], 'One More Time', 2000, 'GBDUW0000053'),
];

beforeAll(() => {
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  copyFileSync(`${FIX}/kerri-chandler-rain-16-44.flac`, path.join(dir, 'track01.flac'));
  copyFileSync(`${FIX}/roisin-murphy-overpowered-24-96.flac`, path.join(dir, 'whatever name.flac'));
  copyFileSync(`${FIX}/notags.flac`, path.join(dir, '04. Kerri Chandler - Bar A Thym.flac'));
  copyFileSync(`${FIX}/truncated.flac`, path.join(dir, 'Daft Punk - One More Time.flac'));
  copyFileSync(`${FIX}/kino-gruppa-krovi-24-192.flac`, path.join(dir, 'sub', 'kino.flac'));
  copyFileSync(`${FIX}/not-flac.flac`, path.join(dir, 'not really.flac'));
  writeFileSync(path.join(dir, 'half.flac.part'), 'partial download');
  writeFileSync(path.join(dir, 'cover.jpg'), 'not audio');
});
afterAll(() => tmp.cleanup());

describe('checkFolder against real FLAC files', () => {
  it('finds present tracks by ISRC, by tags and by file name; lists missing, extra and unusable files', async () => {
    const report = await checkFolder(playlist, dir);
    expect(report.exists).toBe(true);
    expect(report.scanned).toBe(6);
    expect(report.present.map((p) => [p.track.position, p.file.relPath, p.by])).toEqual([
      [1, 'track01.flac', 'isrc'],
      [2, 'whatever name.flac', 'tags'],
      [4, '04. Kerri Chandler - Bar A Thym.flac', 'file name'],
    ]);
    expect(report.missing.map((t) => t.position)).toEqual([3, 5]);
    expect(report.extra.map((f) => [f.relPath, f.tags?.artist, f.tags?.title])).toEqual([[path.join('sub', 'kino.flac'), 'Кино', 'Группа крови']]);
    expect(report.unreadable.map((f) => [f.relPath, f.error])).toEqual([
      ['Daft Punk - One More Time.flac', 'truncated: the last audio frame is cut off (the stream should last 2.00 s)'],
      ['not really.flac', 'not a FLAC file (no FLAC signature ("fLaC") at the start)'],
    ]);
  });

  it('a folder that does not exist yet means every track is missing', async () => {
    const report = await checkFolder(playlist, path.join(tmp.dir, 'nothing here'));
    expect(report.exists).toBe(false);
    expect(report.missing).toHaveLength(5);
  });

  it('reads each file once: later scans come from the tag cache (SQLite) until size or mtime change', async () => {
    const db = openDatabase(path.join(tmp.dir, 'data', 'crate.sqlite'));
    try {
      const cache = new DrizzleTagCache(db.db);
      const first = await checkFolder(playlist, dir, { cache });
      expect(first.cacheHits).toBe(0);
      const second = await checkFolder(playlist, dir, { cache });
      expect(second.cacheHits).toBe(6);
      expect(second.present).toEqual(first.present);
      expect(second.unreadable.map((f) => f.error)).toEqual(first.unreadable.map((f) => f.error));
      // The truncated file is replaced by the complete one: same name, new bytes, new mtime.
      const fixed = path.join(dir, 'Daft Punk - One More Time.flac');
      copyFileSync(`${FIX}/kerri-chandler-rain-16-44.flac`, fixed);
      utimesSync(fixed, new Date(), new Date(Date.now() + 5000));
      const third = await checkFolder(playlist, dir, { cache });
      expect(third.cacheHits).toBe(5);
      expect(third.unreadable.map((f) => f.relPath)).toEqual(['not really.flac']);
      copyFileSync(`${FIX}/truncated.flac`, fixed);
    } finally {
      db.close();
    }
  });
});

describe('findMissing (pure)', () => {
  const file = (relPath: string, tags: Partial<NonNullable<ScannedFile['tags']>> | null): ScannedFile => ({
    path: `/lib/${relPath}`,
    relPath,
    sizeBytes: 1,
    tags: tags && {
      artists: tags.artist ? [tags.artist] : [],
      artist: null,
      title: null,
      album: null,
      isrc: null,
      year: null,
      durationMs: null,
      bitDepth: 16,
      sampleRate: 44100,
      channels: 2,
      ...tags,
    },
    error: null,
  });

  it('a different ISRC is never the same track, even with the same words', () => {
    const r = findMissing([track(1, ['A'], 'Song', 200_000, 'USAAA0000001')], [file('a.flac', { artist: 'A', title: 'Song', durationMs: 200_000, isrc: 'USAAA0000002' })]);
    expect(r.missing).toHaveLength(1);
    expect(r.extra).toHaveLength(1);
  });

  it('a remix is not the original; a track listed twice needs two files', () => {
    const tracks = [track(1, ['A'], 'Song', 200_000), track(2, ['A'], 'Song (B Remix)', 300_000), track(3, ['A'], 'Song', 200_000)];
    const r = findMissing(tracks, [file('a.flac', { artist: 'A', title: 'Song', durationMs: 200_500 })]);
    expect(r.present.map((p) => p.track.position)).toEqual([1]);
    expect(r.missing.map((t) => t.position)).toEqual([2, 3]);
  });

  it('uses the matcher\'s normalisation: accents, case, feat. and "Original Mix"', () => {
    const r = findMissing(
      [track(1, ['Roisin Murphy', 'Someone'], 'overpowered (Original Mix)', 250_000)],
      [file('x.flac', { artist: 'Róisín Murphy', title: 'Overpowered', durationMs: 251_000 })],
    );
    expect(r.present).toHaveLength(1);
  });

  it('stays fast on a big library (2,000 tracks against 3,000 files)', () => {
    const tracks = Array.from({ length: 2000 }, (_, i) => track(i + 1, [`Artist ${i}`], `Title number ${i}`, 200_000 + i, i % 2 ? `QZABC${String(i).padStart(7, '0')}` : null));
    const files = Array.from({ length: 3000 }, (_, i) =>
      file(`f${i}.flac`, { artist: `Artist ${i}`, title: `Title number ${i}`, durationMs: 200_000 + i, isrc: i % 2 ? `QZABC${String(i).padStart(7, '0')}` : null }),
    );
    const started = performance.now();
    const r = findMissing(tracks, files);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r.present).toHaveLength(2000);
    expect(r.extra).toHaveLength(1000);
  });
});
