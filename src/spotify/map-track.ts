import type { TrackInfo } from '../domain/track.js';
import type { SimplifiedTrack, Track } from './api-types.js';

/** Spotify `release_date` is "YYYY", "YYYY-MM" or "YYYY-MM-DD" (precision varies). */
export function releaseYear(date: string | null | undefined): number | null {
  const m = date ? /^(\d{4})/.exec(date) : null;
  return m ? Number(m[1]) : null;
}

/** The release date when it has Spotify's shape, else null (never a free-form string into a tag). */
export function releaseDateOf(date: string | null | undefined): string | null {
  return date && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(date) ? date : null;
}

export function normaliseIsrc(isrc: string | null | undefined): string | null {
  if (!isrc) return null;
  const v = isrc.replace(/[\s-]/g, '').toUpperCase();
  return v === '' ? null : v;
}

interface ImageLike {
  url?: string | null;
  width?: number | null;
  height?: number | null;
}

/** The largest of an album's images (Spotify lists 640, 300 and 64 px; the order is not promised). */
export function largestImageUrl(images: readonly ImageLike[] | null | undefined): string | null {
  let best: { url: string; area: number } | null = null;
  for (const img of images ?? []) {
    if (typeof img?.url !== 'string' || !/^https?:\/\//.test(img.url)) continue;
    const area = (img.width ?? 0) * (img.height ?? 0);
    if (!best || area > best.area) best = { url: img.url, area };
  }
  return best?.url ?? null;
}

function names(artists: readonly { name?: string | null }[] | null | undefined): string[] {
  return (artists ?? []).map((a) => a?.name).filter((n): n is string => typeof n === 'string' && n !== '');
}

function positiveInt(n: unknown): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** A full track object (playlist row item, /tracks/{id}) → plain data. */
export function trackInfoFromTrack(track: Track, position: number): TrackInfo {
  return {
    position,
    spotifyId: track.id ?? null,
    artists: names(track.artists),
    title: track.name ?? '',
    album: track.album?.name ?? null,
    durationMs: typeof track.duration_ms === 'number' ? track.duration_ms : null,
    isrc: normaliseIsrc(track.external_ids?.isrc),
    releaseYear: releaseYear(track.album?.release_date),
    albumArtists: names(track.album?.artists),
    trackNumber: positiveInt(track.track_number),
    discNumber: positiveInt(track.disc_number),
    releaseDate: releaseDateOf(track.album?.release_date),
    coverUrl: largestImageUrl(track.album?.images),
  };
}

/** What an album's simplified tracks lack and the album object knows. */
export interface AlbumFacts {
  name: string;
  releaseYear: number | null;
  artists?: string[];
  releaseDate?: string | null;
  coverUrl?: string | null;
}

/** An album's simplified track plus the album facts it lacks. */
export function trackInfoFromAlbumTrack(track: SimplifiedTrack, position: number, album: AlbumFacts): TrackInfo {
  return {
    position,
    spotifyId: track.id ?? null,
    artists: names(track.artists),
    title: track.name ?? '',
    album: album.name,
    durationMs: typeof track.duration_ms === 'number' ? track.duration_ms : null,
    isrc: null,
    releaseYear: album.releaseYear,
    albumArtists: album.artists ?? [],
    trackNumber: positiveInt(track.track_number),
    discNumber: positiveInt(track.disc_number),
    releaseDate: album.releaseDate ?? null,
    coverUrl: album.coverUrl ?? null,
  };
}
