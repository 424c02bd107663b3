import type { SourceListing, TrackInfo } from '../../src/domain/track.js';
import type { PlaylistSource } from '../../src/engine/ports.js';

/** `n` plausible tracks, positions 1..n, each with a Spotify id and an ISRC derived from its position. */
export function makeTracks(n: number, prefix = 't'): TrackInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    position: i + 1,
    spotifyId: `${prefix}${String(i + 1).padStart(4, '0')}`,
    artists: [`Artist ${i + 1}`, ...(i % 3 === 0 ? ['Guest'] : [])],
    title: `Title ${i + 1}`,
    album: `Album ${Math.floor(i / 10) + 1}`,
    durationMs: 180_000 + i * 1000,
    isrc: `${prefix.toUpperCase()}ISRC${String(i + 1).padStart(5, '0')}`,
    releaseYear: 2000 + (i % 20),
  }));
}

export function makeListing(n: number, options: { id?: string; name?: string; prefix?: string } = {}): SourceListing {
  return {
    source: { type: 'playlist', id: options.id ?? 'PL1', name: options.name ?? 'Test Playlist', total: n, backend: 'user' },
    tracks: makeTracks(n, options.prefix),
    warnings: [],
  };
}

/** A PlaylistSource serving fixed listings by link; counts loads. */
export class FakePlaylistSource implements PlaylistSource {
  loads = 0;
  constructor(private readonly listings: Record<string, SourceListing>) {}

  async load(link: string): Promise<SourceListing> {
    this.loads++;
    const listing = this.listings[link];
    if (!listing) throw new Error(`FakePlaylistSource: no listing for ${link}`);
    return structuredClone(listing);
  }
}
