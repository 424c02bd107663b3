/**
 * One process per account, through the real `crate` binary: a `crate serve` runs; a second
 * `crate serve`, a `crate download LINK` and a `crate login` beside it exit 2 at once with the
 * lock message and touch neither Spotify nor Telegram; read-only commands (`status`, `report`,
 * `download --dry-run`) still work, and `crate status` shows the session as serve recorded it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBotApiServer } from '../fakes/fake-bot-api-server.js';
import { startCrate, type CrateProcess } from '../fakes/crate-process.js';
import { fakeId, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';

const OWNER_ID = 5_550_001;

describe('one Crate process per account (real processes)', () => {
  let server: FakeBotApiServer;
  let spotify: FakeSpotify;
  let root: string;
  let env: Record<string, string>;
  let serve: CrateProcess;
  const playlistId = fakeId('playlist:lock');
  const link = `https://open.spotify.com/playlist/${playlistId}`;

  beforeAll(async () => {
    server = new FakeBotApiServer();
    await server.start();
    spotify = await startFakeSpotify({
      playlists: [{ id: playlistId, name: 'Locked', ownerId: 'owner', ownerName: 'Owner', rows: [{ id: fakeId('track:lock'), name: 'Locked Title', artists: ['A'], album: { id: fakeId('album:lock'), name: 'Al', releaseDate: '2020-01-01' }, durationMs: 180_000, isrc: null }] }],
      users: [{ id: 'owner', displayName: 'Owner' }],
    });
    root = await mkdtemp(path.join(os.tmpdir(), 'crate-one-'));
    env = {
      ...spotify.env(),
      TELEGRAM_BOT_TOKEN: server.token,
      TELEGRAM_OWNER_ID: String(OWNER_ID),
      TELEGRAM_BOT_API_ROOT: server.apiRoot,
      TELEGRAM_API_ID: '12345',
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      CRATE_DATA_DIR: 'data',
      DOWNLOAD_FOLDER: 'music',
      LOG_LEVEL: 'warn',
    };
    // No session file: serve runs the bot and waits for /login; it holds the account all the same.
    serve = startCrate(['serve'], { env, cwd: root });
    await serve.waitForOutput(/Crate is running/, 30_000);
  }, 60_000);

  afterAll(async () => {
    serve?.kill('SIGTERM');
    await serve?.exit;
    await server?.close();
    await spotify?.close();
    await rm(root, { recursive: true, force: true });
  });

  const lockMessage = new RegExp(
    `Crate is already running as \`crate serve\` \\(pid ${'\\d+'}, since \\d\\d:\\d\\d\\): send the link to the control bot, or stop it first\\.`,
  );

  it('a second download, serve or login exits 2 at once with the lock message, touching nothing', async () => {
    const spotifyBefore = spotify.requests.length;
    const callsBefore = server.calls.length;
    for (const args of [['download', link], ['serve'], ['login', '--phone', '+441234567890']]) {
      const second = startCrate(args, { env, cwd: root });
      const code = await second.exit;
      expect(code, `crate ${args.join(' ')}: ${second.stderr()}`).toBe(2);
      expect(second.stderr()).toMatch(lockMessage);
      expect(second.stderr()).toContain(`pid ${serve.pid}`);
      expect(second.stderr()).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    }
    expect(spotify.requests.length).toBe(spotifyBefore);
    // The second serve did not even say getMe to the Bot API (the first one keeps polling).
    expect(server.calls.slice(callsBefore).filter((c) => c.method !== 'getUpdates')).toEqual([]);
  }, 90_000);

  it('read-only commands still work beside it, and status shows what serve recorded', async () => {
    const dry = startCrate(['download', link, '--dry-run'], { env, cwd: root });
    expect(await dry.exit, dry.stderr()).toBe(0);
    expect(dry.stdout()).toContain('Locked');
    // No job yet: report says so (2: nothing to report), not that Crate is running elsewhere.
    const report = startCrate(['report'], { env, cwd: root });
    expect(await report.exit).toBe(2);
    expect(report.stderr()).toContain('No jobs yet');
    const status = startCrate(['status'], { env, cwd: root });
    expect(await status.exit, status.stderr()).toBe(0);
    expect(status.stdout()).toMatch(/Telegram: not logged in \(.*as seen by `crate serve` \(pid \d+, since \d\d:\d\d\) \d+ s ago\)/);
  }, 60_000);
});
