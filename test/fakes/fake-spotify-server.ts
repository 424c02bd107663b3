/**
 * FakeSpotify: a real HTTP server on 127.0.0.1 (port 0) that answers like Spotify does in 2026,
 * for the Web API, the accounts service and the public web pages at once. Point the three
 * SPOTIFY_*_URL settings at `fake.url` (or spread `fake.env()` into the environment).
 *
 * 2026 shapes served:
 *  - POST /api/token: client_credentials (Basic auth), refresh_token (PKCE: client_id in the form),
 *    authorization_code with the PKCE verifier checked against the challenge from GET /authorize.
 *  - GET /v1/playlists/{id}: full object with rows under `items` for the owner/collaborators;
 *    metadata only (`items: {href,total}`) for anyone else; 404 for 37i9… editorial ids.
 *  - GET /v1/playlists/{id}/items: paging (limit ≤ 50, `next`), rows carry `item` (no `track`);
 *    403 for playlists the token's user neither owns nor collaborates on (and for app tokens).
 *  - GET /v1/albums/{id}, /v1/albums/{id}/tracks (limit ≤ 50), /v1/tracks/{id} (with ISRC),
 *    GET /v1/me. Batch /v1/tracks?ids= is gone (404), as are unknown routes.
 *  - GET /embed/playlist/{id}: HTML with `__NEXT_DATA__`, cut at 100 tracks, no ISRC/album;
 *    unknown or private playlists answer 200 with a page that has no `state` (as Spotify does).
 *  - GET /s/{code}: short-link redirect (307) to the configured target.
 *  - On demand: 429 + Retry-After (optionally QUOTA_EXCEEDED), any status once, Premium-required 403.
 * Every request is recorded (method, path, query, who).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebApiState, handleWebQuery, issueAnonymousToken, type FakeWebApiState } from './fake-spotify-web-api.js';

export interface FakeTrack {
  id: string;
  name: string;
  artists: string[];
  album: { id: string; name: string; releaseDate: string };
  durationMs: number;
  isrc: string | null;
}

/** A playlist row: a track, an episode, or null (a track no longer available). */
export type FakeRow = FakeTrack | { episode: string; durationMs?: number } | null;

export interface FakePlaylist {
  id: string;
  name: string;
  /** User id of the owner; the API lists rows only to the owner and collaborators. */
  ownerId: string;
  ownerName?: string;
  collaborators?: string[];
  /** Shown on the public embed page (default true). */
  public?: boolean;
  /** The embed page says how many rows there are (`trackCount`), as some of its shapes do. */
  embedTrackCount?: boolean;
  rows: FakeRow[];
}

export interface FakeAlbum {
  id: string;
  name: string;
  artists: string[];
  releaseDate: string;
  /** Album tracks in order; also served by /v1/tracks/{id}. */
  tracks: FakeTrack[];
}

export interface FakeUser {
  id: string;
  displayName?: string;
  /** Refresh tokens that log in as this user. */
  refreshTokens?: string[];
}

export interface FakeSpotifyOptions {
  playlists?: FakePlaylist[];
  albums?: FakeAlbum[];
  /** Extra single tracks (album tracks and playlist tracks are served too). */
  tracks?: FakeTrack[];
  users?: FakeUser[];
  clientId?: string;
  clientSecret?: string;
  /** The embed page's cut (Spotify: 100). */
  embedCap?: number;
  /** Seconds an access token lives (default 3600). */
  tokenLifetimeSeconds?: number;
  /** Hand out a new refresh token on every refresh (Spotify may). */
  rotateRefreshTokens?: boolean;
  /** short code → target URL (a plain 307), or how the link answers, served at /s/{code}. */
  shortLinks?: Record<string, string | ShortLinkSpec>;
  /**
   * Development Mode allowlist (Dashboard → User Management, at most 5 users): when set, a user token of
   * anyone else gets 403 "User not registered in the Developer Dashboard" on every Web API call.
   */
  allowlist?: string[];
  /** The app owner lost Premium: every Web API call answers 403 with Spotify's plain-text message. */
  premiumRequired?: boolean;
  /** The web player's pathfinder endpoint (hash it accepts, anonymous token lifetime). */
  webApi?: { hash?: string; tokenLifetimeSeconds?: number };
  /**
   * Album covers by album id, served at /image/{albumId}/{640|300|64} like Spotify's image CDN (the
   * 300 and 64 px sizes answer a smaller body). Albums without one list no images.
   */
  covers?: Record<string, { body: Buffer; contentType?: string }>;
}

