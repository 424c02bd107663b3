/**
 * The structural check of one file, as the verification worker runs it: the bounded walk and tail
 * check, then music-metadata for the tags. Never throws: every failure is an Inspection.
 */
import { FlacReadError, readFlacFile } from '../scan.js';
import type { VerifyLimits } from './limits.js';
import type { Inspection } from './report.js';

export async function inspectFlac(file: string, limits: VerifyLimits): Promise<Inspection> {
  try {
    const { tags, structure } = await readFlacFile(file, { limits });
    const si = structure.streamInfo;
    return {
      ok: true,
      facts: {
        format: 'FLAC',
        bitDepth: tags.bitDepth ?? si.bitsPerSample,
        sampleRate: tags.sampleRate ?? si.sampleRate,
        channels: tags.channels ?? si.channels,
        durationMs: tags.durationMs ?? (si.totalSamples > 0 ? Math.round((si.totalSamples / si.sampleRate) * 1000) : null),
        totalSamples: si.totalSamples,
        sizeBytes: structure.size,
        md5: si.md5,
        pictures: structure.pictures,
        tags,
      },
    };
  } catch (err) {
    if (err instanceof FlacReadError) {
      const reason = err.kind === 'not_flac' ? `not a FLAC file (${err.reason})` : err.reason;
      return { ok: false, kind: err.kind, reason };
    }
    return { ok: false, kind: 'unreadable', reason: err instanceof Error ? err.message : String(err) };
  }
}
