/** A track as the playlist source describes it (Spotify side). Plain data, no vendor types. */
export interface TrackInfo {
  /** 1-based position in the playlist / album. */
  position: number;
  spotifyId: string | null;
  artists: string[];
  title: string;
  album: string | null;
  durationMs: number | null;
  isrc: string | null;
  releaseYear: number | null;
  /**
   * Album facts used for tags and the cover. Optional: embed pages and older rows do not know them
   * (absent and null both mean "unknown").
   */
  albumArtists?: string[];
  trackNumber?: number | null;
  discNumber?: number | null;
  /** Spotify's release_date as sent: "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
  releaseDate?: string | null;
  /** The album's largest image on Spotify (the front cover). */
  coverUrl?: string | null;
}

export type SourceType = 'playlist' | 'album' | 'track';
/**
 * user: the owner's Spotify login; embed: the public embed page; web: the web player's internal API
 * (opt-in); catalog: app credentials (albums, tracks); file: a CSV or text track list.
 */
export type SourceBackend = 'user' | 'embed' | 'web' | 'catalog' | 'file';

export interface SourceInfo {
  type: SourceType;
  id: string;
  name: string;
  /** How many tracks the source really has (may exceed the tracks listed, e.g. embed pages stop at 100). */
  total: number;
  backend: SourceBackend;
}

export interface SourceListing {
  source: SourceInfo;
  tracks: TrackInfo[];
  warnings: string[];
}
