/**
 * Reads FLAC files: tags (Vorbis comments) and STREAMINFO through music-metadata, plus our own
 * end-of-file check that the audio is complete. Folder scans reuse a tag cache keyed by
 * path + size + mtime, so a library of thousands of files is read once.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { IAudioMetadata } from 'music-metadata';
import { readConvertedTags } from './convert/read-converted.js';
import { checkFlacIntegrity } from './flac-frames.js';
import { QUARANTINE_DIR } from './path-template.js';
import type { FlacStructure } from './verify/flac-structure.js';
import type { VerifyLimits } from './verify/limits.js';
import { loadMusicMetadata } from './music-metadata.js';

export interface FlacTags {
  /** ARTIST values (one per tag, as written); [] when none. */
  artists: string[];
  /** The artist credit as one string (ARTIST joined, or ALBUMARTIST when there is no ARTIST). */
  artist: string | null;
  title: string | null;
  album: string | null;
  isrc: string | null;
  year: number | null;
  durationMs: number | null;
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
}

export class FlacReadError extends Error {
  override readonly name = 'FlacReadError';
  constructor(
    readonly file: string,
    readonly kind: 'not_flac' | 'truncated' | 'over_limit' | 'unreadable',
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path.basename(file)}: ${kind === 'not_flac' ? `not a FLAC file (${reason})` : reason}`, options);
  }
}

/**
 * Reads one FLAC's tags and stream facts; throws FlacReadError for non-FLAC, truncated, over-limit or
 * unreadable files. The bounded structure and tail check runs first: music-metadata (which has no
 * limit of its own on, e.g., the number of Vorbis comments) only ever sees a file that passed it.
 */
export async function readFlacTags(file: string, options: { limits?: VerifyLimits } = {}): Promise<FlacTags> {
  return (await readFlacFile(file, options)).tags;
}

/** readFlacTags plus what the bounded walk learned (STREAMINFO with its MD5, pictures, where the audio starts). */
export async function readFlacFile(file: string, options: { limits?: VerifyLimits } = {}): Promise<{ tags: FlacTags; structure: FlacStructure }> {
  let integrity: Awaited<ReturnType<typeof checkFlacIntegrity>>;
  try {
    integrity = await checkFlacIntegrity(file, options.limits);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new FlacReadError(file, 'unreadable', message, { cause: err });
  }
  if (!integrity.ok) throw new FlacReadError(file, integrity.kind, integrity.reason);
  let meta: IAudioMetadata;
  try {
    meta = await (await loadMusicMetadata()).parseFile(file, { duration: false, skipCovers: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new FlacReadError(file, 'unreadable', message, { cause: err });
    throw new FlacReadError(file, 'not_flac', message, { cause: err });
  }
  if (meta.format.container !== 'FLAC') {
    throw new FlacReadError(file, 'not_flac', `it is ${meta.format.container ?? 'an unknown format'}${meta.format.codec ? ` (${meta.format.codec})` : ''}`);
  }
  const c = meta.common;
  const artists = (c.artists ?? (c.artist ? [c.artist] : [])).filter((a) => a.trim() !== '');
  const artist = artists.length > 0 ? artists.join(', ') : (c.albumartist ?? null);
  const tags: FlacTags = {
    artists,
    artist,
    title: c.title ?? null,
    album: c.album ?? null,
    isrc: c.isrc?.[0]?.trim() || null,
    year: c.year ?? null,
    durationMs: typeof meta.format.duration === 'number' ? Math.round(meta.format.duration * 1000) : null,
    bitDepth: meta.format.bitsPerSample ?? null,
    sampleRate: meta.format.sampleRate ?? null,
    channels: meta.format.numberOfChannels ?? null,
  };
  return { tags, structure: integrity.structure };
}

export type CachedScan = { ok: true; tags: FlacTags } | { ok: false; kind: FlacReadError['kind']; reason: string };

/** Where scans keep what they read (SQLite in production: src/db/tag-cache-store.ts). */
export interface TagCache {
  get(file: string, size: number, mtimeMs: number): CachedScan | undefined;
  set(file: string, size: number, mtimeMs: number, value: CachedScan): void;
}

export interface ScannedFile {
  path: string;
  /** Path relative to the scanned folder, for display. */
  relPath: string;
  sizeBytes: number;
  tags: FlacTags | null;
  /** Why the file could not be used (not FLAC, truncated...), or null. */
  error: string | null;
}

export interface ScanOptions {
  cache?: TagCache;
  signal?: AbortSignal;
  /** Files read at once (default 8). */
  concurrency?: number;
}

/** Every *.flac under `dir` (recursively; `.part` downloads and hidden folders skipped), with tags. */
export async function scanFolder(dir: string, options: ScanOptions = {}): Promise<{ files: ScannedFile[]; cacheHits: number }> {
  const paths = await listFlacs(dir);
  const files: ScannedFile[] = new Array(paths.length);
  let cacheHits = 0;
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      options.signal?.throwIfAborted();
      const i = next++;
      const file = paths[i]!;
      const st = await stat(file);
      const mtimeMs = Math.floor(st.mtimeMs);
      let result = options.cache?.get(file, st.size, mtimeMs);
      if (result) cacheHits++;
      else {
        try {
          result = { ok: true, tags: await readLibraryTags(file) };
        } catch (err) {
          if (!(err instanceof FlacReadError)) throw err;
          result = { ok: false, kind: err.kind, reason: err.kind === 'not_flac' ? `not a FLAC file (${err.reason})` : err.reason };
        }
        // Unreadable (permissions, vanished) is not a fact about the file's bytes: do not cache it.
        if (result.ok || result.kind !== 'unreadable') options.cache?.set(file, st.size, mtimeMs, result);
      }
      files[i] = {
        path: file,
        relPath: path.relative(dir, file),
        sizeBytes: st.size,
        tags: result.ok ? result.tags : null,
        error: result.ok ? null : result.reason,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, Math.max(1, paths.length)) }, worker));
  return { files, cacheHits };
}

/** A library file's tags: FLAC through the bounded FLAC reader, AIFF/WAV through the chunk reader. */
async function readLibraryTags(file: string): Promise<FlacTags> {
  if (/\.flac$/i.test(file)) return readFlacTags(file);
  try {
    return await readConvertedTags(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') throw new FlacReadError(file, 'unreadable', (err as Error).message, { cause: err });
    throw new FlacReadError(file, 'not_flac', (err as Error).message, { cause: err });
  }
}

async function listFlacs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      // Hidden entries (our .crate-partial downloads among them) and files Crate quarantined are not the library.
      if (e.name.startsWith('.') || (e.isDirectory() && e.name === QUARANTINE_DIR)) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      // AIFF and WAV are what Crate converts to for players without FLAC (OUTPUT_FORMAT).
      else if (e.isFile() && /\.(flac|aiff?|wav)$/i.test(e.name)) out.push(full);
    }
  };
  await walk(dir);
  return out;
}
