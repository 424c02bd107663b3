import { and, desc, eq, gt, gte, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AudioFacts, JobOptions, JobRecord, JobStatus, TrackCounts, TrackRecord, TrackState } from '../domain/job.js';
import { emptyCounts } from '../domain/job.js';
import type { SourceBackend, SourceType } from '../domain/track.js';
import type { JobStore, NewJob, OutgoingKind, TrackProgressPatch } from '../engine/ports.js';
import { openDatabase, type CrateDb, type OpenedDb } from './open.js';
import { jobs, outgoing, settings, tracks } from './schema.js';

type JobRow = typeof jobs.$inferSelect;
type TrackRow = typeof tracks.$inferSelect;
type JobPatch = Parameters<JobStore['updateJob']>[1];
type TrackPatch = Parameters<JobStore['updateTrack']>[1];

/**
 * The durable job state over SQLite. better-sqlite3 is synchronous, so every method has written
 * (committed, WAL) before it returns: the engine persists a step and only then acts on it.
 */
export class DrizzleJobStore implements JobStore {
  private readonly now: () => number;

  constructor(
    private readonly db: CrateDb,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  createJob(job: NewJob): JobRecord {
    const at = this.now();
    return this.db.transaction((tx) => {
      const row = tx
        .insert(jobs)
        .values({
          link: job.link,
          sourceType: job.listing.source.type,
          sourceId: job.listing.source.id,
          name: job.listing.source.name,
          backend: job.listing.source.backend,
          total: job.listing.tracks.length,
          status: 'pending',
          optionsJson: JSON.stringify(job.options),
          warningsJson: JSON.stringify(job.listing.warnings),
          fingerprint: job.fingerprint,
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
      for (const t of job.listing.tracks) {
        tx.insert(tracks)
          .values({
            jobId: row.id,
            position: t.position,
            spotifyId: t.spotifyId,
            artistsJson: JSON.stringify(t.artists),
            title: t.title,
            album: t.album,
            durationMs: t.durationMs,
            isrc: t.isrc,
            releaseYear: t.releaseYear,
            albumArtistsJson: t.albumArtists && t.albumArtists.length > 0 ? JSON.stringify(t.albumArtists) : null,
            trackNumber: t.trackNumber ?? null,
            discNumber: t.discNumber ?? null,
            releaseDate: t.releaseDate ?? null,
            coverUrl: t.coverUrl ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .run();
      }
      return toJob(row);
    });
  }

  findResumableJob(fingerprint: string): JobRecord | null {
    const row = this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.fingerprint, fingerprint), inArray(jobs.status, ['pending', 'running', 'paused'])))
      .orderBy(desc(jobs.id))
      .limit(1)
      .get();
    return row ? toJob(row) : null;
  }

  findLastFinishedJob(fingerprint: string): JobRecord | null {
    const row = this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.fingerprint, fingerprint), eq(jobs.status, 'done')))
      .orderBy(desc(jobs.id))
      .limit(1)
      .get();
    return row ? toJob(row) : null;
  }

  getJob(id: number): JobRecord | null {
    const row = this.db.select().from(jobs).where(eq(jobs.id, id)).get();
    return row ? toJob(row) : null;
  }

  listJobs(options: { limit?: number } = {}): JobRecord[] {
    return this.db
      .select()
      .from(jobs)
      .orderBy(desc(jobs.id))
      .limit(options.limit ?? 1000)
      .all()
      .map(toJob);
  }

  updateJob(id: number, patch: JobPatch): JobRecord {
    const values: Partial<typeof jobs.$inferInsert> = { updatedAt: this.now() };
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.pauseReason !== undefined) values.pauseReason = patch.pauseReason;
    if (patch.startedAt !== undefined) values.startedAt = patch.startedAt;
    if (patch.finishedAt !== undefined) values.finishedAt = patch.finishedAt;
    if (patch.progressChatId !== undefined) values.progressChatId = patch.progressChatId;
    if (patch.progressMessageId !== undefined) values.progressMessageId = patch.progressMessageId;
    if (patch.warnings !== undefined) values.warningsJson = JSON.stringify(patch.warnings);
    if (patch.options !== undefined) values.optionsJson = JSON.stringify(patch.options);
    const row = this.db.update(jobs).set(values).where(eq(jobs.id, id)).returning().get();
    if (!row) throw new Error(`No job ${id}`);
    return toJob(row);
  }

  deleteJob(id: number): void {
    this.db.delete(jobs).where(eq(jobs.id, id)).run();
  }

  deleteAllJobs(): void {
    this.db.delete(jobs).run();
  }

  tracks(jobId: number, options: { states?: TrackState[] } = {}): TrackRecord[] {
    const where: SQL[] = [eq(tracks.jobId, jobId)];
    if (options.states) {
      if (options.states.length === 0) return [];
      where.push(inArray(tracks.state, options.states));
    }
    return this.db
      .select()
      .from(tracks)
      .where(and(...where))
      .orderBy(tracks.position)
      .all()
      .map(toTrack);
  }

  getTrack(id: number): TrackRecord | null {
    const row = this.db.select().from(tracks).where(eq(tracks.id, id)).get();
    return row ? toTrack(row) : null;
  }

  updateTrack(id: number, patch: TrackPatch): TrackRecord {
    const values: Partial<typeof tracks.$inferInsert> = { updatedAt: this.now() };
    const p: TrackProgressPatch & TrackPatch = patch;
    if (p.state !== undefined) values.state = p.state;
    if (p.requestMessageId !== undefined) values.requestMessageId = p.requestMessageId;
    if (p.menuMessageId !== undefined) values.menuMessageId = p.menuMessageId;
    if (p.pickedRow !== undefined) values.pickedRow = p.pickedRow;
    if (p.fileMessageId !== undefined) values.fileMessageId = p.fileMessageId;
    if (p.sendingAfterId !== undefined) values.sendingAfterId = p.sendingAfterId;
    if (p.receivedFile !== undefined) values.receivedFileJson = p.receivedFile === null ? null : JSON.stringify(p.receivedFile);
    if (p.attempts !== undefined) values.attempts = p.attempts;
    if (p.lastError !== undefined) values.lastError = p.lastError;
    if (p.nextAttemptAt !== undefined) values.nextAttemptAt = p.nextAttemptAt;
    if (p.filePath !== undefined) values.filePath = p.filePath;
    if (p.quarantinePath !== undefined) values.quarantinePath = p.quarantinePath;
    if (p.rememberedChoice !== undefined) values.rememberedChoice = p.rememberedChoice;
    if (p.audio !== undefined) {
      const a: AudioFacts | null = p.audio;
      values.bitDepth = a?.bitDepth ?? null;
      values.sampleRate = a?.sampleRate ?? null;
      values.channels = a?.channels ?? null;
      values.audioDurationMs = a?.durationMs ?? null;
      values.sizeBytes = a?.sizeBytes ?? null;
      values.quality = a?.quality ?? null;
    }
    const row = this.db.update(tracks).set(values).where(eq(tracks.id, id)).returning().get();
    if (!row) throw new Error(`No track ${id}`);
    return toTrack(row);
  }

  counts(jobId: number): TrackCounts {
    const counts = emptyCounts();
    const rows = this.db
      .select({ state: tracks.state, n: sql<number>`count(*)` })
      .from(tracks)
      .where(eq(tracks.jobId, jobId))
      .groupBy(tracks.state)
      .all();
    for (const r of rows) if (r.state in counts) counts[r.state as TrackState] = Number(r.n);
    return counts;
  }

  findDoneTrack(match: { spotifyId: string | null; isrc: string | null }): TrackRecord | null {
    const keys: SQL[] = [];
    if (match.spotifyId) keys.push(eq(tracks.spotifyId, match.spotifyId));
    if (match.isrc) keys.push(eq(tracks.isrc, match.isrc));
    if (keys.length === 0) return null;
    const row = this.db
      .select()
      .from(tracks)
      .where(and(inArray(tracks.state, ['done', 'skipped']), isNotNull(tracks.filePath), or(...keys)))
      // The original download (done) before links to it (skipped); newest first among equals.
      .orderBy(sql`case when ${tracks.state} = 'done' then 0 else 1 end`, desc(tracks.updatedAt))
      .limit(1)
      .get();
    return row ? toTrack(row) : null;
  }

  getSetting(key: string): string | null {
    return this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value ?? null;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) {
      this.db.delete(settings).where(eq(settings.key, key)).run();
      return;
    }
    const at = this.now();
    this.db
      .insert(settings)
      .values({ key, value, updatedAt: at })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } })
      .run();
  }

  recordOutgoing(kind: OutgoingKind, at: number, trackId?: number, options: { pending?: boolean; pid?: number } = {}): number {
    const row = this.db
      .insert(outgoing)
      .values({ kind, sentAt: at, trackId: trackId ?? null, pending: options.pending ? 1 : 0, pid: options.pid ?? null })
      .returning({ id: outgoing.id })
      .get();
    return row.id;
  }

  markOutgoingSent(id: number, at: number): boolean {
    const grant = this.db.select({ pid: outgoing.pid }).from(outgoing).where(and(eq(outgoing.id, id), eq(outgoing.pending, 1))).get();
    if (!grant) return false;
    // Another process granted after ours only if it took ours for abandoned: its send may be on its way.
    if (grant.pid !== null) {
      const later = this.db
        .select({ id: outgoing.id })
        .from(outgoing)
        .where(and(gt(outgoing.id, id), isNotNull(outgoing.pid), ne(outgoing.pid, grant.pid)))
        .limit(1)
        .get();
      if (later) return false;
    }
    // Never earlier than granted: the gap others computed from the grant still holds.
    this.db
      .update(outgoing)
      .set({ sentAt: sql`max(${outgoing.sentAt}, ${at})`, pending: 0 })
      .where(eq(outgoing.id, id))
      .run();
    return true;
  }

  withdrawOutgoing(id: number): boolean {
    return this.db.delete(outgoing).where(and(eq(outgoing.id, id), eq(outgoing.pending, 1))).run().changes > 0;
  }

  countOutgoingSince(since: number, kinds?: OutgoingKind[], options: { pendingSince?: number } = {}): number {
    const where: SQL[] = [gte(outgoing.sentAt, since)];
    if (kinds) where.push(inArray(outgoing.kind, kinds));
    if (options.pendingSince !== undefined) where.push(or(eq(outgoing.pending, 0), gte(outgoing.sentAt, options.pendingSince))!);
    const row = this.db
      .select({ n: sql<number>`count(*)` })
      .from(outgoing)
      .where(and(...where))
      .get();
    return Number(row?.n ?? 0);
  }

  recentOutgoing(since: number): { id: number; kind: OutgoingKind; sentAt: number; pending: boolean; pid: number | null }[] {
    return this.db
      .select({ id: outgoing.id, kind: outgoing.kind, sentAt: outgoing.sentAt, pending: outgoing.pending, pid: outgoing.pid })
      .from(outgoing)
      .where(gte(outgoing.sentAt, since))
      .orderBy(outgoing.sentAt, outgoing.id)
      .all()
      .map((r) => ({ id: r.id, kind: r.kind as OutgoingKind, sentAt: r.sentAt, pending: r.pending === 1, pid: r.pid }));
  }

  exclusive<T>(fn: () => T): T {
    // BEGIN IMMEDIATE takes SQLite's write lock up front: a second process's check-and-record
    // waits (busy_timeout) instead of reading the same free slot.
    return this.db.transaction(() => fn(), { behavior: 'immediate' });
  }

  setJobOwner(id: number, owner: string | null): void {
    this.db.update(jobs).set({ owner }).where(eq(jobs.id, id)).run();
  }

  jobOwner(id: number): string | null {
    return this.db.select({ owner: jobs.owner }).from(jobs).where(eq(jobs.id, id)).get()?.owner ?? null;
  }

  outgoingTimes(since: number): { kind: OutgoingKind; sentAt: number }[] {
    return this.db
      .select({ kind: outgoing.kind, sentAt: outgoing.sentAt })
      .from(outgoing)
      .where(gte(outgoing.sentAt, since))
      .orderBy(outgoing.sentAt, outgoing.id)
      .all()
      .map((r) => ({ kind: r.kind as OutgoingKind, sentAt: r.sentAt }));
  }

  /** Drops outgoing rows older than `before` (the budget only looks back 24 h). */
  pruneOutgoing(before: number): void {
    this.db.delete(outgoing).where(sql`${outgoing.sentAt} < ${before}`).run();
  }
}

