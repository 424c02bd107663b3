/**
 * The `watches` table (playlists the owner follows) and the one job edit a watch makes: bring a
 * playlist's job in line with the playlist (positions, removed rows, new queued rows) in one
 * transaction, so a crash leaves either the old list or the new one.
 */
import { asc, eq } from 'drizzle-orm';
import type { JobRecord, TrackRecord } from '../domain/job.js';
import type { NewWatch, PlaylistJobEditor, TrackPlan, WatchPatch, WatchRecord, WatchStore } from '../engine/watch-ports.js';
import type { DrizzleJobStore } from './job-store.js';
import type { CrateDb } from './open.js';
import { jobs, tracks, watches } from './schema.js';

type WatchRow = typeof watches.$inferSelect;

export class DrizzleWatchStore implements WatchStore, PlaylistJobEditor {
  constructor(
    private readonly db: CrateDb,
    private readonly jobStore: DrizzleJobStore,
    private readonly now: () => number = Date.now,
  ) {}

  createWatch(w: NewWatch): WatchRecord {
    const at = this.now();
    const row = this.db
      .insert(watches)
      .values({ link: w.link, sourceId: w.sourceId, name: w.name, everyMs: w.everyMs, nextCheckAt: w.nextCheckAt, createdAt: at, updatedAt: at })
      .returning()
      .get();
    return toWatch(row);
  }

  getWatch(id: number): WatchRecord | null {
    const row = this.db.select().from(watches).where(eq(watches.id, id)).get();
    return row ? toWatch(row) : null;
  }

  findWatchBySource(sourceId: string): WatchRecord | null {
    const row = this.db.select().from(watches).where(eq(watches.sourceId, sourceId)).get();
    return row ? toWatch(row) : null;
  }

  listWatches(): WatchRecord[] {
    return this.db.select().from(watches).orderBy(asc(watches.id)).all().map(toWatch);
  }

  updateWatch(id: number, p: WatchPatch): WatchRecord {
    const set: Partial<WatchRow> = { updatedAt: this.now() };
    if (p.name !== undefined) set.name = p.name;
    if (p.everyMs !== undefined) set.everyMs = p.everyMs;
    if (p.status !== undefined) set.status = p.status;
    if (p.jobId !== undefined) set.jobId = p.jobId;
    if (p.nextCheckAt !== undefined) set.nextCheckAt = p.nextCheckAt;
    if (p.lastCheckAt !== undefined) set.lastCheckAt = p.lastCheckAt;
    if (p.lastSnapshot !== undefined) set.lastSnapshot = p.lastSnapshot;
    if (p.trackKeys !== undefined) set.trackKeysJson = JSON.stringify(p.trackKeys);
    if (p.removed !== undefined) set.removedJson = JSON.stringify(p.removed);
    if (p.lastResult !== undefined) set.lastResultJson = p.lastResult === null ? null : JSON.stringify(p.lastResult);
    if (p.lastError !== undefined) set.lastError = p.lastError;
    if (p.pendingNotice !== undefined) set.pendingNoticeJson = p.pendingNotice === null ? null : JSON.stringify(p.pendingNotice);
    const row = this.db.update(watches).set(set).where(eq(watches.id, id)).returning().get();
    if (!row) throw new Error(`No watch #${id}`);
    return toWatch(row);
  }

  deleteWatch(id: number): void {
    this.db.delete(watches).where(eq(watches.id, id)).run();
  }

  applyTrackPlan(jobId: number, plan: TrackPlan): { job: JobRecord; added: TrackRecord[] } {
    const at = this.now();
    const addedIds = this.db.transaction((tx) => {
      // Positions are unique per job: park the kept rows on negative ones first, then place them.
      for (const k of plan.keep) tx.update(tracks).set({ position: -k.trackId }).where(eq(tracks.id, k.trackId)).run();
      for (const id of plan.remove) tx.delete(tracks).where(eq(tracks.id, id)).run();
      for (const k of plan.keep) tx.update(tracks).set({ position: k.position, updatedAt: at }).where(eq(tracks.id, k.trackId)).run();
      const ids: number[] = [];
      for (const t of plan.add) {
        const row = tx
          .insert(tracks)
          .values({
            jobId,
            position: t.position,
            spotifyId: t.spotifyId,
            artistsJson: JSON.stringify(t.artists),
            title: t.title,
            album: t.album,
            durationMs: t.durationMs,
            isrc: t.isrc,
            releaseYear: t.releaseYear,
            createdAt: at,
            updatedAt: at,
          })
          .returning({ id: tracks.id })
          .get();
        ids.push(row.id);
      }
      tx.update(jobs).set({ total: plan.keep.length + plan.add.length, updatedAt: at }).where(eq(jobs.id, jobId)).run();
      return ids;
    });
    const job = this.jobStore.getJob(jobId);
    if (!job) throw new Error(`No job #${jobId}`);
    return { job, added: addedIds.map((id) => this.jobStore.getTrack(id)).filter((t): t is TrackRecord => t !== null) };
  }
}

function toWatch(r: WatchRow): WatchRecord {
  return {
    id: r.id,
    link: r.link,
    sourceId: r.sourceId,
    name: r.name,
    everyMs: r.everyMs,
    status: r.status === 'paused' ? 'paused' : 'active',
    jobId: r.jobId,
    nextCheckAt: r.nextCheckAt,
    lastCheckAt: r.lastCheckAt,
    lastSnapshot: r.lastSnapshot,
    trackKeys: parse<string[]>(r.trackKeysJson, []),
    removed: parse(r.removedJson, []),
    lastResult: parse(r.lastResultJson, null),
    lastError: r.lastError,
    pendingNotice: parse(r.pendingNoticeJson, null),
    createdAt: r.createdAt,
  };
}

function parse<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