/**
 * How a short link answers, as spotify.link (Branch.io) and open.spotify.com/s/ have been seen to:
 * - `redirect`: 307 to the target;
 * - `encoded-redirect`: 307 whose Location is the percent-encoded target (open.spotify.com/s/…);
 * - `interstitial`: browsers get a 200 HTML page with the target in `og:url` (a user agent with
 *   `curl` in it gets the plain 307); `encoding` says how the target is written there.
 */
export interface ShortLinkSpec {
  target: string;
  style: 'redirect' | 'encoded-redirect' | 'interstitial';
  encoding?: 'plain' | 'percent' | 'percent-twice' | 'json-escaped' | 'uri-only';
  /** Interstitial only: also answer curl-like agents with the page (no redirect at all). */
  ignoreUserAgent?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 'app', 'user:<id>', or null when no valid token was sent. */
  who: string | null;
  status: number;
}

export interface RateLimitPlan {
  retryAfterSeconds: number;
  /** How many requests get the 429 (default 1). */
  times?: number;
  /** Only requests whose path starts with this (default: any /v1/ path). */
  pathPrefix?: string;
  /** Send `reason: QUOTA_EXCEEDED` (the Development Mode quota is used up). */
  quota?: boolean;
}

export interface FailurePlan {
  status: number;
  body?: unknown;
  times?: number;
  pathPrefix?: string;
}

export interface FakeSpotify {
  /** Base URL for API, accounts and web: http://127.0.0.1:PORT */
  url: string;
  clientId: string;
  clientSecret: string;
  /** SPOTIFY_API_URL / ACCOUNTS_URL / WEB_URL (+ client id/secret unless `withApp: false`). */
  env(options?: { withApp?: boolean }): Record<string, string>;
  requests: RecordedRequest[];
  /** Requests whose path starts with the prefix. */
  requestsTo(prefix: string): RecordedRequest[];
  rateLimitNext(plan: RateLimitPlan): void;
  failNext(plan: FailurePlan): void;
  /** Drops every pending 429 / failure plan. */
  clearPlans(): void;
  /** Registers a refresh token for a user (created if new) and returns it. */
  issueRefreshToken(userId: string, displayName?: string): string;
  /** Refresh tokens currently valid for a user (after rotations). */
  refreshTokensOf(userId: string): string[];
  /** Makes every issued access token invalid (the next API call gets 401). */
  expireAccessTokens(): void;
  setPremiumRequired(on: boolean): void;
  addPlaylist(p: FakePlaylist): void;
  /** Replaces a playlist's rows (it grows or shrinks; its snapshot id changes). */
  setRows(playlistId: string, rows: FakeRow[]): void;
  /** The web player's endpoint: rotate its hash, expire anonymous tokens, block it. */
  readonly webApi: FakeWebApiState;
  close(): Promise<void>;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A deterministic, valid-looking 22-character Spotify id from any seed. */
export function fakeId(seed: string): string {
  const hash = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < 22; i++) id += BASE62[hash[i]! % 62];
  // Never collide with Spotify's own 37i9… playlists.
  return id.startsWith('37i9') ? `X${id.slice(1)}` : id;
}

/** An id in Spotify's editorial/algorithmic range (37i9dQZF1…). */
export function editorialId(seed: string): string {
  return `37i9dQZF1DX${fakeId(seed).slice(0, 11)}`;
}

export function openUrl(type: 'playlist' | 'album' | 'track', id: string): string {
  return `https://open.spotify.com/${type}/${id}`;
}

/** N deterministic tracks: "Artist k - Title k", 3:00 + k seconds, ISRCs unless told otherwise. */
export function makeTracks(
  n: number,
  options: { prefix?: string; album?: string; withIsrc?: boolean; featuring?: boolean } = {},
): FakeTrack[] {
  const prefix = options.prefix ?? 'T';
  const albumName = options.album ?? `${prefix} Album`;
  const albumId = fakeId(`album:${prefix}:${albumName}`);
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    return {
      id: fakeId(`track:${prefix}:${k}`),
      name: `${prefix} Title ${k}`,
      artists: options.featuring && k % 3 === 0 ? [`${prefix} Artist ${k}`, `${prefix} Guest ${k}`] : [`${prefix} Artist ${k}`],
      album: { id: albumId, name: albumName, releaseDate: '2019-05-17' },
      durationMs: 180_000 + k * 1000,
      isrc: options.withIsrc === false ? null : `QZ${prefix.replace(/[^A-Z0-9]/gi, '').slice(0, 3).toUpperCase().padEnd(3, 'X')}${String(19_0000 + k).padStart(7, '0')}`,
    };
  });
}

