/**
 * A FakeAcquirer `writeFile` for tests on the real library: writes a real FLAC of the track, or,
 * for the positions in `wrongPositions`, of a karaoke cover (the wrong recording the verifier
 * must refuse). `format` picks the sample rate and bit depth per track (default: the writer's).
 */
import { writeFileSync } from 'node:fs';
import type { TrackRecord } from '../../src/domain/job.js';
import { makeFlac, type FlacSpec } from './flac-writer.js';

export function flacFileWriter(
  wrongPositions: Set<number>,
  format: (track: TrackRecord) => Pick<FlacSpec, 'sampleRate' | 'bitDepth'> = () => ({}),
): (track: TrackRecord, path: string) => Promise<number> {
  return async (t, p) => {
    const wrong = wrongPositions.has(t.position);
    const bytes = makeFlac({
      artist: wrong ? 'Karaoke Stars' : t.artists.join(', '),
      title: wrong ? `${t.title} (Karaoke Version)` : t.title,
      durationMs: t.durationMs ?? 180_000,
      ...format(t),
    });
    writeFileSync(p, bytes);
    return bytes.length;
  };
}