/** Opens the SQLite file and wraps it; `close()` closes the database. */
export function openJobStore(file: string, options: { now?: () => number } = {}): { store: DrizzleJobStore; db: OpenedDb; close(): void } {
  const db = openDatabase(file);
  return { store: new DrizzleJobStore(db.db, options), db, close: () => db.close() };
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toJob(r: JobRow): JobRecord {
  return {
    id: r.id,
    link: r.link,
    sourceType: r.sourceType as SourceType,
    sourceId: r.sourceId,
    name: r.name,
    backend: r.backend as SourceBackend,
    total: r.total,
    status: r.status as JobStatus,
    pauseReason: r.pauseReason,
    options: parseJson<JobOptions>(r.optionsJson, {} as JobOptions),
    warnings: parseJson<string[]>(r.warningsJson, []),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    progressChatId: r.progressChatId,
    progressMessageId: r.progressMessageId,
  };
}

function toTrack(r: TrackRow): TrackRecord {
  const hasAudio =
    r.bitDepth !== null || r.sampleRate !== null || r.channels !== null || r.audioDurationMs !== null || r.sizeBytes !== null;
  return {
    id: r.id,
    jobId: r.jobId,
    position: r.position,
    spotifyId: r.spotifyId,
    artists: parseJson<string[]>(r.artistsJson, []),
    title: r.title,
    album: r.album,
    durationMs: r.durationMs,
    isrc: r.isrc,
    releaseYear: r.releaseYear,
    albumArtists: parseJson<string[]>(r.albumArtistsJson, []),
    trackNumber: r.trackNumber,
    discNumber: r.discNumber,
    releaseDate: r.releaseDate,
    coverUrl: r.coverUrl,
    state: r.state as TrackState,
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.nextAttemptAt,
    requestMessageId: r.requestMessageId,
    menuMessageId: r.menuMessageId,
    pickedRow: r.pickedRow,
    fileMessageId: r.fileMessageId,
    sendingAfterId: r.sendingAfterId,
    receivedFile: parseJson<Record<string, unknown> | null>(r.receivedFileJson, null),
    filePath: r.filePath,
    quarantinePath: r.quarantinePath,
    audio: hasAudio
      ? {
          bitDepth: r.bitDepth,
          sampleRate: r.sampleRate,
          channels: r.channels,
          durationMs: r.audioDurationMs,
          sizeBytes: r.sizeBytes,
          quality: (r.quality as AudioFacts['quality']) ?? null,
        }
      : null,
    rememberedChoice: r.rememberedChoice,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
