/**
 * Issue 12 item 19, what was left: `crate missing` hints (one file for one track at most, a reason
 * for an exact name refused by its length), bad-link messages (bounded, in words), the header of a
 * cut list, the quarantine count, and `crate reset` leaving `.crate-partial/job-N/` behind.
 * Through runCli with the real commands; Spotify is the fake server, the library the real one.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { parseConfig } from '../../src/config.js';
import { openJobStore } from '../../src/db/job-store.js';
import { scaledClock } from '../../src/engine/clock.js';
import { createJobService } from '../../src/engine/create-job-service.js';
import { FsLibrary } from '../../src/library/fs-library.js';
import { silentLogger } from '../../src/logger.js';
import { FakeAcquirer, type FakeStep } from '../fakes/fake-acquirer.js';
import { FakePlaylistSource, makeListing } from '../fakes/fake-listing.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify, type FakeTrack } from '../fakes/fake-spotify-server.js';
import { flacFileWriter } from '../fakes/flac-file-writer.js';
import { makeFlac } from '../fakes/flac-writer.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const rain: FakeTrack = {
  id: fakeId('t:rain'),
  name: 'Rain',
  artists: ['Kerri Chandler'],
  album: { id: fakeId('al:rain'), name: 'Rain', releaseDate: '1998' },
  durationMs: 300_000,
  isrc: 'USABC9800001',
};
const rainEdit: FakeTrack = { ...rain, id: fakeId('t:rain-edit'), name: 'Rain (Radio Edit)', durationMs: 200_000, isrc: 'USABC9800002' };
const OTHERS = fakeId('pl:others');
const DIGS = fakeId('pl:digs');

let fake: FakeSpotify;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-edges-'));
  fake = await startFakeSpotify({
    playlists: [
      { id: OTHERS, name: 'Big Room', ownerId: 'dj-friend', embedTrackCount: true, rows: makeTracks(130, { prefix: 'Edge' }) },
      { id: DIGS, name: 'Rain Digs', ownerId: 'owner', rows: [rain, rainEdit] },
    ],
  });
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function crate(args: string[], extraEnv: Record<string, string> = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const env = { ...fake.env({ withApp: true }), CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'music'), LOG_LEVEL: 'silent', ...extraEnv };
  const code = await runCli(['node', 'crate', ...args], { env, stdout, stderr, cwd: dir, shutdownSignal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('crate missing: the hints for missing tracks', () => {
  it('suggests a leftover file for one track only, and says why a file of the very same name was not taken', async () => {
    const folder = path.join(dir, 'music', 'Rain Digs');
    mkdirSync(folder, { recursive: true });
    // The extended version under the plain name: 42 s longer than the track, too long to be it.
    writeFileSync(path.join(folder, 'Kerri Chandler - Rain.flac'), makeFlac({ artist: 'Kerri Chandler', title: 'Rain', durationMs: 342_000 }));
    const { code, stdout, stderr } = await crate(['missing', openUrl('playlist', DIGS)], { SPOTIFY_REFRESH_TOKEN: fake.issueRefreshToken('owner') });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Missing 2 of 2:');
    const lines = stdout.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(lines[at('1. Kerri Chandler - Rain [5:00]') + 1]).toBe('     maybe under another name or version: Kerri Chandler - Rain.flac (same name, but 42 s longer)');
    // The radio edit reads like the same file, but the file is the plain title's hint, not its.
    expect(lines[at('2. Kerri Chandler - Rain (Radio Edit) [3:20]') + 1]).not.toContain('maybe under another name');
    expect(stdout.match(/maybe under another name/g)).toHaveLength(1);
  });
});

describe('links that are not what Crate takes', () => {
  it('a bare id is called an id without its kind, not a "host"', async () => {
    const { code, stderr } = await crate(['download', '--dry-run', '37i9dQZF1DXcBWIGoYBM5M']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^crate: "37i9dQZF1DXcBWIGoYBM5M" is a Spotify id without its kind: Crate cannot tell a playlist from an album or a track/);
    expect(stderr).toContain('https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M');
    expect(stderr).not.toContain('host');
  });

  it('a link to a 10 KB host echoes a bounded part of it and says where it points', async () => {
    const host = `${'a'.repeat(10_000)}.example.com`;
    const { code, stderr } = await crate(['download', '--dry-run', `https://${host}/playlist/x`]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^crate: "https:\/\/a+…" is not a Spotify link: it points to a+…, not open\.spotify\.com\.\n/);
    expect(stderr.length).toBeLessThan(1200);
  });

  it('a plain word is "not a link", not a host', async () => {
    const { code, stderr } = await crate(['download', '--dry-run', 'playlist']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^crate: "playlist" is not a link: a Spotify link starts with https:\/\/open\.spotify\.com\/ or spotify:\./);
  });
});

describe('the header of a list Spotify cut', () => {
  it('says how many of how many were listed', async () => {
    // Someone else's playlist: its public page has the first 100 rows and says there are 130.
    const { code, stdout, stderr } = await crate(['download', '--dry-run', openUrl('playlist', OTHERS), '--limit', '2']);
    expect(code, stderr).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`Playlist "Big Room": listed 100 of 130 tracks, read from Spotify's public embed page`);
    expect(stdout).toContain('Shown: 2 of 100 listed.');
  });
});

describe('jobs on the real library: the quarantine count and `crate reset`', () => {
  const LINK = 'https://open.spotify.com/playlist/PL1';

  /** The engine as `crate download` wires it, on the same data folder the commands read. */
  function engine(dataDir: string, script: (position: number) => FakeStep | undefined, wrongFile: Set<number>) {
    const config = parseConfig({ CRATE_DATA_DIR: dataDir, DOWNLOAD_FOLDER: path.join(dir, 'music') });
    const clock = scaledClock(0.001);
    const opened = openJobStore(path.join(config.dataDir, 'crate.sqlite'), { now: () => clock.now() });
    const { service } = createJobService(config, {
      store: opened.store,
      source: new FakePlaylistSource({ [LINK]: makeListing(4, { name: 'Quarantine Set' }) }),
      acquirer: (pacer) =>
        new FakeAcquirer({
          clock,
          pacer,
          script: (t) => script(t.position),
          writeFile: flacFileWriter(wrongFile),
        }),
      library: new FsLibrary({ store: opened.store }),
      sessionStatus: async () => ({ state: 'ready', user: null, detail: null }),
      logger: silentLogger(),
      clock,
    });
    return { service, store: opened.store, close: opened.close };
  }

  it('counts only the files really in _quarantine, not the ones refused before download', async () => {
    // Track 2: the bot's file was refused by its name before download; track 3: downloaded, wrong, quarantined.
    const e = engine(path.join(dir, 'data'), (p) => (p === 2 ? { kind: 'mismatch', reason: 'the file is by Karaoke Stars' } : undefined), new Set([3]));
    const job = await e.service.createJob(LINK);
    expect((await e.service.run(job.id)).status).toBe('done');
    const [, refused, quarantined] = e.store.tracks(job.id);
    e.close();
    expect(refused?.quarantinePath).toBeNull();
    expect(existsSync(quarantined!.quarantinePath!)).toBe(true);

    const status = await crate(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`#${job.id} Quarantine Set [done] 2 of 4 in library; 2 done, 2 mismatch (1 file in _quarantine)`);
    const report = await crate(['report', String(job.id)]);
    expect(report.stdout.split('\n')[0]).toContain('2 mismatch (1 file in _quarantine)');
    expect(report.stdout).toMatch(/ {2}2\. Artist 2 - Title 2 {2}\[mismatch\] {2}the file is by Karaoke Stars\n/);
  });

  it('`crate reset` removes what the job left in .crate-partial/', async () => {
    // Track 1 is asked for and never answered: the job is stopped with its download folder made.
    const e = engine(path.join(dir, 'reset-data'), (p) => (p === 1 ? { kind: 'silent' } : undefined), new Set());
    const job = await e.service.createJob(LINK, { outputDir: path.join(dir, 'reset-music') });
    const stop = new AbortController();
    const run = e.service.run(job.id, { signal: stop.signal });
    while (e.store.tracks(job.id)[0]?.state !== 'requested') await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    expect((await run).status).toBe('paused');
    e.close();
    const partial = path.join(dir, 'reset-music', '.crate-partial');
    expect(existsSync(path.join(partial, `job-${job.id}`))).toBe(true);

    const reset = await crate(['reset', String(job.id)], { CRATE_DATA_DIR: path.join(dir, 'reset-data') });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`Removed job #${job.id} "Quarantine Set"`);
    expect(existsSync(partial)).toBe(false);
  });

  it('says "1 track", not "1 tracks"', async () => {
    const e = engine(path.join(dir, 'one-data'), () => undefined, new Set());
    const job = await e.service.createJob(LINK, { limit: 1 });
    e.close();
    const reset = await crate(['reset'], { CRATE_DATA_DIR: path.join(dir, 'one-data') });
    expect(reset.stdout).toContain(`Removed job #${job.id} "Quarantine Set" (1 track, pending).\nReset 1 job.`);
  });
});
