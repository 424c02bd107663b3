/**
 * Opt-in backend "web" (SPOTIFY_WEB_PLAYLISTS=on): a whole public playlist of someone else, past the
 * embed page's 100, through the web player's own GraphQL endpoint (`pathfinder` operation
 * `fetchPlaylist`) with the anonymous token the embed page itself carries.
 *
 * This is Spotify's INTERNAL API, the one route other tools report working through 2026 for more than
 * 100 tracks of a playlist one does not own. It may break at any time: the persisted-query hash is
 * rotated (PersistedQueryNotFound), the token can be refused, the shape can change. Every such failure
 * returns a reason, and the caller falls back to the embed page's first 100 with a clear warning.
 * The token is never logged (only `safePath` of URLs is).
 */
import type { TrackInfo } from '../domain/track.js';
import { SpotifyApiError } from './errors.js';
import { get, isObject } from './json-shape.js';
import type { AccessTokenSource, SpotifyHttp } from './http.js';

/** Rows per request (what the web player itself asks for). */
export const WEB_PAGE_LIMIT = 100;
/** A playlist has at most 10,000 rows; a server that keeps paging is stopped here. */
const MAX_ROWS = 10_000;

export interface WebPlaylistDeps {
  http: SpotifyHttp;
  /** SPOTIFY_PARTNER_URL (https://api-partner.spotify.com, or a fake). */
  partnerUrl: string;
  /** SPOTIFY_WEB_PLAYLIST_HASH */
  hash: string;
}

export type WebPlaylistResult =
  | { kind: 'ok'; name: string; total: number; tracks: TrackInfo[]; skipped: { episodes: number; local: number; unavailable: number } }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: string };

/**
 * The anonymous token as an AccessTokenSource: the embed page's token first; after a 401 one fresh
 * page is read for a new one (getJson retries once), and a second 401 gives up.
 */
export function anonymousTokenSource(first: string, refresh: (signal?: AbortSignal) => Promise<string | null>): AccessTokenSource {
  let current: string | null = first;
  let refreshed = false;
  return {
    kind: 'app',
    async token(signal) {
      if (current !== null) return current;
      if (refreshed) throw new Error('the anonymous web token was refused twice');
      refreshed = true;
      current = await refresh(signal);
      if (current === null) throw new Error('the embed page no longer carries an anonymous token');
      return current;
    },
    invalidate() {
      current = null;
    },
  };
}

export class WebPlaylistReader {
  constructor(private readonly deps: WebPlaylistDeps) {}

  async readPlaylist(id: string, auth: AccessTokenSource, signal?: AbortSignal): Promise<WebPlaylistResult> {
    const tracks: TrackInfo[] = [];
    const skipped = { episodes: 0, local: 0, unavailable: 0 };
    let name = '';
    let total: number | null = null;
    for (let offset = 0; offset < MAX_ROWS; offset += WEB_PAGE_LIMIT) {
      let body: unknown;
      try {
        body = await this.deps.http.getJson<unknown>(this.queryUrl(id, offset), { auth, signal });
      } catch (err) {
        if (signal?.aborted) throw err;
        return { kind: 'unavailable', reason: describeFailure(err) };
      }
      const page = readPage(body);
      if (page.kind !== 'page') return page;
      name = page.name || name;
      total = page.total;
      page.rows.forEach((row, i) => {
        const position = offset + i + 1;
        if (row.kind === 'track') tracks.push({ ...row.track, position });
        else skipped[row.kind]++;
      });
      if (page.rows.length === 0 || offset + page.rows.length >= page.total) break;
    }
    return { kind: 'ok', name, total: total ?? tracks.length, tracks, skipped };
  }

  private queryUrl(id: string, offset: number): string {
    const q = new URLSearchParams({
      operationName: 'fetchPlaylist',
      variables: JSON.stringify({ uri: `spotify:playlist:${id}`, offset, limit: WEB_PAGE_LIMIT }),
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: this.deps.hash } }),
    });
    return `${this.deps.partnerUrl}/pathfinder/v1/query?${q.toString()}`;
  }
}

