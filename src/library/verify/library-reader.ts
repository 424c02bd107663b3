/**
 * The library's view of a verification: a VerifyReport turned into the FlacFacts FsLibrary works
 * with (the file's own tags for the matcher, the audio facts for the report), and the verifier the
 * library uses when none is given.
 */
import path from 'node:path';
import type { FlacFacts } from '../read-flac.js';
import { flacToolChecker } from './deep-check.js';
import type { VerifyReport } from './report.js';
import { FileVerifier, type VerifyFileOptions } from './verifier.js';
import { VerifyWorkerPool } from './worker-pool.js';

export function defaultVerifier(): FileVerifier {
  return new FileVerifier({ pool: new VerifyWorkerPool(), deep: flacToolChecker() });
}

/** Throws only when the file cannot be read at all (as readFlacFacts does). */
export function verifiedFactsReader(verifier: FileVerifier, options: Pick<VerifyFileOptions, 'deep'>): (file: string) => Promise<FlacFacts> {
  return async (file) => toFlacFacts(await verifier.verify(file, options));
}

export function toFlacFacts(report: VerifyReport): FlacFacts {
  if (report.verdict === 'rejected' || !report.facts) {
    if (report.kind === 'unreadable') throw new Error(`Cannot read ${report.file}: ${report.reason ?? 'unreadable'}`);
    const reason = report.reason ?? 'refused';
    return { ok: false, reason: report.kind === 'truncated' ? `incomplete FLAC file: ${reason}` : reason };
  }
  const { tags, ...audio } = report.facts;
  return {
    ok: true,
    tags: {
      fileName: path.basename(report.file),
      artist: tags.artist,
      title: tags.title,
      album: tags.album,
      isrc: tags.isrc,
      durationMs: audio.durationMs,
    },
    audio: {
      bitDepth: audio.bitDepth,
      sampleRate: audio.sampleRate,
      channels: audio.channels,
      durationMs: audio.durationMs,
      sizeBytes: audio.sizeBytes,
      quality: null,
    },
  };
}
