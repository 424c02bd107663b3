import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AudioFacts, JobRecord, TrackRecord } from '../domain/job.js';
import type { TrackInfo } from '../domain/track.js';
import type { JobStore, Library } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import { parseTrackRow } from '../lossless/menu-row.js';
import type { FileFacts, RequestedTrack } from '../matching/types.js';
import { verifyFile, type Verdict } from '../matching/verify.js';
import type { LinkMode } from '../config.js';
import type { DjPlaylistWriter } from './dj-playlists/dj-playlist-writer.js';
import { playabilityNote } from './convert/playability.js';
import type { PlayerProfile } from './convert/player-profiles.js';
import type { FileFinisher } from './finish/file-finisher.js';
import { shareFile } from './finish/share-file.js';
import { writeM3u8, type M3uEntry } from './m3u.js';
import { playlistDir, QUARANTINE_DIR, trackPath } from './path-template.js';
import type { FlacFacts } from './read-flac.js';
import { sanitizeComponent } from './sanitize.js';
import { partialDownloadsDir, removePartialDownloads } from './partial-downloads.js';
import { makeDir, moveIntoPlace } from './store-file.js';
import { MAX_UNFINISHED_VERIFICATIONS, type VerificationLedger } from './verify/ledger.js';
import { defaultVerifier, verifiedFactsReader } from './verify/library-reader.js';
import type { FileVerifier } from './verify/verifier.js';

export interface FsLibraryOptions {
  store: Pick<JobStore, 'findDoneTrack'>;
  /** Reads a file's own tags and STREAMINFO (default: the verifier, deep for downloads). */
  readFacts?: (file: string) => Promise<FlacFacts>;
  /** Verifies files off the main thread (default: one worker, `flac -t` when installed). */
  verifier?: FileVerifier;
  /** Records verifications under way in SQLite, so one cut short is not re-run forever. */
  ledger?: VerificationLedger;
  verify?: (request: RequestedTrack, pickedRow: string | null, facts: FileFacts) => Verdict;
  /** Tags, cover and conversion for a verified file before it gets its name (src/library/finish/). */
  finisher?: FileFinisher;
  /** How a track shared by several playlists is kept (default hardlink). */
  linkMode?: LinkMode;
  /** Rekordbox XML / Traktor NML beside each .m3u8 and for the whole library. */
  djPlaylists?: DjPlaylistWriter;
  /** The DJ's player (PLAYER): the completion notice says which files it would not load. */
  player?: PlayerProfile | null;
  logger?: Logger;
}

/**
 * The library on disk: names from the job's template, verification against the FLAC's own tags
 * before a file gets a track's name, quarantine for the rest, one download per track across
 * playlists (hard links), and the playlist's m3u8.
 */
export class FsLibrary implements Library {
  private readonly readFacts: (file: string) => Promise<FlacFacts>;
  /** For a new download: the deep check too (decode, MD5) when a decoder is installed. */
  private readonly readDownloaded: (file: string) => Promise<FlacFacts>;
  private readonly verify: NonNullable<FsLibraryOptions['verify']>;

  constructor(private readonly o: FsLibraryOptions) {
    const verifier = o.readFacts ? null : (o.verifier ?? defaultVerifier());
    this.readFacts = o.readFacts ?? verifiedFactsReader(verifier!, { deep: false });
    this.readDownloaded = o.readFacts ?? verifiedFactsReader(verifier!, { deep: 'auto' });
    this.verify = o.verify ?? verifyFile;
  }

  plannedPath(job: JobRecord, track: TrackInfo): string {
    return trackPath(
      {
        outputDir: job.options.outputDir,
        playlistName: job.name,
        // Positions run up to start-from + count - 1: pad them all to the same width.
        playlistSize: job.total + Math.max(0, (job.options.startFrom ?? 1) - 1),
        template: job.options.fileTemplate,
        organizeBy: job.options.organizeBy,
        yearFolders: job.options.yearFolders,
      },
      track,
    );
  }

