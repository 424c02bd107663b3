/**
 * Backend "embed": the public embed page (open.spotify.com/embed/playlist/ID) needs no
 * credentials and lists any public playlist, including Spotify's own 37i9… ones: the first 100
 * tracks with artist, title and length, no ISRC, no album, usually no total. The page itself is
 * parsed in embed-page.ts (every shape Spotify has served).
 */
import { UserError } from '../domain/errors.js';
import type { SourceListing, TrackInfo } from '../domain/track.js';
import { parseEmbedPage, type EmbedPage } from './embed-page.js';
import type { SpotifyHttp } from './http.js';

export { parseEmbedPage, type EmbedPage };

/** The embed page stops here. */
export const EMBED_TRACK_CAP = 100;

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
      /** The real track count when another source knows it. */
      knownTotal?: number | null;
      signal?: AbortSignal;
    } = {},
  ): Promise<SourceListing> {
    return listingFromEmbed(id, await this.readPage(id, options.signal), options.knownTotal ?? null);
  }

  /** The parsed page (tracks, and the anonymous token the web backend uses). Throws when there is no such public playlist. */
  async readPage(id: string, signal?: AbortSignal): Promise<FoundEmbedPage> {
    const url = `${this.deps.webUrl}/embed/playlist/${id}`;
    const page = await this.deps.http.getPage(url, { signal });
    if (page.status === 404) return notFound(id);
    if (page.status !== 200) {
      throw new Error(`Spotify's embed page answered HTTP ${page.status} for playlist ${id}`);
    }
    const parsed = parseEmbedPage(page.text);
    if (parsed.kind === 'not_found') return notFound(id);
    return parsed;
  }
}

export type FoundEmbedPage = Extract<EmbedPage, { kind: 'found' }>;

/** Pure: what the page lists, as a listing with honest warnings (what was cut, skipped or cannot play). */
export function listingFromEmbed(id: string, parsed: FoundEmbedPage, knownTotalIn: number | null): SourceListing {
  const tracks: TrackInfo[] = [];
  let episodes = 0;
  let localFiles = 0;
  const unplayable: string[] = [];
  parsed.tracks.forEach((t, i) => {
    if (t.entityType === 'episode' || t.entityType === 'other') {
      episodes++;
      return;
    }
    if (t.entityType === 'local') {
      localFiles++;
      return;
    }
    const spotifyId = t.uri?.startsWith('spotify:track:') ? t.uri.slice('spotify:track:'.length) : null;
    if (!t.playable) unplayable.push(`${t.artists.join(', ')} - ${t.title}`);
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
  const knownTotal = knownTotalIn ?? parsed.total;
  const total = knownTotal !== null && knownTotal >= listed ? knownTotal : listed;
  // Without a total from anywhere, a list of exactly the cap is the only sign of a cut.
  const maybeCut = knownTotal === null && listed >= EMBED_TRACK_CAP;
  const warnings: string[] = [];
  if (knownTotal !== null && knownTotal > listed) {
    warnings.push(
      `Listed ${listed} of ${knownTotal} tracks: Spotify's public page shows only the first ${EMBED_TRACK_CAP}. ` +
        'For all of them: copy it into a playlist of your own and log in (`crate spotify-login` or /spotify), or turn on SPOTIFY_WEB_PLAYLISTS.',
    );
  } else if (maybeCut) {
    warnings.push(
      `Listed ${listed} tracks; Spotify does not say how many there are, and its public page stops at ${EMBED_TRACK_CAP}, so there may be more. ` +
        'For all of them: copy it into a playlist of your own and log in, or turn on SPOTIFY_WEB_PLAYLISTS.',
    );
  }
  warnings.push('Read from the public page: no ISRC or album names, so files are matched by artist, title and length.');
  if (episodes > 0) warnings.push(`${episodes} podcast episode${episodes === 1 ? '' : 's'} skipped (only music is downloaded).`);
  if (localFiles > 0) warnings.push(`${localFiles} local file${localFiles === 1 ? '' : 's'} skipped (they exist only on the owner's device).`);
  if (unplayable.length > 0) {
    const sample = unplayable.slice(0, 3).join('; ');
    warnings.push(
      `${unplayable.length} track${unplayable.length === 1 ? ' is' : 's are'} marked unplayable on Spotify (region or licence): ${sample}${unplayable.length > 3 ? '; …' : ''}. They are asked for anyway.`,
    );
  }
  return {
    source: { type: 'playlist', id, name: parsed.name || `Spotify playlist ${id}`, total, backend: 'embed' },
    tracks,
    warnings,
  };
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
