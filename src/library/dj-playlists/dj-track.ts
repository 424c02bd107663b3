/** A library file as DJ software sees it: plain data that both the Rekordbox and Traktor writers take. */
export interface DjTrack {
  /** Unique within one document (Rekordbox TrackID). */
  id: number;
  /** Where the DJ's computer finds the file (see locate.ts). */
  location: string;
  title: string;
  artists: string[];
  album: string | null;
  year: number | null;
  /** "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
  releaseDate: string | null;
  trackNumber: number | null;
  discNumber: number | null;
  durationMs: number | null;
  sampleRate: number | null;
  bitDepth: number | null;
  channels: number | null;
  sizeBytes: number | null;
  /** Epoch ms the file joined the library. */
  addedAt: number;
  isrc: string | null;
}

export interface DjPlaylist {
  name: string;
  /** DjTrack ids in playlist order. */
  trackIds: number[];
}

export interface DjDocument {
  tracks: DjTrack[];
  playlists: DjPlaylist[];
  /** Folder name the playlists sit in (Traktor's folder node, Rekordbox's first folder), or none. */
  folder?: string;
}

/** Average bit rate in kbps from size and length (what Rekordbox shows for lossless files). */
export function bitRateKbps(t: Pick<DjTrack, 'sizeBytes' | 'durationMs' | 'sampleRate' | 'bitDepth' | 'channels'>): number | null {
  if (t.sizeBytes && t.durationMs && t.durationMs > 0) return Math.round((t.sizeBytes * 8) / t.durationMs);
  if (t.sampleRate && t.bitDepth && t.channels) return Math.round((t.sampleRate * t.bitDepth * t.channels) / 1000);
  return null;
}

export function kindOf(location: string): 'FLAC' | 'AIFF' | 'WAV' | 'MP3' | null {
  const m = /\.(flac|aiff?|wav|mp3)$/i.exec(location);
  if (!m) return null;
  const ext = m[1]!.toUpperCase();
  return ext === 'AIF' ? 'AIFF' : (ext as 'FLAC' | 'AIFF' | 'WAV' | 'MP3');
}