  async accept(job: JobRecord, track: TrackRecord, downloadedPath: string) {
    let facts: FlacFacts;
    const ledger = await this.beginVerification(track, downloadedPath);
    if (ledger.refuse) {
      const q = await this.quarantine(job, track, downloadedPath);
      this.o.ledger?.end(track.id);
      return { kind: 'quarantined' as const, path: q, reason: ledger.refuse, audio: null };
    }
    try {
      facts = await this.readDownloaded(downloadedPath);
    } catch (err) {
      throw new Error(`Cannot read the downloaded file ${downloadedPath}`, { cause: err });
    } finally {
      this.o.ledger?.end(track.id);
    }
    if (!facts.ok) {
      const q = await this.quarantine(job, track, downloadedPath);
      return { kind: 'quarantined' as const, path: q, reason: facts.reason, audio: null };
    }
    const audio: AudioFacts = { ...facts.audio, quality: job.options.quality };
    const verdict = this.verify(acceptedAs(track), track.pickedRow, facts.tags);
    if (!verdict.ok) {
      const q = await this.quarantine(job, track, downloadedPath);
      return { kind: 'quarantined' as const, path: q, reason: verdict.reason, audio };
    }
    const finished = await this.finish(downloadedPath, track, audio);
    const finalPath = await moveIntoPlace(finished.path, withExtension(this.plannedPath(job, track), finished.extension));
    // A converted copy went into place: the verified FLAC it came from is done with.
    if (finished.path !== downloadedPath) await rm(downloadedPath, { force: true });
    return { kind: 'stored' as const, path: finalPath, audio: { ...audio, ...finished.audio, sizeBytes: (await stat(finalPath)).size } };
  }

  private async finish(file: string, track: TrackRecord, audio: AudioFacts) {
    if (!this.o.finisher) return { path: file, extension: '.flac', audio: {} };
    const verifyAgain = async (f: string) => {
      const facts = await this.readFacts(f);
      return facts.ok ? null : facts.reason;
    };
    const finished = await this.o.finisher.finish(file, track, audio, verifyAgain);
    if (finished.notes.length > 0) this.o.logger?.info({ trackId: track.id, notes: finished.notes }, 'file finished');
    return finished;
  }

  async findExisting(track: TrackInfo, job?: JobRecord): Promise<{ path: string; audio: AudioFacts | null } | null> {
    const done = this.o.store.findDoneTrack({ spotifyId: track.spotifyId, isrc: track.isrc });
    if (done?.filePath && (await intact(done.filePath, done.audio?.sizeBytes ?? null))) return { path: done.filePath, audio: done.audio };
    if (!job) return null;
    // A file already at the planned name (an earlier run before `crate reset`, another tool): keep it if its tags agree.
    const planned = this.plannedPath(job, track);
    try {
      const facts = await this.readFacts(planned);
      if (facts.ok && this.verify(requestOf(track), null, facts.tags).ok) {
        return { path: planned, audio: { ...facts.audio, quality: null } };
      }
    } catch {
      // Not there or not readable: download it.
    }
    return null;
  }

  async linkExisting(job: JobRecord, track: TrackRecord, existingPath: string): Promise<string> {
    const planned = withExtension(this.plannedPath(job, track), path.extname(existingPath).toLowerCase() || '.flac');
    return shareFile(existingPath, planned, this.o.linkMode ?? 'hardlink');
  }

  async writePlaylist(job: JobRecord, tracks: TrackRecord[]): Promise<string | null> {
    const entries: M3uEntry[] = tracks
      .filter((t) => (t.state === 'done' || t.state === 'skipped') && t.filePath)
      .sort((a, b) => a.position - b.position)
      .map((t) => ({ path: t.filePath!, durationMs: t.audio?.durationMs ?? t.durationMs, artists: t.artists, title: t.title }));
    if (entries.length === 0) return null;
    const file = this.playlistFile(job);
    await writeM3u8(file, entries);
    await this.o.djPlaylists?.writeForJob(job, tracks, file).catch((err: unknown) => this.o.logger?.warn({ err }, 'could not write the DJ playlists'));
    return file;
  }

  /** `<Playlist>.m3u8` in the playlist's folder when organised by playlist, else in the output folder. */
  playlistFile(job: JobRecord): string {
    const dir = job.options.organizeBy === 'playlist' ? playlistDir(job.options.outputDir, job.name) : path.resolve(job.options.outputDir);
    return path.join(dir, sanitizeComponent(job.name, { extension: '.m3u8' }));
  }

  async downloadPath(job: JobRecord, track: TrackRecord): Promise<string> {
    const dir = this.partialDir(job);
    await makeDir(dir);
    return path.join(dir, `track-${track.id}.flac`);
  }

