/**
 * Writes the DJ-software playlists beside each .m3u8: `<Playlist>.xml` (Rekordbox) and
 * `<Playlist>.nml` (Traktor), and, once a job has nothing left to do, one pair for the whole
 * library in the output folder (`Crate Library.xml` / `.nml`) with every playlist Crate made there.
 * In the library files a track shared by several playlists is one collection entry: files that are
 * the same file on disk (hard links) or the same path (LINK_MODE=reference) count once, and only
 * files that exist are listed.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DjPlaylistKind } from '../../config.js';
import { FINAL_TRACK_STATES, type JobRecord, type TrackRecord } from '../../domain/job.js';
import type { JobStore } from '../../engine/ports.js';
import { sanitizeComponent } from '../sanitize.js';
import { inChunks, writeFileAtomic } from '../store-file.js';
import type { DjDocument, DjTrack } from './dj-track.js';
import { djPath } from './locate.js';
import { rekordboxXmlLines } from './rekordbox-xml.js';
import { traktorNmlLines } from './traktor-nml.js';

export const LIBRARY_PLAYLIST_NAME = 'Crate Library';

export interface DjPlaylistWriterOptions {
  kinds: readonly DjPlaylistKind[];
  /** Where the DJ's computer sees the output folder (DJ_MUSIC_ROOT), or null for the real paths. */
  musicRoot: string | null;
  store: Pick<JobStore, 'listJobs' | 'tracks'>;
}

const EXTENSIONS: Record<DjPlaylistKind, string> = { rekordbox: '.xml', traktor: '.nml' };

const inPlace = (t: TrackRecord) => (t.state === 'done' || t.state === 'skipped') && t.filePath !== null;

export class DjPlaylistWriter {
  constructor(private readonly o: DjPlaylistWriterOptions) {}

  /** Writes this playlist's files next to `m3uFile`; returns their paths. */
  async writeForJob(job: JobRecord, tracks: TrackRecord[], m3uFile: string): Promise<string[]> {
    if (this.o.kinds.length === 0) return [];
    const doc = await this.document(job.options.outputDir, [job], () => tracks, null);
    const written = await this.write(doc, path.dirname(m3uFile), job.name);
    if (tracks.every((t) => FINAL_TRACK_STATES.includes(t.state))) written.push(...(await this.writeLibrary(job.options.outputDir)));
    return written;
  }

  /** Every playlist Crate made in `outputDir`, as one collection. */
  async writeLibrary(outputDir: string): Promise<string[]> {
    const root = path.resolve(outputDir);
    const jobs = this.o.store
      .listJobs({ limit: 10_000 })
      .filter((j) => path.resolve(j.options.outputDir) === root && j.status !== 'cancelled')
      .sort((a, b) => a.id - b.id);
    // One playlist's rows at a time: a library of months is tens of thousands of rows, and only
    // the few facts each file needs (DjTrack) are kept for the document.
    const doc = await this.document(outputDir, jobs, (job) => this.o.store.tracks(job.id), 'Crate');
    if (doc.tracks.length === 0) return [];
    return this.write(doc, root, LIBRARY_PLAYLIST_NAME);
  }

  private async write(doc: DjDocument, dir: string, name: string): Promise<string[]> {
    const out: string[] = [];
    for (const kind of this.o.kinds) {
      const file = path.join(dir, sanitizeComponent(name, { extension: EXTENSIONS[kind] }));
      await writeFileAtomic(file, inChunks(kind === 'rekordbox' ? rekordboxXmlLines(doc) : traktorNmlLines(doc)));
      out.push(file);
    }
    return out;
  }

  private async document(outputDir: string, jobs: JobRecord[], rowsOf: (job: JobRecord) => TrackRecord[], folder: string | null): Promise<DjDocument> {
    const byFile = new Map<string, DjTrack>();
    const tracks: DjTrack[] = [];
    const playlists: DjDocument['playlists'] = [];
    for (const job of jobs) {
      const ids: number[] = [];
      const listed = new Set<number>();
      for (const t of rowsOf(job).filter(inPlace).sort((a, b) => a.position - b.position)) {
        const st = await stat(t.filePath!).catch(() => null);
        if (!st?.isFile()) continue;
        // One entry per file on disk: hard links share dev+ino, references share the path.
        const key = `${st.dev}:${st.ino}`;
        let entry = byFile.get(key);
        if (!entry) {
          entry = toDjTrack(t, tracks.length + 1, djPath(t.filePath!, outputDir, this.o.musicRoot), st.size);
          byFile.set(key, entry);
          tracks.push(entry);
        }
        // (a Set: `ids.includes` made a playlist of n tracks cost n² comparisons)
        if (!listed.has(entry.id)) {
          listed.add(entry.id);
          ids.push(entry.id);
        }
      }
      if (ids.length > 0) playlists.push({ name: job.name, trackIds: ids });
    }
    return { tracks, playlists, ...(folder ? { folder } : {}) };
  }
}

function toDjTrack(t: TrackRecord, id: number, location: string, sizeBytes: number): DjTrack {
  return {
    id,
    location,
    title: t.title,
    artists: t.artists,
    album: t.album,
    year: t.releaseYear,
    releaseDate: t.releaseDate ?? null,
    trackNumber: t.trackNumber ?? null,
    discNumber: t.discNumber ?? null,
    durationMs: t.audio?.durationMs ?? t.durationMs,
    sampleRate: t.audio?.sampleRate ?? null,
    bitDepth: t.audio?.bitDepth ?? null,
    channels: t.audio?.channels ?? null,
    sizeBytes,
    addedAt: t.updatedAt,
    isrc: t.isrc,
  };
}
