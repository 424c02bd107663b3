/**
 * The `spotify_track_facts` table: ISRC, album and year of a Spotify track id, looked up once with the
 * app's credentials. Never expires: an ISRC does not change, and a refetch costs quota.
 */
import { inArray } from 'drizzle-orm';
import type { TrackFacts, TrackFactsCache } from '../spotify/enrich.js';
import type { CrateDb } from './open.js';
import { spotifyTrackFacts } from './schema.js';

export class DrizzleTrackFactsCache implements TrackFactsCache {
  constructor(
    private readonly db: CrateDb,
    private readonly now: () => number = Date.now,
  ) {}

  get(spotifyIds: string[]): Map<string, TrackFacts> {
    const out = new Map<string, TrackFacts>();
    // SQLite limits bound parameters; ask in slices.
    for (let i = 0; i < spotifyIds.length; i += 500) {
      const rows = this.db.select().from(spotifyTrackFacts).where(inArray(spotifyTrackFacts.spotifyId, spotifyIds.slice(i, i + 500))).all();
      for (const r of rows) {
        out.set(r.spotifyId, {
          isrc: r.isrc,
          album: r.album,
          releaseYear: r.releaseYear,
          albumArtists: artistsOf(r.albumArtistsJson),
          trackNumber: r.trackNumber,
          discNumber: r.discNumber,
          releaseDate: r.releaseDate,
          coverUrl: r.coverUrl,
        });
      }
    }
    return out;
  }

  put(spotifyId: string, facts: TrackFacts): void {
    const values = {
      spotifyId,
      isrc: facts.isrc,
      album: facts.album,
      releaseYear: facts.releaseYear,
      albumArtistsJson: facts.albumArtists?.length ? JSON.stringify(facts.albumArtists) : null,
      trackNumber: facts.trackNumber ?? null,
      discNumber: facts.discNumber ?? null,
      releaseDate: facts.releaseDate ?? null,
      coverUrl: facts.coverUrl ?? null,
      fetchedAt: this.now(),
    };
    this.db.insert(spotifyTrackFacts).values(values).onConflictDoUpdate({ target: spotifyTrackFacts.spotifyId, set: values }).run();
  }
}

function artistsOf(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
