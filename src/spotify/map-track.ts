import type { TrackInfo } from '../domain/track.js';
import type { SimplifiedTrack, Track } from './api-types.js';

/** Spotify `release_date` is "YYYY", "YYYY-MM" or "YYYY-MM-DD" (precision varies). */
export function releaseYear(date: string | null | undefined): number | null {
  const m = date ? /^(\d{4})/.exec(date) : null;
  return m ? Number(m[1]) : null;
}

export function normaliseIsrc(isrc: string | null | undefined): string | null {
  if (!isrc) return null;
  const v = isrc.replace(/[\s-]/g, '').toUpperCase();
  return v === '' ? null : v;
}

/** A full track object (playlist row item, /tracks/{id}) → plain data. */
export function trackInfoFromTrack(track: Track, position: number): TrackInfo {
  return {
    position,
    spotifyId: track.id ?? null,
    artists: (track.artists ?? []).map((a) => a.name).filter((n): n is string => typeof n === 'string' && n !== ''),
    title: track.name ?? '',
    album: track.album?.name ?? null,
    durationMs: typeof track.duration_ms === 'number' ? track.duration_ms : null,
    isrc: normaliseIsrc(track.external_ids?.isrc),
    releaseYear: releaseYear(track.album?.release_date),
  };
}

/** An album's simplified track plus the album facts it lacks. */
export function trackInfoFromAlbumTrack(
  track: SimplifiedTrack,
  position: number,
  album: { name: string; releaseYear: number | null },
): TrackInfo {
  return {
    position,
    spotifyId: track.id ?? null,
    artists: (track.artists ?? []).map((a) => a.name).filter((n): n is string => typeof n === 'string' && n !== ''),
    title: track.name ?? '',
    album: album.name,
    durationMs: typeof track.duration_ms === 'number' ? track.duration_ms : null,
    isrc: null,
    releaseYear: album.releaseYear,
  };
}
