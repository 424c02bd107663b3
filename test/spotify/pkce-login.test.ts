import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logger.js';
import { SpotifyHttp } from '../../src/spotify/http.js';
import { completePkceLogin, parseRedirect, startPkceLogin, type PkceLoginRequest } from '../../src/spotify/pkce-login.js';
import { SpotifyTokenStore } from '../../src/spotify/token-store.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { configFor, sourceFor, tmpDir } from './support.js';

const PL = fakeId('pl:login');
let fake: FakeSpotify;
const tmp = tmpDir();

beforeAll(async () => {
  fake = await startFakeSpotify({
    playlists: [{ id: PL, name: 'Logged In', ownerId: 'owner', rows: makeTracks(3, { prefix: 'Lg' }) }],
    users: [{ id: 'owner', displayName: 'The Owner' }],
  });
});
afterAll(async () => {
  await fake.close();
  tmp.cleanup();
});

/** Plays the owner's browser: opens the link, approves, and returns the address it lands on. */
async function approve(request: PkceLoginRequest): Promise<string> {
  const res = await fetch(request.authorizeUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

function deps(dir: string) {
  return {
    http: new SpotifyHttp({ logger: silentLogger() }),
    store: new SpotifyTokenStore(dir),
    accountsUrl: fake.url,
    apiUrl: fake.url,
  };
}

describe('PKCE login', () => {
  it('builds an authorize URL for the owner\'s app with an S256 challenge and loopback redirect', () => {
    const config = configFor(fake, `${tmp.dir}/a`);
    const req = startPkceLogin(config);
    const u = new URL(req.authorizeUrl);
    expect(`${u.origin}${u.pathname}`).toBe(`${fake.url}/authorize`);
    expect(u.searchParams.get('client_id')).toBe(fake.clientId);
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8888/callback');
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toBe(createHash('sha256').update(req.codeVerifier).digest('base64url'));
    expect(u.searchParams.get('state')).toBe(req.state);
    expect(u.searchParams.get('scope')).toBe('playlist-read-private playlist-read-collaborative');
    expect(req.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(startPkceLogin(config).state).not.toBe(req.state);
  });

  it('exchanges the pasted redirect address, stores the refresh token 0600, and the source then reads as the owner', async () => {
    const dir = `${tmp.dir}/b`;
    const config = configFor(fake, dir, {}, false);
    const withId = configFor(fake, dir, { SPOTIFY_CLIENT_ID: fake.clientId }, false);
    const req = startPkceLogin(withId);
    const landed = await approve(req);
    expect(landed).toMatch(/^http:\/\/127\.0\.0\.1:8888\/callback\?code=/);
    const login = await completePkceLogin(req, `  ${landed}\n`, deps(dir));
    expect(login.user).toEqual({ id: 'owner', displayName: 'The Owner' });
    expect(login.clientId).toBe(fake.clientId);
    const store = new SpotifyTokenStore(dir);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(store.file, 'utf8')).refreshToken).toBe(fake.refreshTokensOf('owner').at(-1));
    // No SPOTIFY_CLIENT_ID needed any more: the stored login carries its app id.
    const listing = await sourceFor(config).source.load(openUrl('playlist', PL));
    expect(listing.source.backend).toBe('user');
  });

  it('a user not on the app\'s allowlist: the login fails loudly with Spotify\'s words and is not stored', async () => {
    const gated = await startFakeSpotify({ users: [{ id: 'owner' }], allowlist: ['someone-else'] });
    try {
      const dir = `${tmp.dir}/gated`;
      const req = startPkceLogin(configFor(gated, dir, {}));
      const res = await fetch(req.authorizeUrl, { redirect: 'manual' });
      const err = await completePkceLogin(req, res.headers.get('location')!, { ...deps(dir), accountsUrl: gated.url, apiUrl: gated.url }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/User not registered in the Developer Dashboard/);
      expect((err as UserError).hint).toMatch(/User Management/);
      expect(new SpotifyTokenStore(dir).read()).toBeNull();
    } finally {
      await gated.close();
    }
  });

  it('accepts just the query part too', () => {
    expect(parseRedirect('?code=abc&state=xyz')).toEqual({ code: 'abc', state: 'xyz' });
    expect(parseRedirect('code=abc&state=xyz')).toEqual({ code: 'abc', state: 'xyz' });
  });

  it.each([
    ['', /Nothing was pasted/],
    ['http://127.0.0.1:8888/callback?error=access_denied&state=s', /cancelled on the Spotify page/],
    ['http://127.0.0.1:8888/callback', /no login code/],
    ['http://127.0.0.1:8888/callback?state=s', /no login code/],
  ])('rejects %j with a UserError', (pasted, message) => {
    expect(() => parseRedirect(pasted)).toThrow(message);
  });

  it('refuses an address from another attempt (state mismatch) before calling Spotify', async () => {
    const config = configFor(fake, `${tmp.dir}/c`);
    const first = startPkceLogin(config);
    const second = startPkceLogin(config);
    const landed = await approve(first);
    const before = fake.requestsTo('/api/token').length;
    await expect(completePkceLogin(second, landed, deps(`${tmp.dir}/c`))).rejects.toThrow(/different login attempt/);
    expect(fake.requestsTo('/api/token').length).toBe(before);
  });

  it('a code used twice (or a wrong verifier) is refused by Spotify with an honest message', async () => {
    const config = configFor(fake, `${tmp.dir}/d`);
    const req = startPkceLogin(config);
    const landed = await approve(req);
    const tampered = { ...req, codeVerifier: `${req.codeVerifier.slice(0, -1)}x` };
    const err = await completePkceLogin(tampered, landed, deps(`${tmp.dir}/d`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/did not accept the login code \(code_verifier was incorrect\)/);
    expect(new SpotifyTokenStore(`${tmp.dir}/d`).read()).toBeNull();
  });

  it('without SPOTIFY_CLIENT_ID it says how to create the app and which redirect URI to register', () => {
    const config = configFor(fake, `${tmp.dir}/e`, {}, false);
    const err = (() => {
      try {
        startPkceLogin(config);
      } catch (e) {
        return e as UserError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err!.message).toMatch(/SPOTIFY_CLIENT_ID is not set/);
    expect(err!.hint).toContain('http://127.0.0.1:8888/callback');
  });
});
