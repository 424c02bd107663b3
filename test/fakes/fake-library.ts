import type { AudioFacts, JobRecord, TrackRecord } from '../../src/domain/job.js';
import type { TrackInfo } from '../../src/domain/track.js';
import type { JobStore, Library } from '../../src/engine/ports.js';

const AUDIO: AudioFacts = { bitDepth: 16, sampleRate: 44_100, channels: 2, durationMs: 180_000, sizeBytes: 40_000_000, quality: 'high' };

/**
 * An in-memory Library: no files, but the same decisions as FsLibrary (existing tracks found via
 * the store, quarantine for scripted mismatches), and a log of what it was asked to do.
 */
export class FakeLibrary implements Library {
  readonly stored = new Map<number, string>();
  readonly linked: { trackId: number; from: string; to: string }[] = [];
  readonly playlists: { jobId: number; paths: string[] }[] = [];
  readonly discarded: number[] = [];
  /** Track positions whose downloaded file fails verification. */
  mismatchPositions = new Set<number>();

  constructor(private readonly store: Pick<JobStore, 'findDoneTrack'>) {}

  plannedPath(job: JobRecord, track: TrackInfo): string {
    return `/lib/${job.name}/${track.artists.join(', ')} - ${track.title}.flac`;
  }

  async accept(job: JobRecord, track: TrackRecord, downloadedPath: string) {
    if (!downloadedPath) throw new Error('no downloaded path');
    if (this.mismatchPositions.has(track.position)) {
      return { kind: 'quarantined' as const, path: `/lib/${job.name}/_quarantine/${track.title}.flac`, reason: 'title differs', audio: AUDIO };
    }
    const p = this.plannedPath(job, track);
    this.stored.set(track.id, p);
    return { kind: 'stored' as const, path: p, audio: AUDIO };
  }

  async findExisting(track: TrackInfo) {
    const done = this.store.findDoneTrack({ spotifyId: track.spotifyId, isrc: track.isrc });
    return done?.filePath ? { path: done.filePath, audio: done.audio } : null;
  }

  async linkExisting(job: JobRecord, track: TrackRecord, existingPath: string): Promise<string> {
    const to = this.plannedPath(job, track);
    this.linked.push({ trackId: track.id, from: existingPath, to });
    return to;
  }

  async writePlaylist(job: JobRecord, tracks: TrackRecord[]): Promise<string | null> {
    const paths = tracks.filter((t) => (t.state === 'done' || t.state === 'skipped') && t.filePath).map((t) => t.filePath!);
    this.playlists.push({ jobId: job.id, paths });
    return `/lib/${job.name}/${job.name}.m3u8`;
  }

  async downloadPath(job: JobRecord, track: TrackRecord): Promise<string> {
    return `/lib/.crate-partial/job-${job.id}/${track.id}.flac`;
  }

  async acceptQuarantined(job: JobRecord, track: TrackRecord) {
    return { path: this.plannedPath(job, track), audio: track.audio };
  }

  async discardDownloads(job: JobRecord): Promise<void> {
    this.discarded.push(job.id);
  }
}