type PageRow = { kind: 'track'; track: Omit<TrackInfo, 'position'> } | { kind: 'episodes' | 'local' | 'unavailable' };
type ParsedPage = { kind: 'page'; name: string; total: number; rows: PageRow[] } | { kind: 'not_found' } | { kind: 'unavailable'; reason: string };

/** Pure: one `fetchPlaylist` answer → rows, or why it cannot be used. */
export function readPage(body: unknown): ParsedPage {
  const errors = get(body, 'errors');
  if (Array.isArray(errors) && errors.length > 0) {
    const message = errors.map((e) => (isObject(e) && typeof e.message === 'string' ? e.message : '')).join('; ').slice(0, 200);
    return {
      kind: 'unavailable',
      reason: /PersistedQueryNotFound/i.test(message)
        ? 'Spotify rotated the web player\'s query hash (PersistedQueryNotFound); set SPOTIFY_WEB_PLAYLIST_HASH to the current one'
        : `Spotify's web API answered an error: ${message || 'unknown'}`,
    };
  }
  const playlist = get(body, 'data', 'playlistV2');
  if (!isObject(playlist)) return { kind: 'unavailable', reason: 'the web API answer has changed shape (no playlistV2)' };
  if (playlist.__typename === 'NotFound') return { kind: 'not_found' };
  const content = playlist.content;
  if (!isObject(content) || !Array.isArray(content.items) || typeof content.totalCount !== 'number') {
    return { kind: 'unavailable', reason: 'the web API answer has changed shape (no content.items / totalCount)' };
  }
  const rows = content.items.slice(0, WEB_PAGE_LIMIT * 2).map(readRow);
  return { kind: 'page', name: typeof playlist.name === 'string' ? playlist.name : '', total: content.totalCount, rows };
}

function readRow(item: unknown): PageRow {
  const wrapper = get(item, 'itemV2');
  const data = get(wrapper, 'data');
  if (!isObject(data)) return { kind: 'unavailable' };
  const typename = data.__typename;
  const uri = typeof data.uri === 'string' ? data.uri : '';
  if (typename === 'Episode' || uri.startsWith('spotify:episode:')) return { kind: 'episodes' };
  if (uri.startsWith('spotify:local:') || typename === 'LocalTrack') return { kind: 'local' };
  if (typename !== 'Track' || !uri.startsWith('spotify:track:')) return { kind: 'unavailable' };
  const artistItems = get(data, 'artists', 'items');
  const artists = Array.isArray(artistItems)
    ? artistItems.map((a) => get(a, 'profile', 'name')).filter((n): n is string => typeof n === 'string' && n !== '')
    : [];
  const duration = get(data, 'trackDuration', 'totalMilliseconds');
  const album = get(data, 'albumOfTrack', 'name');
  return {
    kind: 'track',
    track: {
      spotifyId: uri.slice('spotify:track:'.length),
      artists,
      title: typeof data.name === 'string' ? data.name : '',
      album: typeof album === 'string' ? album : null,
      durationMs: typeof duration === 'number' ? duration : null,
      isrc: null,
      releaseYear: null,
    },
  };
}

function describeFailure(err: unknown): string {
  if (err instanceof SpotifyApiError) {
    if (err.status === 401) return 'Spotify refused the anonymous web token (401, also after one refresh)';
    if (err.status === 403) return 'Spotify refused the web API (403)';
    if (err.status === 400 || err.status === 404) return `Spotify's web API answered ${err.status}${err.apiMessage ? `: ${err.apiMessage.slice(0, 120)}` : ''}`;
    return `Spotify's web API answered ${err.status}`;
  }
  return err instanceof Error ? err.message.slice(0, 200) : String(err);
}
