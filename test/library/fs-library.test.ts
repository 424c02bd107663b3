import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJobStore, type DrizzleJobStore } from '../../src/db/job-store.js';
import type { JobRecord, TrackRecord } from '../../src/domain/job.js';
import type { SourceListing } from '../../src/domain/track.js';
import { FsLibrary } from '../../src/library/fs-library.js';
import { makeFlac } from '../fakes/flac-writer.js';
import { hasReferenceTools, read, referenceFlac, vorbisComments, withBlocks, zeroed } from '../fakes/hostile-flac.js';
import { FLAC_FIXTURES } from '../fixtures/paths.js';

const FIXTURES = FLAC_FIXTURES;

const listing: SourceListing = {
  source: { type: 'playlist', id: 'P', name: 'Late Night', total: 3, backend: 'user' },
  tracks: [
    { position: 1, spotifyId: 's1', artists: ['Róisín Murphy'], title: 'Overpowered', album: 'Overpowered', durationMs: 30_000, isrc: 'GB0000000001', releaseYear: 2007 },
    { position: 2, spotifyId: 's2', artists: ['Kerri Chandler'], title: 'Rain', album: null, durationMs: 20_000, isrc: null, releaseYear: null },
    { position: 3, spotifyId: 's3', artists: ['Nobody'], title: 'Silence', album: null, durationMs: 10_000, isrc: null, releaseYear: null },
  ],
  warnings: [],
};

