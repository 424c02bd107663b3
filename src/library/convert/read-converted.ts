/**
 * Reads the AIFF and WAV files Crate converted (for `crate missing` and folder scans): tags from
 * their ID3 / LIST INFO chunks through music-metadata, after a bounded walk of the chunk headers
 * refuses tag chunks too large to be honest (music-metadata sets no limit of its own).
 */
import { readContainer } from './chunk-tags.js';
import { loadMusicMetadata } from '../music-metadata.js';

/** Tag chunks larger than this are refused before parsing (a cover is a few MB at most). */
export const MAX_TAG_CHUNK_BYTES = 16 * 1024 * 1024;

export interface ConvertedTags {
  artists: string[];
  artist: string | null;
  title: string | null;
  album: string | null;
  isrc: string | null;
  year: number | null;
  durationMs: number | null;
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
}

export async function readConvertedTags(file: string): Promise<ConvertedTags> {
  const container = await readContainer(file);
  const big = container.chunks.find((c) => c.id !== 'SSND' && c.id !== 'data' && c.size > MAX_TAG_CHUNK_BYTES);
  if (big) throw new Error(`its "${big.id}" chunk of ${big.size} bytes is over the ${MAX_TAG_CHUNK_BYTES}-byte limit`);
  const meta = await (await loadMusicMetadata()).parseFile(file, { duration: false, skipCovers: true });
  const c = meta.common;
  const artists = (c.artists ?? (c.artist ? [c.artist] : [])).filter((a) => a.trim() !== '');
  return {
    artists,
    artist: artists.length > 0 ? artists.join(', ') : (c.albumartist ?? null),
    title: c.title ?? null,
    album: c.album ?? null,
    isrc: c.isrc?.[0]?.trim() || null,
    year: c.year ?? null,
    durationMs: typeof meta.format.duration === 'number' ? Math.round(meta.format.duration * 1000) : null,
    bitDepth: meta.format.bitsPerSample ?? null,
    sampleRate: meta.format.sampleRate ?? null,
    channels: meta.format.numberOfChannels ?? null,
  };
}
