/**
 * The `tag_cache` table behind library scans: what a FLAC's tags were, keyed by path and valid
 * while its size and mtime are unchanged. A changed file is simply read again.
 */
import { eq } from 'drizzle-orm';
import type { CachedScan, TagCache } from '../library/scan.js';
import type { CrateDb } from './open.js';
import { tagCache } from './schema.js';

/** Bumped when the shape of FlacTags changes, so old rows are read again instead of misread. */
const FORMAT = 1;

export class DrizzleTagCache implements TagCache {
  constructor(private readonly db: CrateDb) {}

  get(file: string, size: number, mtimeMs: number): CachedScan | undefined {
    const row = this.db.select().from(tagCache).where(eq(tagCache.path, file)).get();
    if (!row || row.size !== size || row.mtimeMs !== mtimeMs) return undefined;
    try {
      const parsed = JSON.parse(row.tagsJson) as { v?: number; scan?: CachedScan };
      return parsed.v === FORMAT && parsed.scan ? parsed.scan : undefined;
    } catch {
      return undefined;
    }
  }

  set(file: string, size: number, mtimeMs: number, value: CachedScan): void {
    const tagsJson = JSON.stringify({ v: FORMAT, scan: value });
    this.db
      .insert(tagCache)
      .values({ path: file, size, mtimeMs, tagsJson })
      .onConflictDoUpdate({ target: tagCache.path, set: { size, mtimeMs, tagsJson } })
      .run();
  }

  /** Drops rows of files that are gone (call after a full scan of a folder). */
  forgetMissing(prefix: string, present: Set<string>): number {
    const rows = this.db.select({ path: tagCache.path }).from(tagCache).all();
    let removed = 0;
    for (const r of rows) {
      if (r.path.startsWith(prefix) && !present.has(r.path)) {
        this.db.delete(tagCache).where(eq(tagCache.path, r.path)).run();
        removed++;
      }
    }
    return removed;
  }
}
