/**
 * ISRC and album for rows that lack them (embed-page and web-API listings): one `GET /v1/tracks/{id}`
 * per track with the app's client credentials, which still carries `external_ids.isrc` and the album in
 * 2026. Each request counts against the developer account's rolling quota (shared by all its Client
 * IDs since July 2026), so: results are cached by track id (an ISRC never changes), tracks already in
 * the library are skipped, requests go one at a time with a gap, and a quota 429 stops the enrichment
 * with a warning; the listing is used as it is.
 */
import type { TrackInfo } from '../domain/track.js';
import type { Clock } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import type { Track } from './api-types.js';
import { SpotifyApiError, SpotifyRateLimitError } from './errors.js';
import { apiUrl, type AccessTokenSource, type SpotifyHttp } from './http.js';
import { trackInfoFromTrack } from './map-track.js';

export interface TrackFacts {
  isrc: string | null;
  album: string | null;
  releaseYear: number | null;
  /** Album facts for tags and the cover (absent in facts cached before they were kept). */
  albumArtists?: string[];
  trackNumber?: number | null;
  discNumber?: number | null;
  releaseDate?: string | null;
  coverUrl?: string | null;
}

/** Where looked-up facts are kept between runs (SQLite in the service; nothing for a dry run). */
export interface TrackFactsCache {
  get(spotifyIds: string[]): Map<string, TrackFacts>;
  put(spotifyId: string, facts: TrackFacts): void;
}

export interface EnrichDeps {
  http: SpotifyHttp;
  auth: AccessTokenSource;
  apiUrl: string;
  clock: Clock;
  logger: Logger;
  cache?: TrackFactsCache;
  /** True for tracks the library already has (no request spent on them). */
  isKnown?: (spotifyId: string) => boolean;
  /** Gap between two lookups (the caller sets it; lookups go strictly one at a time). */
  gapMs?: number;
}

export interface EnrichResult {
  tracks: TrackInfo[];
  warnings: string[];
  /** Lookups made over the network (cache hits and skipped tracks not counted). */
  requests: number;
}

export async function enrichTracks(tracks: TrackInfo[], deps: EnrichDeps, signal?: AbortSignal): Promise<EnrichResult> {
  const needs = (t: TrackInfo) => t.spotifyId !== null && (t.isrc === null || t.album === null);
  const wanted = [...new Set(tracks.filter(needs).map((t) => t.spotifyId!))].filter((id) => !deps.isKnown?.(id));
  if (wanted.length === 0) return { tracks, warnings: [], requests: 0 };

  const facts = deps.cache?.get(wanted) ?? new Map<string, TrackFacts>();
  const warnings: string[] = [];
  let requests = 0;
  const gap = deps.gapMs ?? 150;
  for (const id of wanted) {
    if (facts.has(id)) continue;
    if (requests > 0) await deps.clock.sleep(gap, signal);
    try {
      requests++;
      const track = await deps.http.getJson<Track>(apiUrl(deps.apiUrl, `/v1/tracks/${id}`), { auth: deps.auth, signal });
      const info = trackInfoFromTrack(track, 0);
      const found: TrackFacts = {
        isrc: info.isrc,
        album: info.album,
        releaseYear: info.releaseYear,
        albumArtists: info.albumArtists ?? [],
        trackNumber: info.trackNumber ?? null,
        discNumber: info.discNumber ?? null,
        releaseDate: info.releaseDate ?? null,
        coverUrl: info.coverUrl ?? null,
      };
      facts.set(id, found);
      deps.cache?.put(id, found);
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof SpotifyRateLimitError) {
        const left = wanted.filter((w) => !facts.has(w)).length;
        warnings.push(
          `Spotify's request quota ran out while looking up ISRC codes (${err.message.replace(/^Spotify says /, '')}); ` +
            `${left} track${left === 1 ? '' : 's'} go on without one (matched by artist, title and length).`,
        );
        deps.logger.warn({ left, retryAfter: err.retryAfterSeconds }, 'ISRC lookups stopped: Spotify quota');
        break;
      }
      if (err instanceof SpotifyApiError && (err.status === 404 || err.status === 403 || err.status === 400)) {
        // This one track is not in the catalogue for this app: remember nothing, go on.
        deps.logger.debug({ track: id, status: err.status }, 'no catalogue facts for a track');
        continue;
      }
      const left = wanted.filter((w) => !facts.has(w)).length;
      warnings.push(`Looking up ISRC codes failed (${err instanceof Error ? err.message : String(err)}); ${left} track${left === 1 ? '' : 's'} go on without one.`);
      deps.logger.warn({ err }, 'ISRC lookups stopped');
      break;
    }
  }

  const enriched = tracks.map((t): TrackInfo => {
    const f = t.spotifyId ? facts.get(t.spotifyId) : undefined;
    if (!f) return t;
    return {
      ...t,
      isrc: t.isrc ?? f.isrc,
      album: t.album ?? f.album,
      releaseYear: t.releaseYear ?? f.releaseYear,
      // What the tags and the cover need (src/library/tags/), when the listing did not have it.
      albumArtists: t.albumArtists?.length ? t.albumArtists : (f.albumArtists ?? []),
      trackNumber: t.trackNumber ?? f.trackNumber ?? null,
      discNumber: t.discNumber ?? f.discNumber ?? null,
      releaseDate: t.releaseDate ?? f.releaseDate ?? null,
      coverUrl: t.coverUrl ?? f.coverUrl ?? null,
    };
  });
  const filled = enriched.filter((t, i) => t.isrc !== null && tracks[i]!.isrc === null).length;
  if (filled > 0) deps.logger.info({ filled, requests }, 'filled ISRC codes from the Spotify catalogue');
  return { tracks: enriched, warnings, requests };
}