export function makeAlbum(id: string, name: string, artists: string[], tracks: FakeTrack[], releaseDate = '2019-05-17'): FakeAlbum {
  const albumTracks = tracks.map((t) => ({ ...t, album: { id, name, releaseDate }, artists: t.artists.length ? t.artists : artists }));
  return { id, name, artists, releaseDate, tracks: albumTracks };
}

interface TokenInfo {
  who: 'app' | `user:${string}`;
  expiresAt: number;
}

export async function startFakeSpotify(options: FakeSpotifyOptions = {}): Promise<FakeSpotify> {
  const clientId = options.clientId ?? 'fake-client-id';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const embedCap = options.embedCap ?? 100;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const playlists = new Map((options.playlists ?? []).map((p) => [p.id, p]));
  const albums = new Map((options.albums ?? []).map((a) => [a.id, a]));
  const tracks = new Map<string, FakeTrack>();
  const addTrack = (t: FakeTrack) => tracks.set(t.id, t);
  for (const t of options.tracks ?? []) addTrack(t);
  for (const a of albums.values()) a.tracks.forEach(addTrack);
  for (const p of playlists.values()) for (const r of p.rows) if (r && 'id' in r) addTrack(r);

  const users = new Map<string, { displayName: string; refreshTokens: Set<string> }>();
  for (const u of options.users ?? []) users.set(u.id, { displayName: u.displayName ?? u.id, refreshTokens: new Set(u.refreshTokens ?? []) });
  const accessTokens = new Map<string, TokenInfo>();
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string; userId: string }>();
  const rateLimits: { retryAfterSeconds: number; times: number; quota: boolean; pathPrefix?: string }[] = [];
  const failures: (FailurePlan & { times: number })[] = [];
  let premiumRequired = options.premiumRequired ?? false;
  const requests: RecordedRequest[] = [];
  const webApi = createWebApiState(options.webApi);
  let url = '';

  const newToken = (who: TokenInfo['who']) => {
    const token = `fake-at-${randomBytes(12).toString('hex')}`;
    accessTokens.set(token, { who, expiresAt: Date.now() + lifetime * 1000 });
    return token;
  };
  const newRefresh = (userId: string) => {
    const token = `fake-rt-${randomBytes(12).toString('hex')}`;
    users.get(userId)?.refreshTokens.add(token);
    return token;
  };
  const ensureUser = (id: string, displayName?: string) => {
    if (!users.has(id)) users.set(id, { displayName: displayName ?? id, refreshTokens: new Set() });
    return users.get(id)!;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { status: 500, message: String(err) } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(u.searchParams);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, query, who: null, status: 0 };
    requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(res, status, body, headers);
    };
    const body = await readBody(req);
    const planned = takePlan(u.pathname);
    if (planned) return reply(planned.status, planned.body, planned.headers);

    if (u.pathname === '/api/token' && req.method === 'POST') return token(req, body, reply, record);
    if (u.pathname === '/authorize') return authorize(u, reply);
    if (u.pathname.startsWith('/embed/playlist/')) return embedPage(u.pathname.split('/')[3] ?? '', reply);
    if (u.pathname === '/pathfinder/v1/query') return handleWebQuery(u, req.headers.authorization, webApi, playlists, reply);
    if (u.pathname.startsWith('/image/')) {
      const [, , albumId = '', size = ''] = u.pathname.split('/');
      const cover = options.covers?.[albumId];
      if (!cover || !['640', '300', '64'].includes(size)) return reply(404, 'no such image', { 'Content-Type': 'text/plain' });
      record.status = 200;
      res.writeHead(200, { 'Content-Type': cover.contentType ?? 'image/jpeg' });
      res.end(size === '640' ? cover.body : cover.body.subarray(0, Math.min(cover.body.length, 64)));
      return;
    }
    if (u.pathname.startsWith('/s/')) {
      const entry = options.shortLinks?.[u.pathname.slice(3)];
      if (!entry) return reply(404, '<html><body>Not found</body></html>', { 'Content-Type': 'text/html' });
      const spec: ShortLinkSpec = typeof entry === 'string' ? { target: entry, style: 'redirect' } : entry;
      const curl = /curl/i.test(req.headers['user-agent'] ?? '');
      if (spec.style === 'redirect' || (spec.style === 'interstitial' && curl && !spec.ignoreUserAgent)) {
        return reply(307, '', { Location: spec.target });
      }
      if (spec.style === 'encoded-redirect') return reply(307, '', { Location: encodeURIComponent(spec.target) });
      return reply(200, interstitialPage(spec), { 'Content-Type': 'text/html; charset=utf-8' });
    }
    if (!u.pathname.startsWith('/v1/')) return reply(404, { error: { status: 404, message: 'Service not found' } });

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const info = auth ? accessTokens.get(auth[1]!) : undefined;
    if (!info || info.expiresAt < Date.now()) {
      return reply(401, { error: { status: 401, message: auth ? 'The access token expired' : 'No token provided' } });
    }
    record.who = info.who;
    if (premiumRequired) {
      record.status = 403;
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end('Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again.');
      return;
    }
    const userId = info.who.startsWith('user:') ? info.who.slice(5) : null;
    if (userId !== null && options.allowlist && !options.allowlist.includes(userId)) {
      record.status = 403;
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end('User not registered in the Developer Dashboard');
      return;
    }
    return api(u, userId, reply);
  }

  function takePlan(path: string): { status: number; body: unknown; headers?: Record<string, string> } | null {
    const rl = rateLimits.find((p) => path.startsWith(p.pathPrefix ?? '/v1/') && p.times > 0);
    if (rl) {
      rl.times--;
      return {
        status: 429,
        body: rl.quota
          ? { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } }
          : { error: { status: 429, message: 'API rate limit exceeded' } },
        headers: { 'Retry-After': String(rl.retryAfterSeconds) },
      };
    }
    const f = failures.find((p) => path.startsWith(p.pathPrefix ?? '/v1/') && p.times > 0);
    if (f) {
      f.times--;
      return { status: f.status, body: f.body ?? { error: { status: f.status, message: 'Injected failure' } } };
    }
    return null;
  }

  function token(req: IncomingMessage, raw: string, reply: Reply, record: RecordedRequest): void {
    const form = new URLSearchParams(raw);
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [bId, bSecret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
    const grant = form.get('grant_type');
    const badClient = () => reply(400, { error: 'invalid_client', error_description: 'Invalid client' });
    if (grant === 'client_credentials') {
      if (bId !== clientId || bSecret !== clientSecret) return badClient();
      record.who = 'app';
      return reply(200, { access_token: newToken('app'), token_type: 'Bearer', expires_in: lifetime });
    }
    if (grant === 'refresh_token') {
      const cid = bId ?? form.get('client_id');
      if (cid !== clientId || (bId !== undefined && bSecret !== clientSecret)) return badClient();
      const rt = form.get('refresh_token') ?? '';
      const owner = [...users.entries()].find(([, u]) => u.refreshTokens.has(rt));
      if (!owner) return reply(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      record.who = `user:${owner[0]}`;
      const out: Record<string, unknown> = {
        access_token: newToken(`user:${owner[0]}`),
        token_type: 'Bearer',
        expires_in: lifetime,
        scope: 'playlist-read-private playlist-read-collaborative',
      };
      if (options.rotateRefreshTokens) {
        owner[1].refreshTokens.delete(rt);
        out.refresh_token = newRefresh(owner[0]);
      }
      return reply(200, out);
    }
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (!code) return reply(400, { error: 'invalid_grant', error_description: 'Invalid authorization code' });
      codes.delete(form.get('code') ?? '');
      if (form.get('client_id') !== code.clientId) return badClient();
      if (form.get('redirect_uri') !== code.redirectUri) return reply(400, { error: 'invalid_grant', error_description: 'Invalid redirect URI' });
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== code.challenge) return reply(400, { error: 'invalid_grant', error_description: 'code_verifier was incorrect' });
      record.who = `user:${code.userId}`;
      return reply(200, {
        access_token: newToken(`user:${code.userId}`),
        token_type: 'Bearer',
        expires_in: lifetime,
        refresh_token: newRefresh(code.userId),
        scope: 'playlist-read-private playlist-read-collaborative',
      });
    }
    return reply(400, { error: 'unsupported_grant_type', error_description: `grant_type ${grant ?? '(none)'} is not supported` });
  }

  /** Plays the browser: approves as `login_as` (default "owner") and redirects with code + state. */
  function authorize(u: URL, reply: Reply): void {
    const q = u.searchParams;
    if (q.get('client_id') !== clientId) return reply(400, '<html>INVALID_CLIENT: Invalid client</html>', { 'Content-Type': 'text/html' });
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      return reply(400, '<html>Invalid request</html>', { 'Content-Type': 'text/html' });
    }
    const redirectUri = q.get('redirect_uri') ?? '';
    const userId = q.get('login_as') ?? 'owner';
    ensureUser(userId);
    const code = `fake-code-${randomBytes(8).toString('hex')}`;
    codes.set(code, { challenge: q.get('code_challenge')!, redirectUri, clientId, userId });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (q.get('state') !== null) target.searchParams.set('state', q.get('state')!);
    return reply(302, '', { Location: target.toString() });
  }

  function api(u: URL, userId: string | null, reply: Reply): void {
    const parts = u.pathname.split('/').filter(Boolean); // ['v1', ...]
    const [, kind, id, sub] = parts;
    const q = u.searchParams;
    const notFound = () => reply(404, { error: { status: 404, message: 'Resource not found' } });

    if (kind === 'me' && !id) {
      if (!userId) return reply(401, { error: { status: 401, message: 'This request requires user authentication.' } });
      return reply(200, { id: userId, display_name: users.get(userId)?.displayName ?? userId, type: 'user', uri: `spotify:user:${userId}` });
    }
    if (kind === 'playlists' && id) {
      const p = playlists.get(id);
      if (!p || id.startsWith('37i9')) return notFound();
      const canRead = userId !== null && (p.ownerId === userId || (p.collaborators ?? []).includes(userId));
      if (!sub) {
        const meta = playlistMeta(p);
        // 2026 migration guide: "For other playlists, only metadata is returned and the items field will be absent."
        return reply(200, canRead ? { ...meta, items: itemsPage(p, 0, 100) } : meta);
      }
      if (sub === 'items') {
        const limit = Number(q.get('limit') ?? 20);
        const offset = Number(q.get('offset') ?? 0);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50) return reply(400, { error: { status: 400, message: 'Invalid limit' } });
        if (!canRead) return reply(403, { error: { status: 403, message: 'Forbidden' } });
        return reply(200, itemsPage(p, offset, limit));
      }
      if (sub === 'tracks') return reply(403, { error: { status: 403, message: 'Forbidden' } });
      return notFound();
    }
    if (kind === 'albums' && id) {
      const a = albums.get(id);
      if (!a) return notFound();
      if (!sub) return reply(200, albumObject(a));
      if (sub === 'tracks') {
        const limit = Number(q.get('limit') ?? 20);
        const offset = Number(q.get('offset') ?? 0);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50) return reply(400, { error: { status: 400, message: 'Invalid limit' } });
        return reply(200, page(`${url}/v1/albums/${id}/tracks`, a.tracks, offset, limit, (t, i) => simplifiedTrack(t, offset + i + 1)));
      }
      return notFound();
    }
    if (kind === 'tracks' && id && !sub) {
      const t = tracks.get(id);
      return t ? reply(200, trackObject(t, 1)) : notFound();
    }
    return reply(404, { error: { status: 404, message: 'Service not found' } });
  }

  function playlistMeta(p: FakePlaylist) {
    return {
      id: p.id,
      name: p.name,
      type: 'playlist',
      uri: `spotify:playlist:${p.id}`,
      href: `${url}/v1/playlists/${p.id}`,
      collaborative: (p.collaborators ?? []).length > 0,
      public: p.public ?? true,
      description: '',
      owner: { id: p.ownerId, display_name: p.ownerName ?? p.ownerId, type: 'user', uri: `spotify:user:${p.ownerId}` },
      // Changes whenever the rows do, as Spotify's does (a watch skips a playlist whose snapshot is unchanged).
      snapshot_id: snapshotOf(p),
      // Since Feb 2026 `tracks` is gone from the object (null), replaced by `items`.
      tracks: null,
    };
  }

  function itemsPage(p: FakePlaylist, offset: number, limit: number) {
    return page(`${url}/v1/playlists/${p.id}/items`, p.rows, offset, limit, (row, i) => ({
      added_at: '2026-03-10T12:00:00Z',
      added_by: { id: p.ownerId, type: 'user' },
      is_local: false,
      item: row === null ? null : 'episode' in row ? episodeObject(row) : trackObject(row, offset + i + 1),
    }));
  }

  function embedPage(id: string, reply: Reply): void {
    const p = playlists.get(id);
    const html = (data: unknown) =>
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>Spotify Embed</title></head><body><div id="__next"></div>` +
      `<script id="__NEXT_DATA__" type="application/json">${JSON.stringify(data).replace(/</g, '\\u003c')}</script></body></html>`;
    if (!p || p.public === false) {
      return reply(200, html({ props: { pageProps: { status: 404, title: 'Page not found', description: '', rtl: false } }, page: '/_error' }), {
        'Content-Type': 'text/html; charset=utf-8',
      });
    }
    const trackList = p.rows.slice(0, embedCap).flatMap((row, i) => {
      if (row === null) return [];
      if ('episode' in row) {
        return [{ uri: `spotify:episode:${fakeId(row.episode)}`, uid: `u${i}`, title: row.episode, subtitle: 'Some Podcast', duration: row.durationMs ?? 1_800_000, isPlayable: true, entityType: 'episode' }];
      }
      return [
        {
          uri: `spotify:track:${row.id}`,
          uid: `u${i}`,
          title: row.name,
          subtitle: row.artists.join(',\u00a0'),
          isExplicit: false,
          isNineteenPlus: false,
          duration: row.durationMs,
          isPlayable: true,
          playabilityReason: 'PLAYABLE',
          audioPreview: { url: `https://p.scdn.co/mp3-preview/${row.id}` },
          entityType: 'track',
        },
      ];
    });
    const entity = {
      type: 'playlist',
      name: p.name,
      title: p.name,
      subtitle: p.ownerName ?? p.ownerId,
      id: p.id,
      uri: `spotify:playlist:${p.id}`,
      authors: [{ name: p.ownerName ?? p.ownerId }],
      releaseDate: null,
      trackList,
      ...(p.embedTrackCount ? { trackCount: p.rows.length } : {}),
    };
    const data = {
      props: {
        pageProps: {
          state: {
            data: { entity, embeded_entity_uri: `spotify:playlist:${p.id}` },
            settings: { session: { accessToken: issueAnonymousToken(webApi), accessTokenExpirationTimestampMs: Date.now() + webApi.tokenLifetimeSeconds * 1000, isAnonymous: true } },
          },
        },
      },
      page: '/playlist/[id]',
    };
    return reply(200, html(data), { 'Content-Type': 'text/html; charset=utf-8' });
  }

  function page<T>(href: string, all: T[], offset: number, limit: number, map: (t: T, i: number) => unknown) {
    const slice = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? `${href}?offset=${offset + limit}&limit=${limit}` : null;
    const previous = offset > 0 ? `${href}?offset=${Math.max(0, offset - limit)}&limit=${limit}` : null;
    return { href: `${href}?offset=${offset}&limit=${limit}`, items: slice.map(map), limit, next, offset, previous, total: all.length };
  }

  function artistObjects(names: string[]) {
    return names.map((name) => ({ id: fakeId(`artist:${name}`), name, type: 'artist', uri: `spotify:artist:${fakeId(`artist:${name}`)}` }));
  }

  function simplifiedTrack(t: FakeTrack, trackNumber: number) {
    return {
      id: t.id,
      name: t.name,
      type: 'track',
      uri: `spotify:track:${t.id}`,
      href: `${url}/v1/tracks/${t.id}`,
      duration_ms: t.durationMs,
      explicit: false,
      disc_number: 1,
      track_number: trackNumber,
      is_local: false,
      artists: artistObjects(t.artists),
      external_urls: { spotify: openUrl('track', t.id) },
    };
  }

  function trackObject(t: FakeTrack, trackNumber: number) {
    return {
      ...simplifiedTrack(t, trackNumber),
      album: {
        id: t.album.id,
        name: t.album.name,
        album_type: 'album',
        type: 'album',
        uri: `spotify:album:${t.album.id}`,
        release_date: t.album.releaseDate,
        release_date_precision: 'day',
        artists: artistObjects(t.artists.slice(0, 1)),
        images: imagesOf(t.album.id),
      },
      external_ids: t.isrc ? { isrc: t.isrc } : {},
    };
  }

  function episodeObject(row: { episode: string; durationMs?: number }) {
    const id = fakeId(row.episode);
    return { id, name: row.episode, type: 'episode', uri: `spotify:episode:${id}`, duration_ms: row.durationMs ?? 1_800_000 };
  }

  /** Smallest first, as a reminder that the order is not promised. */
  function imagesOf(albumId: string) {
    if (!options.covers?.[albumId]) return [];
    return [64, 300, 640].map((px) => ({ url: `${url}/image/${albumId}/${px}`, width: px, height: px }));
  }

  function albumObject(a: FakeAlbum) {
    return {
      id: a.id,
      name: a.name,
      album_type: 'album',
      type: 'album',
      uri: `spotify:album:${a.id}`,
      release_date: a.releaseDate,
      release_date_precision: 'day',
      total_tracks: a.tracks.length,
      artists: artistObjects(a.artists),
      images: imagesOf(a.id),
      label: 'Fake Records',
      external_ids: { upc: '000000000000' },
      tracks: page(`${url}/v1/albums/${a.id}/tracks`, a.tracks, 0, 50, (t, i) => simplifiedTrack(t, i + 1)),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clientId,
    clientSecret,
    env(opts = {}) {
      const env: Record<string, string> = { SPOTIFY_API_URL: url, SPOTIFY_ACCOUNTS_URL: url, SPOTIFY_WEB_URL: url, SPOTIFY_PARTNER_URL: url };
      if (opts.withApp !== false) Object.assign(env, { SPOTIFY_CLIENT_ID: clientId, SPOTIFY_CLIENT_SECRET: clientSecret });
      return env;
    },
    requests,
    requestsTo: (prefix) => requests.filter((r) => r.path.startsWith(prefix)),
    rateLimitNext(plan) {
      rateLimits.push({ retryAfterSeconds: plan.retryAfterSeconds, times: plan.times ?? 1, quota: plan.quota ?? false, pathPrefix: plan.pathPrefix });
    },
    failNext(plan) {
      failures.push({ ...plan, times: plan.times ?? 1 });
    },
    clearPlans() {
      rateLimits.length = 0;
      failures.length = 0;
    },
    issueRefreshToken(userId, displayName) {
      ensureUser(userId, displayName);
      return newRefresh(userId);
    },
    refreshTokensOf: (userId) => [...(users.get(userId)?.refreshTokens ?? [])],
    expireAccessTokens() {
      accessTokens.clear();
    },
    setPremiumRequired(on) {
      premiumRequired = on;
    },
    addPlaylist(p) {
      playlists.set(p.id, p);
      for (const r of p.rows) if (r && 'id' in r) addTrack(r);
    },
    setRows(playlistId, rows) {
      const p = playlists.get(playlistId);
      if (!p) throw new Error(`no fake playlist ${playlistId}`);
      p.rows = rows;
      for (const r of rows) if (r && 'id' in r) addTrack(r);
    },
    webApi,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const isText = typeof body === 'string';
  res.writeHead(status, { 'Content-Type': isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8', ...headers });
  res.end(isText ? body : JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A Branch.io-like interstitial: the target only in og:url (and a script), written as `spec.encoding` says. */
function interstitialPage(spec: ShortLinkSpec): string {
  const t = spec.target;
  const id = /\/(playlist|album|track)\/([0-9A-Za-z]{22})/.exec(t);
  const written =
    spec.encoding === 'percent'
      ? encodeURIComponent(t)
      : spec.encoding === 'percent-twice'
        ? encodeURIComponent(encodeURIComponent(t))
        : spec.encoding === 'json-escaped'
          ? t.replace(/\//g, '\\/')
          : spec.encoding === 'uri-only' && id
            ? `spotify:${id[1]}:${id[2]}`
            : t;
  return [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Spotify</title>',
    `<meta property="og:url" content="${written}">`,
    '<meta property="og:site_name" content="Spotify">',
    `<script>window.__branch = {"$canonical_url":"${written}","$deeplink_path":"open"};</script>`,
    '</head><body><p>Opening Spotify…</p></body></html>',
  ].join('\n');
}

/** A snapshot id that changes whenever the playlist's rows or name change. */
function snapshotOf(p: FakePlaylist): string {
  const rows = p.rows.map((r) => (r === null ? '-' : 'episode' in r ? `e:${r.episode}` : r.id)).join(',');
  return createHash('sha1').update(`${p.name}|${rows}`).digest('base64url').slice(0, 24);
}

