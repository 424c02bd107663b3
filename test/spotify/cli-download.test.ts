import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { createCliContext } from '../../src/cli/context.js';
import { createSpotifyLoginCommand } from '../../src/cli/spotify-login.js';
import { SpotifyTokenStore } from '../../src/spotify/token-store.js';
import { fakeId, makeAlbum, makeTracks, openUrl, startFakeSpotify, type FakeSpotify, type FakeTrack } from '../fakes/fake-spotify-server.js';
import { tmpDir } from './support.js';
import { FLAC_FIXTURES } from '../fixtures/paths.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const tracks = makeTracks(130, { prefix: 'Cli', featuring: true });
const PL = fakeId('pl:cli');
const MINE = fakeId('pl:cli-mine');
const ALBUM = fakeId('album:cli');
const kerri: FakeTrack = {
  id: fakeId('t:kerri'),
  name: 'Rain (Original Mix)',
  artists: ['Kerri Chandler'],
  album: { id: fakeId('al:rain'), name: 'Rain', releaseDate: '1998' },
  durationMs: 2000,
  isrc: 'USABC9800001',
};
const missingOne: FakeTrack = { ...kerri, id: fakeId('t:lost'), name: 'Lost Track', artists: ['Nobody'], isrc: 'USXXX0000001', durationMs: 200_000 };

let fake: FakeSpotify;
const tmp = tmpDir('crate-cli-');

beforeAll(async () => {
  fake = await startFakeSpotify({
    playlists: [
      { id: PL, name: 'Friday Set', ownerId: 'dj-friend', ownerName: 'DJ Friend', rows: tracks },
      { id: MINE, name: 'Crate Digs', ownerId: 'owner', rows: [kerri, missingOne] },
    ],
    albums: [makeAlbum(ALBUM, 'Cli Album', ['Cli Band'], makeTracks(3, { prefix: 'Alb' }))],
  });
});
afterAll(async () => {
  await fake.close();
  tmp.cleanup();
});