describe('FsLibrary', () => {
  let dir: string;
  let store: DrizzleJobStore;
  let close: () => void;
  let job: JobRecord;
  let tracks: TrackRecord[];
  let library: FsLibrary;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-lib-'));
    ({ store, close } = openJobStore(path.join(dir, 'crate.sqlite')));
    job = store.createJob({
      link: 'L',
      listing,
      fingerprint: 'f',
      options: {
        limit: null,
        startFrom: 1,
        batchSize: 2,
        organizeBy: 'playlist',
        yearFolders: false,
        outputDir: path.join(dir, 'music'),
        fileTemplate: '{artists} - {title}',
        quality: 'max',
      },
    });
    tracks = store.tracks(job.id);
    library = new FsLibrary({ store });
  });
  afterEach(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function download(track: TrackRecord, bytes: Buffer): Promise<string> {
    const p = await library.downloadPath(job, track);
    writeFileSync(p, bytes);
    return p;
  }

  it('verifies a real FLAC by its own tags, stores it under its name and records what arrived', async () => {
    const t = tracks[0]!;
    const p = await download(t, makeFlac({ artist: 'Róisín Murphy', title: 'Overpowered', durationMs: 30_000, sampleRate: 96_000, bitDepth: 24, isrc: 'GB0000000001' }));
    expect(p).toContain(`${path.sep}.crate-partial${path.sep}job-${job.id}${path.sep}`);
    const result = await library.accept(job, t, p);
    expect(result.kind).toBe('stored');
    expect(result.path).toBe(path.join(dir, 'music', 'Late Night', 'Róisín Murphy - Overpowered.flac'));
    expect(result.audio).toMatchObject({ bitDepth: 24, sampleRate: 96_000, channels: 2, durationMs: 30_000, quality: 'max' });
    expect(result.audio!.sizeBytes).toBe(statSync(result.path).size);
    expect(existsSync(p)).toBe(false);
  });

  it('checks a file from the row the owner chose by hand against that row, and names it after the track', async () => {
    const row = 'Kerri Chandler - Rain (Extended Mix) [0:50]';
    const t = { ...tracks[1]!, rememberedChoice: row, pickedRow: row };
    const flac = () => makeFlac({ artist: 'Kerri Chandler', title: 'Rain (Extended Mix)', durationMs: 50_000 });
    const chosen = await library.accept(job, t, await download(t, flac()));
    expect(chosen.kind).toBe('stored');
    expect(chosen.path).toBe(path.join(dir, 'music', 'Late Night', 'Kerri Chandler - Rain.flac'));
    // Without the owner's choice the same file is another version of the track: quarantined.
    const other = await library.accept(job, { ...tracks[1]!, pickedRow: row }, await download(tracks[1]!, flac()));
    expect(other.kind).toBe('quarantined');
  });

  it('stores the reference-encoder fixtures too', async () => {
    const t = tracks[1]!;
    const p = await library.downloadPath(job, t);
    copyFileSync(path.join(FIXTURES, 'kerri-chandler-rain-16-44.flac'), p);
    const result = await library.accept(job, { ...t, durationMs: null }, p);
    if (result.kind !== 'stored') throw new Error(`expected stored, got ${JSON.stringify(result)}`);
    expect(result.audio).toMatchObject({ bitDepth: 16, sampleRate: 44_100 });
  });

  it.each([
    ['a different song', () => makeFlac({ artist: 'Someone Else', title: 'Another Song', durationMs: 30_000 }), /./],
    ['not FLAC at all', () => readFileSync(path.join(FIXTURES, 'not-flac.flac')), /not a FLAC file/],
    ['cut short', () => makeFlac({ artist: 'Róisín Murphy', title: 'Overpowered', durationMs: 30_000 }).subarray(0, 2000), /incomplete|truncated|not a FLAC/i],
  ])('quarantines %s and says why', async (_name, bytes, reason) => {
    const t = tracks[0]!;
    const p = await download(t, bytes());
    const result = await library.accept(job, t, p);
    expect(result.kind).toBe('quarantined');
    if (result.kind !== 'quarantined') return;
    expect(result.path).toBe(path.join(dir, 'music', 'Late Night', '_quarantine', 'Róisín Murphy - Overpowered.flac'));
    expect(result.reason).toMatch(reason);
    expect(existsSync(result.path)).toBe(true);
    // The owner accepts it: it moves to its proper name.
    const accepted = await library.acceptQuarantined(job, { ...t, quarantinePath: result.path });
    expect(accepted.path).toBe(path.join(dir, 'music', 'Late Night', 'Róisín Murphy - Overpowered.flac'));
    expect(existsSync(result.path)).toBe(false);
  });

  it('quarantines crafted and damaged downloads with the reason, before any tag is trusted (the verifier in its worker, then flac -t)', async () => {
    const missing = hasReferenceTools();
    if (missing) return void console.log(`fs-library: crafted/damaged downloads not run: ${missing}`);
    const t = tracks[0]!;
    const good = read(referenceFlac(dir, 'good', { seconds: 30, tags: { ARTIST: 'Róisín Murphy', TITLE: 'Overpowered' } }));
    const bomb = withBlocks(good, [{ type: 4, body: vorbisComments(300_000) }], { dropTags: true });
    const cases: [Buffer, RegExp][] = [
      [bomb, /^refused without reading further: a tag block \(VORBIS_COMMENT\) of 3\.\d MB/],
      [zeroed(good, 0.5, 16), /^damaged audio: /],
      [zeroed(good, 0.3, Math.floor(good.length * 0.4)), /^damaged audio: /],
    ];
    for (const [bytes, reason] of cases) {
      const result = await library.accept(job, t, await download(t, bytes));
      expect(result.kind).toBe('quarantined');
      expect(result.kind === 'quarantined' && result.reason).toMatch(reason);
    }
    // The undamaged file with the same tags is stored: the tags were never the problem.
    expect((await library.accept(job, t, await download(t, good))).kind).toBe('stored');
  });

  it('finds a done track of another playlist by Spotify id or ISRC while the file is intact, and hard-links it', async () => {
    const t = tracks[0]!;
    const stored = await library.accept(job, t, await download(t, makeFlac({ artist: 'Róisín Murphy', title: 'Overpowered', durationMs: 30_000 })));
    store.updateTrack(t.id, { state: 'done', filePath: stored.path, audio: stored.audio });

    const other = store.createJob({ link: 'L2', listing: { ...listing, source: { ...listing.source, id: 'Q', name: 'Peak Time' } }, fingerprint: 'g', options: job.options });
    const otherTrack = store.tracks(other.id)[0]!;
    const existing = await library.findExisting({ ...otherTrack, spotifyId: null });
    expect(existing?.path).toBe(stored.path);
    const linked = await library.linkExisting(other, otherTrack, existing!.path);
    expect(linked).toBe(path.join(dir, 'music', 'Peak Time', 'Róisín Murphy - Overpowered.flac'));
    expect(statSync(linked).ino).toBe(statSync(stored.path).ino);

    // Changed on disk (size differs): no longer intact.
    writeFileSync(stored.path, 'broken');
    expect(await library.findExisting(otherTrack)).toBeNull();
  });

  it('keeps a matching file already at the planned path (e.g. after `crate reset`)', async () => {
    const t = tracks[1]!;
    const planned = library.plannedPath(job, t);
    mkdirSync(path.dirname(planned), { recursive: true });
    writeFileSync(planned, makeFlac({ artist: 'Kerri Chandler', title: 'Rain', durationMs: 20_000 }));
    expect((await library.findExisting(t, job))?.path).toBe(planned);
    expect(await library.findExisting(tracks[2]!, job)).toBeNull();
  });

  it('writes the m3u8 in playlist order with relative paths, and cleans partial downloads', async () => {
    const [t1, t2] = tracks;
    const a = await library.accept(job, t2!, await download(t2!, makeFlac({ artist: 'Kerri Chandler', title: 'Rain', durationMs: 20_000 })));
    const b = await library.accept(job, t1!, await download(t1!, makeFlac({ artist: 'Róisín Murphy', title: 'Overpowered', durationMs: 30_000 })));
    store.updateTrack(t1!.id, { state: 'done', filePath: b.path, audio: b.audio });
    store.updateTrack(t2!.id, { state: 'skipped', filePath: a.path, audio: a.audio });
    const file = await library.writePlaylist(job, store.tracks(job.id));
    expect(file).toBe(path.join(dir, 'music', 'Late Night', 'Late Night.m3u8'));
    expect(readFileSync(file!, 'utf8')).toBe(
      '#EXTM3U\n#EXTINF:30,Róisín Murphy - Overpowered\nRóisín Murphy - Overpowered.flac\n#EXTINF:20,Kerri Chandler - Rain\nKerri Chandler - Rain.flac\n',
    );
    await library.downloadPath(job, tracks[2]!);
    await library.discardDownloads(job);
    expect(existsSync(path.join(dir, 'music', '.crate-partial'))).toBe(false);
    expect(await library.writePlaylist(job, [])).toBeNull();
  });
});
