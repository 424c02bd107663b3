/**
 * The library with a player set: a 24/192 download becomes what the player takes, under the track's
 * name with the right extension, tagged; a file left as FLAC for a player without FLAC is named in
 * the completion notes; `crate doctor`'s line says what the settings and tools mean for the player.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { openJobStore, type DrizzleJobStore } from '../../../src/db/job-store.js';
import type { TrackInfo } from '../../../src/domain/track.js';
import { playerCheckResult } from '../../../src/library/convert/player-check.js';
import { createLibrary } from '../../../src/library/create-library.js';
import { silentLogger } from '../../../src/logger.js';
import { FLAC_FIXTURES } from '../../fixtures/paths.js';

const krovi: TrackInfo = { position: 1, spotifyId: 'sp-kr', artists: ['Кино'], title: 'Группа крови', album: 'Группа крови', durationMs: 2000, isrc: null, releaseYear: 1988, trackNumber: 1 };

describe('library conversions for the player', () => {
  let dir: string;
  let store: DrizzleJobStore;
  let close: () => void;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-libconv-'));
    ({ store, close } = openJobStore(path.join(dir, 'crate.sqlite')));
  });
  afterEach(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function store24192(env: Record<string, string>) {
    const config = parseConfig({ CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'music'), ...env });
    const job = store.createJob({
      link: 'L',
      listing: { source: { type: 'playlist', id: 'P', name: 'Warm Up', total: 1, backend: 'user' }, tracks: [krovi], warnings: [] },
      fingerprint: 'f',
      options: { limit: null, startFrom: 1, batchSize: 1, organizeBy: 'playlist', yearFolders: false, outputDir: config.downloadFolder, fileTemplate: '{artists} - {title}', quality: 'max' },
    });
    const library = createLibrary(config, { store, logger: silentLogger() });
    const track = store.tracks(job.id)[0]!;
    const download = await library.downloadPath(job, track);
    copyFileSync(path.join(FLAC_FIXTURES, 'kino-gruppa-krovi-24-192.flac'), download);
    const result = await library.accept(job, track, download);
    const done = store.updateTrack(track.id, { state: 'done', filePath: result.path, audio: result.audio });
    return { config, job, library, result, download, done };
  }

  it('PLAYER=cdj-2000nxs: stored as a 16-bit/48 kHz AIFF with its tags; the FLAC and temporary files are gone', async () => {
    const { result, download, library, job, done } = await store24192({ PLAYER: 'cdj-2000nxs' });
    expect(result.kind).toBe('stored');
    expect(path.basename(result.path)).toBe('Кино - Группа крови.aiff');
    expect(result.audio).toMatchObject({ sampleRate: 48000, bitDepth: 16, channels: 2, sizeBytes: statSync(result.path).size });
    const meta = await parseFile(result.path);
    expect([meta.format.container, meta.format.sampleRate, meta.format.bitsPerSample]).toEqual(['AIFF', 48000, 16]);
    expect([meta.common.artist, meta.common.title, meta.common.year]).toEqual(['Кино', 'Группа крови', 1988]);
    expect(existsSync(download)).toBe(false);
    expect(readdirSync(path.dirname(download))).toEqual([]);
    expect(library.finishNotes(job, [done])).toEqual([]);
  });

  it('PLAYER=xdj-rx3: stays FLAC, resampled to 48 kHz, keeps 24-bit', async () => {
    const { result } = await store24192({ PLAYER: 'xdj-rx3' });
    expect(path.extname(result.path)).toBe('.flac');
    expect(result.audio).toMatchObject({ sampleRate: 48000, bitDepth: 24 });
  });

  it('without sox the FLAC is kept, and the completion notes say it will not play', async () => {
    const config = parseConfig({ PLAYER: 'cdj-900nxs', CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'music') });
    const { FsLibrary } = await import('../../../src/library/fs-library.js');
    const { createFinisher } = await import('../../../src/library/finish/create-finisher.js');
    const { SoxFormatStep } = await import('../../../src/library/convert/format-step.js');
    const { outputTarget, profileOf } = await import('../../../src/library/convert/player-profiles.js');
    const format = new SoxFormatStep({ target: outputTarget(config.library), sox: 'no-sox-here' });
    const library = new FsLibrary({ store, finisher: createFinisher(config, { format }), player: profileOf('cdj-900nxs') });
    const job = store.createJob({
      link: 'L',
      listing: { source: { type: 'playlist', id: 'P', name: 'Warm Up', total: 1, backend: 'user' }, tracks: [krovi], warnings: [] },
      fingerprint: 'f',
      options: { limit: null, startFrom: 1, batchSize: 1, organizeBy: 'playlist', yearFolders: false, outputDir: config.downloadFolder, fileTemplate: '{artists} - {title}', quality: 'max' },
    });
    const track = store.tracks(job.id)[0]!;
    const download = await library.downloadPath(job, track);
    copyFileSync(path.join(FLAC_FIXTURES, 'kino-gruppa-krovi-24-192.flac'), download);
    const result = await library.accept(job, track, download);
    expect(path.extname(result.path)).toBe('.flac');
    const done = store.updateTrack(track.id, { state: 'done', filePath: result.path, audio: result.audio });
    expect(library.finishNotes(job, [done])).toEqual([
      '1 file will not play on the CDJ-900NXS: FLAC is not supported, 192 kHz is over 48 kHz, 24-bit is over 16-bit (1). Check OUTPUT_FORMAT / MAX_SAMPLE_RATE and that sox and flac are installed (crate doctor).',
    ]);
  });

  it('crate doctor: settings that do not suit the player, missing tools, and the good case', async () => {
    const cfg = (env: Record<string, string>) => parseConfig(env);
    expect(await playerCheckResult(cfg({}))).toMatchObject({ status: 'ok' });
    expect(await playerCheckResult(cfg({ PLAYER: 'cdj-2000nxs', OUTPUT_FORMAT: 'flac' }))).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('does not play FLAC files'),
    });
    const noTools = await playerCheckResult(cfg({ PLAYER: 'xdj-xz' }), { version: async () => null });
    expect(noTools).toMatchObject({ status: 'fail', detail: expect.stringContaining('flac and sox not installed'), fix: expect.stringContaining('apt install flac sox') });
    const real = await playerCheckResult(cfg({ PLAYER: 'cdj-3000' }));
    expect(real.status).toBe('ok');
    expect(real.detail).toMatch(/^CDJ-3000: writing FLAC up to 96 kHz\/24-bit \(flac 1\.\d.*SoX v14/);
  });
});

describe('folder scans see converted files', () => {
  it('an AIFF and a WAV made by the converter are read with their tags (crate missing finds them)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crate-scanconv-'));
    try {
      const { SoxFormatStep } = await import('../../../src/library/convert/format-step.js');
      const { FlacTagger } = await import('../../../src/library/tags/flac-tagger.js');
      const { scanFolder } = await import('../../../src/library/scan.js');
      const { renameSync } = await import('node:fs');
      const track = { ...krovi, isrc: 'RUA000000001' };
      for (const format of ['aiff', 'wav'] as const) {
        const src = path.join(dir, `src-${format}.flac`);
        copyFileSync(path.join(FLAC_FIXTURES, 'kino-gruppa-krovi-24-192.flac'), src);
        const tags = await new FlacTagger({ mode: 'overwrite' }).tag(src, track);
        const audio = { bitDepth: 24, sampleRate: 192000, channels: 2, durationMs: 1000, sizeBytes: null, quality: null };
        const out = await new SoxFormatStep({ target: { format, maxSampleRate: 48000, maxBitDepth: 16 } }).convert(src, audio, tags, track);
        renameSync(out.path, path.join(dir, `Кино - Группа крови${out.extension}`));
        rmSync(src);
      }
      const { files } = await scanFolder(dir);
      expect(files.map((f) => [path.basename(f.path), f.error, f.tags?.title, f.tags?.isrc, f.tags?.sampleRate])).toEqual([
        ['Кино - Группа крови.aiff', null, 'Группа крови', 'RUA000000001', 48000],
        ['Кино - Группа крови.wav', null, 'Группа крови', 'RUA000000001', 48000],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
