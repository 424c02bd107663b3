/**
 * The whole path of tags and artwork: the fake Spotify serves an album with a cover, the catalogue
 * source maps it, the job store keeps the album facts in SQLite, and FsLibrary fills a real FLAC's
 * tags and embeds the cover after verification, before the file gets its name.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { openJobStore } from '../../../src/db/job-store.js';
import { createFinisher } from '../../../src/library/finish/create-finisher.js';
import { FsLibrary } from '../../../src/library/fs-library.js';
import { makeAlbum, startFakeSpotify, type FakeSpotify, type FakeTrack } from '../../fakes/fake-spotify-server.js';
import { FLAC_FIXTURES } from '../../fixtures/paths.js';
import { sourceFor } from '../../spotify/support.js';
import { cover640, metaflacList, metaflacTags, pcmHash } from './support.js';

const ALBUM = '4mbYVVqVWmVXStGpZUGRSe';
const rain: FakeTrack = {
  id: '1nXqoLqVYMmsV2zq9bVD2m',
  name: 'Rain (Original Mix)',
  artists: ['Kerri Chandler', 'Jerome Sydenham'],
  album: { id: ALBUM, name: 'Rain', releaseDate: '1998-06-01' },
  durationMs: 2000,
  isrc: 'USABC9800001',
};
const other: FakeTrack = { ...rain, id: '2nXqoLqVYMmsV2zq9bVD2m', name: 'Sunshine', isrc: 'USABC9800002' };

describe('tags and artwork through the library', () => {
  let fake: FakeSpotify;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-libtags-'));
    fake = await startFakeSpotify({
      albums: [makeAlbum(ALBUM, 'Rain', ['Kerri Chandler'], [other, rain], '1998-06-01')],
      covers: { [ALBUM]: { body: cover640() } },
    });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps album facts from Spotify, keeps them in SQLite, and writes them into the stored FLAC', async () => {
    const config = parseConfig({ ...fake.env(), CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'music') });
    const { source } = sourceFor(config);
    const listing = await source.load(`https://open.spotify.com/album/${ALBUM}`);
    expect(listing.tracks[1]).toMatchObject({
      title: 'Rain (Original Mix)',
      albumArtists: ['Kerri Chandler'],
      trackNumber: 2,
      discNumber: 1,
      releaseDate: '1998-06-01',
      coverUrl: `${fake.url}/image/${ALBUM}/640`,
      isrc: 'USABC9800001',
    });

    const { store, close } = openJobStore(path.join(dir, 'crate.sqlite'));
    try {
      const job = store.createJob({
        link: 'L',
        listing,
        fingerprint: 'f',
        options: { limit: null, startFrom: 1, batchSize: 2, organizeBy: 'playlist', yearFolders: false, outputDir: config.downloadFolder, fileTemplate: '{artists} - {title}', quality: 'high' },
      });
      const track = store.tracks(job.id)[1]!;
      expect(track).toMatchObject({ albumArtists: ['Kerri Chandler'], trackNumber: 2, discNumber: 1, releaseDate: '1998-06-01', coverUrl: `${fake.url}/image/${ALBUM}/640` });

      const library = new FsLibrary({ store, finisher: createFinisher(config) });
      const download = await library.downloadPath(job, track);
      copyFileSync(path.join(FLAC_FIXTURES, 'kerri-chandler-rain-16-44.flac'), download);
      const pcm = pcmHash(download);
      const result = await library.accept(job, track, download);

      expect(result.kind).toBe('stored');
      expect(result.path.endsWith('Kerri Chandler, Jerome Sydenham - Rain (Original Mix).flac')).toBe(true);
      expect(existsSync(download)).toBe(false);
      expect(result.audio?.sizeBytes).toBe(statSync(result.path).size);
      expect(pcmHash(result.path)).toBe(pcm);
      expect(metaflacTags(result.path)).toMatchObject({ ALBUMARTIST: ['Kerri Chandler'], TRACKNUMBER: ['2'], DISCNUMBER: ['1'], ARTIST: ['Kerri Chandler'] });
      expect(metaflacList(result.path)).toMatch(/Cover \(front\)/);
      const meta = await parseFile(result.path);
      expect(Buffer.from(meta.common.picture![0]!.data).equals(cover640())).toBe(true);
      expect(fake.requestsTo('/image/').map((r) => r.path)).toEqual([`/image/${ALBUM}/640`]);
    } finally {
      close();
    }
  });

  it('TAGS=keep stores the file byte for byte as the bot sent it', async () => {
    const config = parseConfig({ ...fake.env(), CRATE_DATA_DIR: path.join(dir, 'data2'), DOWNLOAD_FOLDER: path.join(dir, 'music2'), TAGS: 'keep' });
    const { store, close } = openJobStore(path.join(dir, 'crate2.sqlite'));
    try {
      const { source } = sourceFor(config);
      const listing = await source.load(`https://open.spotify.com/album/${ALBUM}`);
      const job = store.createJob({
        link: 'L',
        listing,
        fingerprint: 'f',
        options: { limit: null, startFrom: 1, batchSize: 2, organizeBy: 'playlist', yearFolders: false, outputDir: config.downloadFolder, fileTemplate: '{artists} - {title}', quality: 'high' },
      });
      const track = store.tracks(job.id)[1]!;
      const library = new FsLibrary({ store, finisher: createFinisher(config) });
      const download = await library.downloadPath(job, track);
      const fixture = path.join(FLAC_FIXTURES, 'kerri-chandler-rain-16-44.flac');
      copyFileSync(fixture, download);
      const result = await library.accept(job, track, download);
      expect(result.kind).toBe('stored');
      expect(statSync(result.path).size).toBe(statSync(fixture).size);
      expect(metaflacTags(result.path).ALBUMARTIST).toBeUndefined();
    } finally {
      close();
    }
  });

  it('a quarantined file the owner accepts gets the tags and cover of the track', async () => {
    const config = parseConfig({ ...fake.env(), CRATE_DATA_DIR: path.join(dir, 'data3'), DOWNLOAD_FOLDER: path.join(dir, 'music3') });
    const { store, close } = openJobStore(path.join(dir, 'crate3.sqlite'));
    try {
      const { source } = sourceFor(config);
      const listing = await source.load(`https://open.spotify.com/album/${ALBUM}`);
      const job = store.createJob({
        link: 'L',
        listing,
        fingerprint: 'f',
        options: { limit: null, startFrom: 1, batchSize: 2, organizeBy: 'playlist', yearFolders: false, outputDir: config.downloadFolder, fileTemplate: '{artists} - {title}', quality: 'high' },
      });
      const library = new FsLibrary({ store, finisher: createFinisher(config) });
      const quarantined = path.join(config.downloadFolder, 'Rain', '_quarantine', 'odd name.flac');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(path.dirname(quarantined), { recursive: true });
      copyFileSync(path.join(FLAC_FIXTURES, 'kerri-chandler-rain-16-44.flac'), quarantined);
      const track = store.updateTrack(store.tracks(job.id)[1]!.id, { state: 'mismatch', quarantinePath: quarantined });
      const stored = await library.acceptQuarantined(job, track);
      expect(path.basename(stored.path)).toBe('Kerri Chandler, Jerome Sydenham - Rain (Original Mix).flac');
      expect(existsSync(quarantined)).toBe(false);
      expect(metaflacTags(stored.path)).toMatchObject({ ALBUMARTIST: ['Kerri Chandler'], TRACKNUMBER: ['2'] });
      expect(metaflacList(stored.path)).toMatch(/Cover \(front\)/);
      expect(stored.audio?.sizeBytes).toBe(statSync(stored.path).size);
    } finally {
      close();
    }
  });
});