async function crate(args: string[], extraEnv: Record<string, string> = {}, withApp = true) {
  const stdout = new Sink();
  const stderr = new Sink();
  const env = { ...fake.env({ withApp }), CRATE_DATA_DIR: path.join(tmp.dir, 'data'), DOWNLOAD_FOLDER: path.join(tmp.dir, 'downloads'), LOG_LEVEL: 'silent', ...extraEnv };
  const code = await runCli(['node', 'crate', ...args], { env, stdout, stderr, cwd: tmp.dir, shutdownSignal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('crate download LINK --dry-run --json', () => {
  it('prints exactly one JSON document: source, tracks, warnings (embed backend, cut at 100)', async () => {
    const { code, stdout, stderr } = await crate(['download', `${openUrl('playlist', PL)}?si=xyz`, '--dry-run', '--json'], {}, false);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['source', 'tracks', 'warnings']);
    expect(doc.source).toEqual({ type: 'playlist', id: PL, name: 'Friday Set', total: 100, backend: 'embed' });
    const list = doc.tracks as Record<string, unknown>[];
    expect(list).toHaveLength(100);
    expect(Object.keys(list[0]!)).toEqual(['position', 'spotifyId', 'artists', 'title', 'album', 'durationMs', 'isrc']);
    expect(list[2]).toEqual({
      position: 3,
      spotifyId: tracks[2]!.id,
      artists: ['Cli Artist 3', 'Cli Guest 3'],
      title: 'Cli Title 3',
      album: null,
      durationMs: 183_000,
      isrc: null,
    });
    expect((doc.warnings as string[]).join('\n')).toMatch(/Listed 100 tracks/);
  });

  it('someone else\'s 130-track playlist: 100 and "may be more" by default, all 130 with SPOTIFY_WEB_PLAYLISTS=on', async () => {
    const cut = await crate(['download', openUrl('playlist', PL), '--dry-run', '--json']);
    expect(cut.code).toBe(0);
    const cutDoc = JSON.parse(cut.stdout) as { source: { total: number }; tracks: unknown[]; warnings: string[] };
    expect(cutDoc.tracks).toHaveLength(100);
    expect(cutDoc.warnings[0]).toMatch(/^Listed 100 tracks; Spotify does not say how many there are/);

    const whole = await crate(['download', openUrl('playlist', PL), '--dry-run', '--json'], { SPOTIFY_WEB_PLAYLISTS: 'on' });
    expect(whole.code).toBe(0);
    const doc = JSON.parse(whole.stdout) as { source: { total: number; backend: string }; tracks: { position: number }[]; warnings: string[] };
    expect(doc.source).toMatchObject({ total: 130, backend: 'web' });
    expect(doc.tracks).toHaveLength(130);
    expect(doc.tracks[129]!.position).toBe(130);
  });

  it('--start-from and --limit pick playlist positions', async () => {
    const { stdout } = await crate(['download', `spotify:playlist:${PL}`, '--dry-run', '--json', '--start-from', '10', '--limit', '3'], {}, false);
    const doc = JSON.parse(stdout) as { tracks: { position: number }[]; source: { total: number } };
    expect(doc.tracks.map((t) => t.position)).toEqual([10, 11, 12]);
    expect(doc.source.total).toBe(100);
  });

  it('the owner\'s login gives the whole playlist with ISRC and album (backend user)', async () => {
    const refresh = fake.issueRefreshToken('owner');
    const { stdout } = await crate(['download', openUrl('playlist', MINE), '--dry-run', '--json'], { SPOTIFY_REFRESH_TOKEN: refresh });
    const doc = JSON.parse(stdout) as { source: { backend: string }; tracks: { isrc: string | null; album: string | null }[] };
    expect(doc.source.backend).toBe('user');
    expect(doc.tracks[0]).toMatchObject({ isrc: 'USABC9800001', album: 'Rain' });
  });

  it('an album lists with ISRCs (backend catalog)', async () => {
    const { stdout } = await crate(['download', openUrl('album', ALBUM), '--dry-run', '--json']);
    const doc = JSON.parse(stdout) as { source: { backend: string; name: string }; tracks: { isrc: string | null }[] };
    expect(doc.source).toMatchObject({ backend: 'catalog', name: 'Cli Band - Cli Album' });
    expect(doc.tracks.every((t) => t.isrc !== null)).toBe(true);
  });

  it('needs no Telegram settings, and prints a readable list without --json', async () => {
    const { code, stdout } = await crate(['download', openUrl('playlist', PL), '--dry-run', '--limit', '2'], {}, false);
    expect(code).toBe(0);
    expect(stdout).toContain('Playlist "Friday Set": 100 tracks, read from Spotify\'s public embed page');
    expect(stdout).toContain('  1. Cli Artist 1 - Cli Title 1 [3:01]');
    expect(stdout).toContain('Shown: 2 of 100 listed.');
    expect(stdout).toMatch(/^! Listed 100 tracks/m);
  });

  it('a link that is not Spotify: exit 2, the accepted forms on stderr, no stack trace', async () => {
    const { code, stdout, stderr } = await crate(['download', 'https://www.youtube.com/watch?v=x', '--dry-run', '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^crate: "https:\/\/www.youtube.com\/watch\?v=x" is not a Spotify link/);
    expect(stderr).toContain('spotify:playlist:');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an album without app credentials names SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET', async () => {
    const { code, stderr } = await crate(['download', openUrl('album', ALBUM), '--dry-run'], {}, false);
    expect(code).toBe(2);
    expect(stderr).toMatch(/SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/);
  });

  it('bad flag values are refused by the parser', async () => {
    const { code, stderr } = await crate(['download', openUrl('playlist', PL), '--dry-run', '--limit', '0']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--limit must be at least 1, got 0/);
  });

  it('a real download without Telegram settings names what is missing, without a stack trace', async () => {
    const { code, stderr } = await crate(['download', openUrl('playlist', PL)], {}, false);
    expect(code).toBe(2);
    expect(stderr).toMatch(/TELEGRAM_API_ID: my\.telegram\.org/);
    expect(stderr).toMatch(/TELEGRAM_API_HASH/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('the help lists every flag of the earlier tool', async () => {
    const { stdout } = await crate(['download', '--help']);
    for (const flag of ['--dry-run', '--json', '--limit', '--start-from', '--check-missing', '--dir', '--batch-size', '--sequential', '--no-resume', '--organize-by', '--year-folders', '--output-dir', '--debug']) {
      expect(stdout).toContain(flag);
    }
  });
});

describe('crate missing / download --check-missing', () => {
  beforeAll(() => {
    const dir = path.join(tmp.dir, 'downloads', 'Crate Digs');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(FLAC_FIXTURES, 'kerri-chandler-rain-16-44.flac'), path.join(dir, 'Kerri Chandler - Rain (Original Mix).flac'));
    copyFileSync(path.join(FLAC_FIXTURES, 'kino-gruppa-krovi-24-192.flac'), path.join(dir, 'Кино - Группа крови.flac'));
  });

  it('checks the playlist\'s own folder under DOWNLOAD_FOLDER and reports positions', async () => {
    const refresh = fake.issueRefreshToken('owner');
    const { code, stdout } = await crate(['missing', openUrl('playlist', MINE), '--json'], { SPOTIFY_REFRESH_TOKEN: refresh });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    expect(doc.dir).toBe(path.join(tmp.dir, 'downloads', 'Crate Digs'));
    expect(doc.missing).toEqual([
      { position: 2, spotifyId: missingOne.id, artists: ['Nobody'], title: 'Lost Track', album: 'Rain', durationMs: 200_000, isrc: 'USXXX0000001' },
    ]);
    expect(doc.present).toEqual([{ position: 1, file: 'Kerri Chandler - Rain (Original Mix).flac', by: 'isrc' }]);
    expect(doc.extra).toEqual([{ file: 'Кино - Группа крови.flac', artist: 'Кино', title: 'Группа крови' }]);
  });

  it('download --check-missing --dir says the same in words, and the second run reads tags from the cache', async () => {
    const refresh = fake.issueRefreshToken('owner');
    const dir = path.join('downloads', 'Crate Digs');
    // The tag cache is kept in an existing data folder (a set-up Crate); `missing` creates none.
    mkdirSync(path.join(tmp.dir, 'data'), { recursive: true });
    const first = await crate(['download', openUrl('playlist', MINE), '--check-missing', '--dir', dir], { SPOTIFY_REFRESH_TOKEN: refresh });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Missing 1 of 2:');
    expect(first.stdout).toContain('  2. Nobody - Lost Track [3:20]');
    expect(first.stdout).toContain('Present: 1 (1 by ISRC, 0 by artist/title/length).');
    expect(first.stdout).toContain('Кино - Группа крови.flac  (Кино - Группа крови [0:01])');
    const second = await crate(['download', openUrl('playlist', MINE), '--check-missing', '--dir', dir], { SPOTIFY_REFRESH_TOKEN: refresh });
    expect(second.stdout).toContain('Checked 2 FLAC files in');
    expect(second.stdout).toContain('(2 from cache)');
  });
});

describe('crate spotify-login', () => {
  it('prints the link, takes the pasted address from stdin, stores the login; then dry runs read as the owner', async () => {
    const dataDir = path.join(tmp.dir, 'login-data');
    const env = { ...fake.env(), CRATE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    const input = new PassThrough();
    const stdout = new Sink();
    const ctx = createCliContext({ env, stdout, stderr: new Sink(), cwd: tmp.dir, shutdownSignal: new AbortController().signal });
    const program = new Command().exitOverride();
    createSpotifyLoginCommand({ input })(program, ctx);
    const done = program.parseAsync(['node', 'crate', 'spotify-login']);
    // Play the owner: wait for the link, open it, approve, paste where the browser lands.
    let link: string | undefined;
    for (let i = 0; i < 100 && !link; i++) {
      link = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stdout.text)?.[1];
      if (!link) await new Promise((r) => setTimeout(r, 10));
    }
    expect(stdout.text).toContain('http://127.0.0.1:8888/callback');
    const landed = (await fetch(link!, { redirect: 'manual' })).headers.get('location')!;
    input.write(`${landed}\n`);
    await done;
    expect(stdout.text).toMatch(/Logged in to Spotify as owner\./);
    expect(new SpotifyTokenStore(dataDir).read()?.clientId).toBe(fake.clientId);

    const out = new Sink();
    await runCli(['node', 'crate', 'download', openUrl('playlist', MINE), '--dry-run', '--json'], {
      env: { ...fake.env({ withApp: false }), CRATE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdout: out,
      stderr: new Sink(),
      cwd: tmp.dir,
      shutdownSignal: new AbortController().signal,
    });
    expect((JSON.parse(out.text) as { source: { backend: string } }).source.backend).toBe('user');
  });

  it('--logout forgets the stored login', async () => {
    const dataDir = path.join(tmp.dir, 'login-data');
    const { code, stdout } = await crate(['spotify-login', '--logout'], { CRATE_DATA_DIR: dataDir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Forgot the stored Spotify login/);
    expect(new SpotifyTokenStore(dataDir).read()).toBeNull();
  });
});

describe('crate download with app credentials: embed-listed rows carry ISRCs', () => {
  it('looks up ISRC and album for rows the public page lists without them', async () => {
    const { code, stdout } = await crate(['download', openUrl('playlist', MINE), '--dry-run', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { source: { backend: string }; tracks: { isrc: string | null; album: string | null }[]; warnings: string[] };
    expect(doc.source.backend).toBe('embed');
    expect(doc.tracks.map((t) => [t.isrc, t.album])).toEqual([
      ['USABC9800001', 'Rain'],
      ['USXXX0000001', 'Rain'],
    ]);
    expect(doc.warnings.join('\n')).toMatch(/ISRC codes and albums were looked up in Spotify's catalogue for 2 of 2 tracks/);
  });
});

describe('crate download FILE: track lists from anywhere', () => {
  const list = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'tracklists', name);
  type Doc = { source: { name: string; backend: string; total: number }; tracks: { artists: string[]; title: string; isrc: string | null; durationMs: number | null }[]; warnings: string[] };

  it.each([
    ['exportify.csv', 'exportify', 3, /an Exportify CSV/, /line 5: no track name and no artist/],
    ['tunemymusic.csv', 'Warehouse Tuesdays', 3, /a TuneMyMusic CSV/, /line 5: no track name/],
    ['soundiiz.csv', 'soundiiz', 3, /a Soundiiz CSV/, /line 4: "No Artist Here" has no artist/],
    ['friday.txt', 'friday', 4, /a text list/, /line 6: .*is not "Artist - Title"/],
  ])('%s lists as a job would (name %j, %i tracks), bad rows with their line numbers', async (file, name, count, kind, problem) => {
    const { code, stdout, stderr } = await crate(['download', list(file), '--dry-run', '--json'], {}, false);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Doc;
    expect(doc.source).toMatchObject({ name, backend: 'file', total: count });
    expect(doc.tracks).toHaveLength(count);
    expect(doc.warnings.join('\n')).toMatch(kind);
    expect(doc.warnings.join('\n')).toMatch(problem);
  });

  it('--name names the job; a missing file is a plain error; --name with a link is refused', async () => {
    const named = await crate(['download', list('friday.txt'), '--dry-run', '--json', '--name', 'Friday Warm-up'], {}, false);
    expect((JSON.parse(named.stdout) as Doc).source.name).toBe('Friday Warm-up');
    const missing = await crate(['download', 'nowhere/set.csv', '--dry-run'], {}, false);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/There is no file .*set\.csv/);
    const both = await crate(['download', openUrl('playlist', PL), '--dry-run', '--name', 'X'], {}, false);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--name names a track list file/);
  });
});
