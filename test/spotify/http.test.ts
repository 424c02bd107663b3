import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError, UserError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logger.js';
import { SpotifyApiError, SpotifyRateLimitError } from '../../src/spotify/errors.js';
import { apiUrl, parseRetryAfter, SpotifyHttp, type AccessTokenSource } from '../../src/spotify/http.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { configFor, fakeClock, sourceFor, tmpDir } from './support.js';

const tracks = makeTracks(120, { prefix: 'Rl' });
const PL = fakeId('pl:rate');
let fake: FakeSpotify;
let owner: string;
const tmp = tmpDir();

beforeAll(async () => {
  fake = await startFakeSpotify({ playlists: [{ id: PL, name: 'Rate', ownerId: 'owner', rows: tracks }] });
  owner = fake.issueRefreshToken('owner');
});
afterAll(async () => {
  await fake.close();
  tmp.cleanup();
});

describe('429 with Retry-After', () => {
  it('waits what Spotify asks (plus a little jitter, never less) and then goes on paging', async () => {
    const clock = fakeClock();
    const { source } = sourceFor(configFor(fake, `${tmp.dir}/a`, { SPOTIFY_REFRESH_TOKEN: owner }), { clock, random: () => 0.5 });
    fake.rateLimitNext({ retryAfterSeconds: 7, pathPrefix: `/v1/playlists/${PL}/items` });
    const listing = await source.load(openUrl('playlist', PL));
    expect(listing.tracks).toHaveLength(120);
    expect(listing.source.backend).toBe('user');
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(7000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(7000 + 250 + 700);
  });

  it('a wait longer than a few minutes stops with a message saying when to try again', async () => {
    const clock = fakeClock(Date.UTC(2026, 3, 1, 12, 0, 0));
    const { source } = sourceFor(configFor(fake, `${tmp.dir}/b`, { SPOTIFY_REFRESH_TOKEN: owner }), { clock });
    fake.rateLimitNext({ retryAfterSeconds: 3 * 3600, pathPrefix: `/v1/playlists/${PL}` });
    const err = await source.load(openUrl('playlist', PL)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpotifyRateLimitError);
    expect(err).toBeInstanceOf(UserError);
    const e = err as SpotifyRateLimitError;
    expect(e.retryAfterSeconds).toBe(10_800);
    expect(e.message).toBe(
      'Spotify is rate-limiting this app and asks to wait 3 h; try again in about 3 h (after 2026-04-01 15:00:00 UTC).',
    );
    expect(e.cause).toBeInstanceOf(RateLimitedError);
    expect(clock.sleeps).toEqual([]);
  });

  it('QUOTA_EXCEEDED says the quota is used up and when it comes back', async () => {
    const clock = fakeClock(Date.UTC(2026, 3, 1, 12, 0, 0));
    const { source } = sourceFor(configFor(fake, `${tmp.dir}/c`), { clock });
    fake.rateLimitNext({ retryAfterSeconds: 5400, quota: true, pathPrefix: '/v1/tracks/' });
    const err = (await source.load(openUrl('track', tracks[0]!.id)).catch((e: unknown) => e)) as UserError;
    expect(err.message).toMatch(/request quota is used up \(QUOTA_EXCEEDED\).*in about 1 h 30 min \(after 2026-04-01 13:30:00 UTC\)/);
    expect(err.hint).toMatch(/run the same command again/);
  });

  it('gives up after too many 429s in a row instead of looping forever', async () => {
    const clock = fakeClock();
    const http = new SpotifyHttp({ logger: silentLogger(), clock, maxAttempts: 3 });
    fake.rateLimitNext({ retryAfterSeconds: 1, times: 3, pathPrefix: '/v1/me' });
    const auth = await userAuth();
    await expect(http.getJson(`${fake.url}/v1/me`, { auth })).rejects.toBeInstanceOf(SpotifyRateLimitError);
    expect(clock.sleeps).toHaveLength(2);
    fake.clearPlans();
  });
});

describe('other answers', () => {
  it('retries a 5xx a few times, then returns what Spotify said', async () => {
    const clock = fakeClock();
    const http = new SpotifyHttp({ logger: silentLogger(), clock, random: () => 0 });
    const auth = await userAuth();
    fake.failNext({ status: 503, pathPrefix: '/v1/me', times: 2 });
    await expect(http.getJson<{ id: string }>(`${fake.url}/v1/me`, { auth })).resolves.toMatchObject({ id: 'owner' });
    expect(clock.sleeps).toEqual([1000, 2000]);
    fake.failNext({ status: 500, pathPrefix: '/v1/me', times: 9 });
    const err = await http.getJson(`${fake.url}/v1/me`, { auth }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpotifyApiError);
    expect((err as SpotifyApiError).status).toBe(500);
    fake.clearPlans();
  });

  it('an unreachable Spotify is a UserError naming the host, after a couple of retries', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const clock = fakeClock();
    const http = new SpotifyHttp({ logger: silentLogger(), clock });
    const err = (await http.getPage(`http://127.0.0.1:${port}/embed/playlist/x`).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`Cannot reach Spotify \\(127.0.0.1:${port}\\): ECONNREFUSED`));
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('an abort stops at once, also during a Retry-After wait', async () => {
    const http = new SpotifyHttp({ logger: silentLogger() });
    const controller = new AbortController();
    fake.rateLimitNext({ retryAfterSeconds: 30, pathPrefix: '/v1/me' });
    const auth = await userAuth();
    const pending = http.getJson(`${fake.url}/v1/me`, { auth, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await expect(pending).rejects.toThrow('stop now');
  });
});

describe('helpers', () => {
  it.each([
    ['120', 120],
    ['0', 0],
    ['1.2', 2],
    ['Wed, 01 Apr 2026 12:01:00 GMT', 60],
    ['garbage', null],
    ['', null],
  ])('parseRetryAfter(%j)', (value, expected) => {
    expect(parseRetryAfter(value, Date.UTC(2026, 3, 1, 12, 0, 0))).toBe(expected);
  });

  it('apiUrl re-bases Spotify\'s absolute next links onto the configured base', () => {
    expect(apiUrl('http://proxy:8080/spotify', 'https://api.spotify.com/v1/playlists/x/items?offset=50&limit=50')).toBe(
      'http://proxy:8080/spotify/v1/playlists/x/items?offset=50&limit=50',
    );
    expect(apiUrl('http://proxy:8080/spotify', 'http://proxy:8080/spotify/v1/albums/y/tracks?offset=50')).toBe(
      'http://proxy:8080/spotify/v1/albums/y/tracks?offset=50',
    );
    expect(apiUrl('https://api.spotify.com', '/v1/me')).toBe('https://api.spotify.com/v1/me');
  });
});

async function userAuth(): Promise<AccessTokenSource> {
  const res = await fetch(`${fake.url}/api/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: owner, client_id: fake.clientId }).toString(),
  });
  const { access_token } = (await res.json()) as { access_token: string };
  return { kind: 'user', token: async () => access_token, invalidate: () => undefined };
}