  async acceptQuarantined(job: JobRecord, track: TrackRecord): Promise<{ path: string; audio: AudioFacts | null }> {
    if (!track.quarantinePath) throw new Error(`Track ${track.id} has no quarantined file`);
    let audio: AudioFacts | null = track.audio;
    try {
      const facts = await this.readFacts(track.quarantinePath);
      if (facts.ok) audio = { ...facts.audio, quality: track.audio?.quality ?? job.options.quality };
    } catch {
      // The owner vouches for it; facts are a nicety.
    }
    if (!audio) {
      const finalPath = await moveIntoPlace(track.quarantinePath, this.plannedPath(job, track));
      return { path: finalPath, audio };
    }
    // The owner says it is this track: it gets the track's tags and the player's format like any other.
    const finished = await this.finish(track.quarantinePath, track, audio);
    const finalPath = await moveIntoPlace(finished.path, withExtension(this.plannedPath(job, track), finished.extension));
    if (finished.path !== track.quarantinePath) await rm(track.quarantinePath, { force: true });
    return { path: finalPath, audio: { ...audio, ...finished.audio, sizeBytes: (await stat(finalPath)).size } };
  }

  finishNotes(_job: JobRecord, tracks: TrackRecord[]): string[] {
    const placed = tracks
      .filter((t) => (t.state === 'done' || t.state === 'skipped') && t.filePath)
      .map((t) => ({ path: t.filePath!, sampleRate: t.audio?.sampleRate ?? null, bitDepth: t.audio?.bitDepth ?? null }));
    const note = playabilityNote(placed, this.o.player ?? null);
    return note ? [note] : [];
  }

  async discardDownloads(job: JobRecord): Promise<void> {
    await removePartialDownloads(job.options.outputDir, job.id);
  }

  private partialDir(job: JobRecord): string {
    return partialDownloadsDir(job.options.outputDir, job.id);
  }

  /** Written before the verification starts; says when earlier attempts were cut short too often. */
  private async beginVerification(track: TrackRecord, file: string): Promise<{ refuse: string | null }> {
    if (!this.o.ledger || !(await intact(file, null))) return { refuse: null };
    const { unfinishedBefore, firstStartedAt } = this.o.ledger.begin(track.id, file);
    if (unfinishedBefore < MAX_UNFINISHED_VERIFICATIONS) return { refuse: null };
    return {
      refuse: `verification did not finish ${unfinishedBefore} times (first at ${new Date(firstStartedAt).toISOString()}; Crate stopped during it): not tried again — check the file with \`crate verify --deep\``,
    };
  }

  private async quarantine(job: JobRecord, track: TrackRecord, file: string): Promise<string> {
    const dest = path.join(playlistDir(job.options.outputDir, job.name), QUARANTINE_DIR, path.basename(this.plannedPath(job, track)));
    const q = await moveIntoPlace(file, dest);
    this.o.logger?.warn({ trackId: track.id, path: q }, 'file quarantined');
    return q;
  }
}

/**
 * What a downloaded file must be: the track, or the menu row the owner chose for it by hand (/missing
 * → pick from menu), which is the track now, as the acquirer already checked it.
 */
function acceptedAs(track: TrackRecord): RequestedTrack {
  const base = requestOf(track);
  const chosen = track.rememberedChoice?.trim();
  if (!chosen || track.pickedRow?.trim() !== chosen) return base;
  const row = parseTrackRow(chosen);
  return row ? { ...base, artists: [row.artist], title: row.title, durationMs: row.durationMs, isrc: null, album: null } : base;
}

function requestOf(track: TrackInfo & { id?: number }): RequestedTrack {
  return {
    id: String(track.id ?? track.spotifyId ?? track.position),
    artists: track.artists,
    title: track.title,
    album: track.album,
    durationMs: track.durationMs,
    isrc: track.isrc,
  };
}

function withExtension(file: string, extension: string): string {
  const ext = path.extname(file);
  return ext.toLowerCase() === extension ? file : `${ext ? file.slice(0, -ext.length) : file}${extension}`;
}

async function intact(file: string, expectedSize: number | null): Promise<boolean> {
  try {
    const st = await stat(file);
    return st.isFile() && (expectedSize === null || st.size === expectedSize);
  } catch {
    return false;
  }
}
