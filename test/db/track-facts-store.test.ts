import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJobStore } from '../../src/db/job-store.js';
import { DrizzleTrackFactsCache } from '../../src/db/track-facts-store.js';

describe('DrizzleTrackFactsCache', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-facts-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps ISRC lookups across reopenings of the database, and updates in place', () => {
    const file = path.join(dir, 'crate.sqlite');
    const first = openJobStore(file);
    const cache = new DrizzleTrackFactsCache(first.db.db, () => 42);
    cache.put('a'.repeat(22), { isrc: 'GBUM70702345', album: 'Overpowered', releaseYear: 2007 });
    cache.put('b'.repeat(22), { isrc: null, album: null, releaseYear: null });
    const albumFacts = { albumArtists: ['Róisín Murphy'], trackNumber: 2, discNumber: 1, releaseDate: '2007-10-15', coverUrl: 'https://i.scdn.co/image/ab67' };
    cache.put('a'.repeat(22), { isrc: 'GBUM70702345', album: 'Overpowered (Deluxe)', releaseYear: 2007, ...albumFacts });
    first.close();

    const second = openJobStore(file);
    const again = new DrizzleTrackFactsCache(second.db.db);
    const ids = Array.from({ length: 1200 }, (_, i) => String(i).padStart(22, 'x'));
    const got = again.get(['a'.repeat(22), 'b'.repeat(22), 'c'.repeat(22), ...ids]);
    expect(Object.fromEntries(got)).toEqual({
      ['a'.repeat(22)]: { isrc: 'GBUM70702345', album: 'Overpowered (Deluxe)', releaseYear: 2007, ...albumFacts },
      // No album facts known: empty, not missing (the tags step then has nothing to fill from here).
      ['b'.repeat(22)]: { isrc: null, album: null, releaseYear: null, albumArtists: [], trackNumber: null, discNumber: null, releaseDate: null, coverUrl: null },
    });
    second.close();
  });
});
