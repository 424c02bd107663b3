import { StringSession } from 'telegram/sessions/index.js';

/** Rows kept after a trim; the account talks to a handful of peers (itself, the bot). */
const KEEP = 200;
const TRIM_AT = 1_000;

/**
 * GramJS's StringSession (MemorySession) adds a new row to its entity cache for every user or
 * chat in every response, even when it already knows that entity: polling the bot chat every few
 * seconds grows it by thousands of rows a day, and every lookup scans them all. This session
 * keeps one row per entity (the newest) and at most KEEP of them.
 */
export class BoundedStringSession extends StringSession {
  override processEntities(tlo: unknown): void {
    super.processEntities(tlo);
    // MemorySession's own cache: a Set of [id, hash, username, phone, name] rows.
    const rows = (this as unknown as { _entities?: Set<unknown[]> })._entities;
    if (!rows || rows.size < TRIM_AT) return;
    const newest = new Map<string, unknown[]>();
    for (const row of rows) {
      const id = String(row[0]);
      newest.delete(id);
      newest.set(id, row);
    }
    const kept = [...newest.values()].slice(-KEEP);
    rows.clear();
    for (const row of kept) rows.add(row);
  }
}
