/**
 * Backend "catalog": albums and single tracks through the Web API. Batch `/tracks?ids=` is gone
 * (2026), so each album track's ISRC costs one `/tracks/{id}` request, made one after another to
 * stay gentle on the app's small Development Mode quota.
 */
import { UserError } from '../domain/errors.js';
import type { SourceListing, TrackInfo } from '../domain/track.js';
import type { Album, Page, SimplifiedTrack, Track } from './api-types.js';
import { SpotifyApiError } from './errors.js';
import { apiUrl, type AccessTokenSource, type SpotifyHttp } from './http.js';
import { largestImageUrl, normaliseIsrc, releaseDateOf, releaseYear, trackInfoFromAlbumTrack, trackInfoFromTrack, type AlbumFacts } from './map-track.js';

const ALBUM_PAGE_LIMIT = 50;

export class CatalogItemNotFoundError extends UserError {
  constructor(what: 'album' | 'track', id: string, cause: SpotifyApiError) {
    super(
      `Spotify has no ${what} ${id} (HTTP ${cause.status}${cause.apiMessage ? `: ${cause.apiMessage}` : ''}).`,
      'Check the link (copy it again with ••• → Share → Copy link); the release may also have been taken down.',
      { cause },
    );
  }
}

export interface CatalogSourceDeps {
  http: SpotifyHttp;
  auth: AccessTokenSource;
  apiUrl: string;
}

export class CatalogReader {
  constructor(private readonly deps: CatalogSourceDeps) {}

  async readAlbum(id: string, signal?: AbortSignal): Promise<SourceListing> {
    const album = await this.get<Album>(`/v1/albums/${id}`, signal, { what: 'album', id });
    const year = releaseYear(album.release_date);
    const simplified: SimplifiedTrack[] = [];
    let url: string | null = `/v1/albums/${id}/tracks?limit=${ALBUM_PAGE_LIMIT}&offset=0`;
    let pages = 0;
    while (url && pages < 40) {
      const page: Page<SimplifiedTrack> = await this.get<Page<SimplifiedTrack>>(url, signal, { what: 'album', id });
      simplified.push(...(page.items ?? []));
      pages++;
      url = page.next ?? null;
    }

    const tracks: TrackInfo[] = [];
    const facts: AlbumFacts = {
      name: album.name,
      releaseYear: year,
      artists: (album.artists ?? []).map((a) => a.name).filter((n) => typeof n === 'string' && n !== ''),
      releaseDate: releaseDateOf(album.release_date),
      coverUrl: largestImageUrl(album.images),
    };
    let withoutIsrc = 0;
    for (const [i, t] of simplified.entries()) {
      const info = trackInfoFromAlbumTrack(t, i + 1, facts);
      if (t.id) {
        try {
          const full = await this.get<Track>(`/v1/tracks/${t.id}`, signal, { what: 'track', id: t.id });
          info.isrc = normaliseIsrc(full.external_ids?.isrc);
        } catch (err) {
          // One track the catalogue cannot describe must not sink the album; quota and rate limits still stop.
          if (!(err instanceof CatalogItemNotFoundError)) throw err;
        }
      }
      if (info.isrc === null) withoutIsrc++;
      tracks.push(info);
    }
    const warnings: string[] = [];
    if (withoutIsrc > 0) warnings.push(`${withoutIsrc} track${withoutIsrc === 1 ? ' has' : 's have'} no ISRC on Spotify; matched by artist, title and length.`);
    const artists = (album.artists ?? []).map((a) => a.name).join(', ');
    return {
      source: {
        type: 'album',
        id,
        name: artists ? `${artists} - ${album.name}` : album.name,
        total: typeof album.total_tracks === 'number' ? Math.max(album.total_tracks, tracks.length) : tracks.length,
        backend: 'catalog',
      },
      tracks,
      warnings,
    };
  }

  async readTrack(id: string, signal?: AbortSignal): Promise<SourceListing> {
    const track = await this.get<Track>(`/v1/tracks/${id}`, signal, { what: 'track', id });
    const info = trackInfoFromTrack(track, 1);
    return {
      source: { type: 'track', id, name: `${info.artists.join(', ')} - ${info.title}`, total: 1, backend: 'catalog' },
      tracks: [info],
      warnings: info.isrc ? [] : ['Spotify has no ISRC for this track; matched by artist, title and length.'],
    };
  }

  private async get<T>(path: string, signal: AbortSignal | undefined, subject: { what: 'album' | 'track'; id: string }): Promise<T> {
    try {
      return await this.deps.http.getJson<T>(apiUrl(this.deps.apiUrl, path), { auth: this.deps.auth, signal });
    } catch (err) {
      if (err instanceof SpotifyApiError && (err.status === 404 || err.status === 400)) {
        throw new CatalogItemNotFoundError(subject.what, subject.id, err);
      }
      if (err instanceof SpotifyApiError && err.status === 403) {
        throw new UserError(
          `Spotify refused to show ${subject.what} ${subject.id} (403${err.apiMessage ? `: ${err.apiMessage}` : ''}).`,
          'Check that your Spotify app is in Development Mode with Web API enabled and that its owner has Premium.',
          { cause: err },
        );
      }
      throw err;
    }
  }
}
