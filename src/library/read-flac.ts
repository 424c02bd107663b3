import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AudioFacts } from '../domain/job.js';
import type { FileFacts } from '../matching/types.js';
import { FlacReadError, readFlacTags } from './scan.js';

export type FlacFacts =
  | {
      ok: true;
      /** The file's own tags, in the matcher's shape. */
      tags: FileFacts;
      /** STREAMINFO facts and the size on disk (quality is the caller's to fill in). */
      audio: AudioFacts;
    }
  /** Not FLAC at all, or cut short: never named after a track. */
  | { ok: false; reason: string };

/**
 * Reads a downloaded file's own Vorbis comments and STREAMINFO (never trusting its name) and checks
 * that its audio is complete, via scan.ts. Throws only when the file cannot be read at all (missing).
 */
export async function readFlacFacts(file: string): Promise<FlacFacts> {
  let tags;
  try {
    tags = await readFlacTags(file);
  } catch (err) {
    if (err instanceof FlacReadError && err.kind !== 'unreadable') {
      const reason = err.kind === 'truncated' ? `incomplete FLAC file: ${err.reason}` : err.kind === 'over_limit' ? err.reason : `not a FLAC file (${err.reason})`;
      return { ok: false, reason };
    }
    throw err;
  }
  const { size } = await stat(file);
  return {
    ok: true,
    tags: {
      fileName: path.basename(file),
      artist: tags.artist,
      title: tags.title,
      album: tags.album,
      isrc: tags.isrc,
      durationMs: tags.durationMs,
    },
    audio: {
      bitDepth: tags.bitDepth,
      sampleRate: tags.sampleRate,
      channels: tags.channels,
      durationMs: tags.durationMs,
      sizeBytes: size,
      quality: null,
    },
  };
}
