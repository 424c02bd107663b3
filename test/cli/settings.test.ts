/**
 * Settings as a new user meets them, through the real `crate` binary: `.env` is read from the folder
 * crate runs in, .env.example's placeholders count as not set, `npm start` (serve) with nothing
 * configured names all five settings, SPOTIFY_API_URL works with or without Spotify's `/v1`, and
 * doctor's Spotify line reads a real album and names network failures as such.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PLACEHOLDERS } from '../../src/config.js';
import { fakeId, makeAlbum, makeTracks, openUrl, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { REPO_ROOT, runCrate } from './support/crate-bin.js';

const ALBUM = fakeId('album:settings');
const DISCOVERY = '2noRn2Aes5aoNVsU6iWThc';
const ALL_FIVE = ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_OWNER_ID', 'TELEGRAM_API_ID', 'TELEGRAM_API_HASH', 'SPOTIFY_CLIENT_ID'];
let fake: FakeSpotify;
let base: string;
let n = 0;

beforeAll(async () => {
  fake = await startFakeSpotify({
    albums: [
      makeAlbum(ALBUM, 'Settings Album', ['Set Band'], makeTracks(4, { prefix: 'Set' })),
      makeAlbum(DISCOVERY, 'Discovery', ['Daft Punk'], makeTracks(14, { prefix: 'Disc' })),
    ],
  });
  base = mkdtempSync(path.join(tmpdir(), 'crate-settings-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(base, { recursive: true, force: true });
});

function folder(): string {
  const dir = path.join(base, `ws-${++n}`);
  mkdirSync(dir);
  return dir;
}

describe('npm start with nothing configured', () => {
  it('names all five settings a working Crate needs, and where to get each', async () => {
    const run = await runCrate(['serve'], { cwd: folder() });
    expect(run.code).toBe(2);
    for (const key of ALL_FIVE) expect(run.stderr).toMatch(new RegExp(`^  ${key}: `, 'm'));
    expect(run.stderr).toContain('in the folder you run crate from');
  });

  it('reads .env from the folder it runs in', async () => {
    const cwd = folder();
    writeFileSync(path.join(cwd, '.env'), 'TELEGRAM_API_ID=4242\nTELEGRAM_API_HASH=abcdefabcdefabcdefabcdefabcdef12\n');
    const run = await runCrate(['serve'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ {2}TELEGRAM_BOT_TOKEN: /m);
    expect(run.stderr).not.toMatch(/TELEGRAM_API_ID|TELEGRAM_API_HASH/);
  });

  it('a copied .env.example is "not set yet", setting by setting', async () => {
    const cwd = folder();
    copyFileSync(path.join(REPO_ROOT, '.env.example'), path.join(cwd, '.env'));
    const run = await runCrate(['serve'], { cwd });
    expect(run.code).toBe(2);
    for (const key of ALL_FIVE) expect(run.stderr).toMatch(new RegExp(`^  ${key}: still the example value from \\.env\\.example; `, 'm'));
  });

  it('every credential placeholder in .env.example is one Crate recognises', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    for (const [key, value] of Object.entries(EXAMPLE_PLACEHOLDERS)) expect(example).toContain(`\n${key}=${value}\n`);
  });
});

describe('SPOTIFY_API_URL with or without /v1', () => {
  it.each(['', '/v1', '/v1/'])('base%s reads the album through the Web API, never /v1/v1', async (suffix) => {
    const before = fake.requests.length;
    const run = await runCrate(['download', openUrl('album', ALBUM), '--dry-run'], {
      cwd: folder(),
      env: { ...fake.env(), SPOTIFY_API_URL: `${fake.url}${suffix}` },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Album "Set Band - Settings Album": 4 tracks, read from the Spotify catalogue');
    const paths = fake.requests.slice(before).map((r) => r.path);
    expect(paths).toContain(`/v1/albums/${ALBUM}`);
    expect(paths.some((p) => p.startsWith('/v1/v1'))).toBe(false);
  });
});

describe("doctor's Spotify line", () => {
  const doctor = (env: Record<string, string>) => runCrate(['doctor'], { cwd: folder(), env: { ...fake.env(), LOG_LEVEL: 'silent', ...env } });

  it('reads a real album through the Web API (with /v1 in the base too)', async () => {
    for (const api of [fake.url, `${fake.url}/v1`]) {
      const run = await doctor({ SPOTIFY_API_URL: api });
      expect(run.stdout).toMatch(/^WARN {2}Spotify +app OK; read the album "Daft Punk - Discovery" \(14 tracks\) from 127\.0\.0\.1:\d+; no user login/m);
    }
  });

  it('fails when the credentials work but the Web API base is wrong', async () => {
    const run = await doctor({ SPOTIFY_API_URL: `${fake.url}/not-the-api` });
    expect(run.stdout).toMatch(/^FAIL {2}Spotify +credentials OK, but reading through the Web API failed: /m);
    expect(run.stdout).toContain('→ Check SPOTIFY_API_URL');
    expect(run.code).toBe(2);
  });

  it('names a network failure as one, not as refused credentials', async () => {
    // Port 9 on loopback refuses at once: no DNS or internet needed.
    const run = await doctor({ SPOTIFY_ACCOUNTS_URL: 'http://127.0.0.1:9' });
    expect(run.stdout).toMatch(/^FAIL {2}Spotify +network: app: Cannot reach Spotify \(127\.0\.0\.1:9\)/m);
    expect(run.stdout).not.toContain('refused the app credentials');
  });
});
