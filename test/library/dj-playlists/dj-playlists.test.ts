/**
 * Rekordbox XML and Traktor NML written by the library for real FLAC files in real folders, parsed
 * back and checked against the published structure; a track shared by two playlists is one
 * collection entry under every LINK_MODE.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinkMode } from '../../../src/config.js';
import { openJobStore, type DrizzleJobStore } from '../../../src/db/job-store.js';
import type { JobRecord } from '../../../src/domain/job.js';
import type { TrackInfo } from '../../../src/domain/track.js';
import { DjPlaylistWriter } from '../../../src/library/dj-playlists/dj-playlist-writer.js';
import { FsLibrary } from '../../../src/library/fs-library.js';
import { FLAC_FIXTURES } from '../../fixtures/paths.js';
import { validateNml, validateRekordbox } from './validate.js';

const rain: TrackInfo = {
  position: 1,
  spotifyId: 'sp-rain',
  artists: ['Kerri Chandler'],
  title: 'Rain (Original Mix)',
  album: 'Rain',
  durationMs: 2000,
  isrc: 'USABC9800001',
  releaseYear: 1998,
  trackNumber: 3,
  discNumber: 1,
  releaseDate: '1998-06-01',
};
const overpowered: TrackInfo = { position: 2, spotifyId: 'sp-op', artists: ['Róisín Murphy'], title: 'Overpowered', album: 'Overpowered', durationMs: 2000, isrc: null, releaseYear: 2007 };
const krovi: TrackInfo = { position: 1, spotifyId: 'sp-kr', artists: ['Кино'], title: 'Группа крови', album: null, durationMs: 2000, isrc: null, releaseYear: null };

const FILES: Record<string, string> = {
  'sp-rain': 'kerri-chandler-rain-16-44.flac',
  'sp-op': 'roisin-murphy-overpowered-24-96.flac',
  'sp-kr': 'kino-gruppa-krovi-24-192.flac',
};

describe('DJ playlists', () => {
  let dir: string;
  let store: DrizzleJobStore;
  let close: () => void;
  let music: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-dj-'));
    music = path.join(dir, 'music');
    ({ store, close } = openJobStore(path.join(dir, 'crate.sqlite')));
  });
  afterEach(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  function newJob(name: string, tracks: TrackInfo[]): JobRecord {
    return store.createJob({
      link: name,
      listing: { source: { type: 'playlist', id: name, name, total: tracks.length, backend: 'user' }, tracks, warnings: [] },
      fingerprint: name,
      options: { limit: null, startFrom: 1, batchSize: 2, organizeBy: 'playlist', yearFolders: false, outputDir: music, fileTemplate: '{artists} - {title}', quality: 'max' },
    });
  }

  /** Runs two playlists through the library as the job runner does: download or share, then write the playlists. */
  async function twoPlaylists(linkMode: LinkMode, musicRoot: string | null = null) {
    const djPlaylists = new DjPlaylistWriter({ kinds: ['rekordbox', 'traktor'], musicRoot, store });
    const library = new FsLibrary({ store, linkMode, djPlaylists });
    const first = newJob('Late Night & Co', [rain, overpowered]);
    const second = newJob('夜のセット', [krovi, { ...rain, position: 2 }]);
    for (const job of [first, second]) {
      for (const t of store.tracks(job.id)) {
        const existing = await library.findExisting(t, job);
        if (existing) {
          const linked = await library.linkExisting(job, t, existing.path);
          store.updateTrack(t.id, { state: 'skipped', filePath: linked, audio: existing.audio });
          continue;
        }
        const download = await library.downloadPath(job, t);
        copyFileSync(path.join(FLAC_FIXTURES, FILES[t.spotifyId!]!), download);
        const result = await library.accept(job, t, download);
        expect(result.kind).toBe('stored');
        store.updateTrack(t.id, { state: 'done', filePath: result.path, audio: result.audio });
      }
      await library.writePlaylist(job, store.tracks(job.id));
    }
    return { first, second, library };
  }

  it('writes a Rekordbox XML per playlist that matches the published structure, with every Location on disk', async () => {
    const { library, first } = await twoPlaylists('hardlink');
    const m3u = library.playlistFile(first);
    const xmlFile = m3u.replace(/\.m3u8$/, '.xml');
    const read = validateRekordbox(readFileSync(xmlFile, 'utf8'));
    expect(read.tracks.map((t) => [t.name, t.artist])).toEqual([
      ['Rain (Original Mix)', 'Kerri Chandler'],
      ['Overpowered', 'Róisín Murphy'],
    ]);
    expect(read.playlists).toEqual([{ name: 'Late Night & Co', keys: ['1', '2'] }]);
    const rainTrack = read.tracks[0]!.attrs;
    expect(rainTrack).toMatchObject({ '@Kind': 'FLAC File', '@TotalTime': '2', '@Year': '1998', '@TrackNumber': '3', '@SampleRate': '44100', '@Album': 'Rain' });
    expect(Number(rainTrack['@Size'])).toBe(statSync(read.tracks[0]!.path).size);
    expect(read.tracks[1]!.attrs['@SampleRate']).toBe('96000');
    expect(read.tracks[0]!.location).toContain('/Late%20Night%20%26%20Co/');
  });

  it('writes a Traktor NML per playlist whose entries and keys agree, and whose files exist', async () => {
    const { library, second } = await twoPlaylists('hardlink');
    const nml = readFileSync(library.playlistFile(second).replace(/\.m3u8$/, '.nml'), 'utf8');
    const read = validateNml(nml);
    expect(read.entries.map((e) => e.title)).toEqual(['Группа крови', 'Rain (Original Mix)']);
    expect(read.playlists).toEqual([{ name: '夜のセット', keys: read.entries.map((e) => e.key) }]);
  });

  it.each(['hardlink', 'copy', 'reference'] as const)(
    'LINK_MODE=%s: the library XML and NML list each file once, in every playlist that has it',
    async (mode) => {
      const { first, second } = await twoPlaylists(mode);
      const firstRain = store.tracks(first.id)[0]!.filePath!;
      const secondRain = store.tracks(second.id)[1]!.filePath!;
      if (mode === 'reference') expect(secondRain).toBe(firstRain);
      else expect(path.dirname(secondRain)).not.toBe(path.dirname(firstRain));
      if (mode === 'hardlink') expect(statSync(secondRain).ino).toBe(statSync(firstRain).ino);
      if (mode === 'copy') expect(statSync(secondRain).ino).not.toBe(statSync(firstRain).ino);
      expect(existsSync(secondRain)).toBe(true);

      const xml = validateRekordbox(readFileSync(path.join(music, 'Crate Library.xml'), 'utf8'));
      const nml = validateNml(readFileSync(path.join(music, 'Crate Library.nml'), 'utf8'));
      expect(xml.folders).toEqual(['Crate']);
      expect(xml.playlists.map((p) => p.name)).toEqual(['Late Night & Co', '夜のセット']);
      const rainIds = xml.tracks.filter((t) => t.name === 'Rain (Original Mix)').map((t) => t.id);
      // A copy is its own file: DJ software sees two; links and references are one file.
      expect(rainIds).toHaveLength(mode === 'copy' ? 2 : 1);
      expect(xml.tracks).toHaveLength(mode === 'copy' ? 4 : 3);
      if (mode !== 'copy') {
        expect(xml.playlists[0]!.keys).toContain(rainIds[0]);
        expect(xml.playlists[1]!.keys).toContain(rainIds[0]);
        expect(nml.entries).toHaveLength(3);
      }
      // The m3u8 of the second playlist points at the file it shares.
      const m3u = readFileSync(path.join(path.dirname(store.tracks(second.id)[0]!.filePath!), '夜のセット.m3u8'), 'utf8');
      expect(m3u).toContain(mode === 'reference' ? '../Late Night & Co/Kerri Chandler - Rain (Original Mix).flac' : 'Kerri Chandler - Rain (Original Mix).flac');
    },
  );

  it('DJ_MUSIC_ROOT writes the paths as the DJ computer sees the folder', async () => {
    await twoPlaylists('reference', '/Volumes/DJUSB/Crate');
    const xml = validateRekordbox(readFileSync(path.join(music, 'Crate Library.xml'), 'utf8'), { filesExist: false });
    for (const t of xml.tracks) {
      expect(t.path.startsWith('/Volumes/DJUSB/Crate/')).toBe(true);
      expect(existsSync(path.join(music, t.path.slice('/Volumes/DJUSB/Crate/'.length)))).toBe(true);
    }
    const nml = validateNml(readFileSync(path.join(music, 'Crate Library.nml'), 'utf8'), { volumeRoot: () => music, filesExist: false });
    for (const e of nml.entries) {
      expect(e.key.startsWith('DJUSB/:Crate/:')).toBe(true);
      expect(existsSync(e.path.replace(`${music}/Crate/`, `${music}/`))).toBe(true);
    }
  });
});
