/**
 * Backend "embed": the public embed page (open.spotify.com/embed/playlist/ID) needs no
 * credentials and lists any public playlist, including Spotify's own 37i9… ones. Its
 * `__NEXT_DATA__` JSON carries the first 100 tracks with artist, title and length: no ISRC, no
 * album, no total. We parse it ourselves (no scraping library): the shape is small and checked.
 */
import { UserError } from '../domain/errors.js';
import type { SourceListing, TrackInfo } from '../domain/track.js';
import type { SpotifyHttp } from './http.js';

/** The embed page stops here. */
export const EMBED_TRACK_CAP = 100;

export interface EmbedTrack {
  uri: string | null;
  title: string;
  artists: string[];
  durationMs: number | null;
  entityType: string;
}

export type EmbedPage =
  | { kind: 'found'; type: string; id: string | null; name: string; tracks: EmbedTrack[] }
  | { kind: 'not_found'; status: number | null };

/**
 * Pure: the page's HTML → what it lists. A missing or private playlist still answers HTTP 200,
 * with a page that has no `state` (pageProps.status 404 or 500): branch on `state`, not on HTTP.
 */
export function parseEmbedPage(html: string): EmbedPage {
  const m = /<script[^>]*\bid="__NEXT_DATA__"[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (!m || m[1] === undefined) throw new Error('The Spotify embed page has changed: no __NEXT_DATA__ script found');
  let data: unknown;
  try {
    data = JSON.parse(m[1]);
  } catch (err) {
    throw new Error('The Spotify embed page has changed: __NEXT_DATA__ is not JSON', { cause: err });
  }
  const pageProps = get(data, 'props', 'pageProps');
  const entity = get(pageProps, 'state', 'data', 'entity');
  if (!isObject(entity)) {
    const status = get(pageProps, 'status');
    return { kind: 'not_found', status: typeof status === 'number' ? status : null };
  }
  const list = entity.trackList;
  if (!Array.isArray(list)) throw new Error('The Spotify embed page has changed: the entity has no trackList');
  const tracks = list.filter(isObject).map(
    (t): EmbedTrack => ({
      uri: typeof t.uri === 'string' ? t.uri : null,
      title: typeof t.title === 'string' ? t.title : '',
      artists: artistsOf(t),
      durationMs: typeof t.duration === 'number' ? t.duration : null,
      entityType: typeof t.entityType === 'string' ? t.entityType : 'track',
    }),
  );
  const name = typeof entity.name === 'string' ? entity.name : typeof entity.title === 'string' ? entity.title : '';
  return {
    kind: 'found',
    type: typeof entity.type === 'string' ? entity.type : 'playlist',
    id: typeof entity.id === 'string' ? entity.id : null,
    name,
    tracks,
  };
}

/** `artists: [{name}]` when present; else `subtitle`, which joins artist names with ", " (and NBSPs). */
function artistsOf(t: Record<string, unknown>): string[] {
  if (Array.isArray(t.artists)) {
    const names = t.artists.map((a) => (isObject(a) && typeof a.name === 'string' ? a.name : '')).filter((n) => n !== '');
    if (names.length > 0) return names;
  }
  if (typeof t.subtitle !== 'string') return [];
  return t.subtitle
    .replace(/\u00a0/g, ' ')
    .split(/\s*,\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export interface EmbedSourceDeps {
  http: SpotifyHttp;
  /** SPOTIFY_WEB_URL */
  webUrl: string;
}

export class EmbedPlaylistReader {
  constructor(private readonly deps: EmbedSourceDeps) {}

  /**
   * `knownTotal`: the real track count when another source knows it (the API's metadata), so the
   * warning can say "listed N of M".
   */
  async readPlaylist(
    id: string,
    options: {
      knownTotal?: number | null;
      /** Asked only when the page is cut at the cap and the total is not known yet. */
      lookupTotal?: () => Promise<number | null>;
      signal?: AbortSignal;
    } = {},
  ): Promise<SourceListing> {
    const url = `${this.deps.webUrl}/embed/playlist/${id}`;
    const page = await this.deps.http.getPage(url, { signal: options.signal });
    if (page.status === 404) return notFound(id);
    if (page.status !== 200) {
      throw new Error(`Spotify's embed page answered HTTP ${page.status} for playlist ${id}`);
    }
    const parsed = parseEmbedPage(page.text);
    if (parsed.kind === 'not_found') return notFound(id);

    const tracks: TrackInfo[] = [];
    let episodes = 0;
    parsed.tracks.forEach((t, i) => {
      if (t.entityType !== 'track') {
        episodes++;
        return;
      }
      const spotifyId = t.uri?.startsWith('spotify:track:') ? t.uri.slice('spotify:track:'.length) : null;
      tracks.push({
        position: i + 1,
        spotifyId,
        artists: t.artists,
        title: t.title,
        album: null,
        durationMs: t.durationMs,
        isrc: null,
        releaseYear: null,
      });
    });

    const listed = parsed.tracks.length;
    let knownTotal = options.knownTotal ?? null;
    if (knownTotal === null && listed >= EMBED_TRACK_CAP && options.lookupTotal) knownTotal = await options.lookupTotal();
    const total = knownTotal !== null && knownTotal >= listed ? knownTotal : listed;
    const warnings: string[] = [];
    if (knownTotal !== null && knownTotal > listed) {
      warnings.push(
        `Listed ${listed} of ${knownTotal} tracks: Spotify's public embed page shows only the first ${EMBED_TRACK_CAP}. ` +
          'To get all of them, copy the playlist into one of your own (in Spotify: ••• → Add to other playlist → New playlist), ' +
          'log in with `crate spotify-login`, and use the new playlist\'s link.',
      );
    } else if (knownTotal === null && listed >= EMBED_TRACK_CAP) {
      warnings.push(
        `Listed ${listed} tracks: Spotify's public embed page stops at ${EMBED_TRACK_CAP}, so this playlist may have more. ` +
          'To get all of them, copy it into a playlist of your own, log in with `crate spotify-login`, and use that link.',
      );
    }
    warnings.push('Read from the public embed page: no ISRC or album names, so files are matched by artist, title and length.');
    if (episodes > 0) warnings.push(`${episodes} podcast episode${episodes === 1 ? '' : 's'} skipped (only music is downloaded).`);
    return {
      source: { type: 'playlist', id, name: parsed.name || `Spotify playlist ${id}`, total, backend: 'embed' },
      tracks,
      warnings,
    };
  }
}

/** What the user sees when neither the API nor the public page knows the playlist. */
export class PlaylistNotFoundError extends UserError {
  constructor(readonly playlistId: string) {
    super(
      `Spotify has no public playlist ${playlistId}: it is private, deleted, or the link is mistyped.`,
      'Make it public (in Spotify: ••• → Add to profile / Make public), or, if it is yours, log in with `crate spotify-login` so Crate can read it privately.',
    );
  }
}

function notFound(id: string): never {
  throw new PlaylistNotFoundError(id);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
