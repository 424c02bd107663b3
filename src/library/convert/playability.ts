/**
 * Which library files would not load on the DJ's player, said in plain words for the completion
 * notice and `crate doctor`. Pure: works from the facts recorded for each track.
 */
import { formatOfPath, unplayableReason, type PlayerProfile } from './player-profiles.js';

export interface PlacedFile {
  path: string;
  sampleRate: number | null;
  bitDepth: number | null;
}

/** "3 files will not play on the CDJ-2000NXS: FLAC is not supported (2), 192 kHz is over 48 kHz (1)", or null. */
export function playabilityNote(files: readonly PlacedFile[], player: PlayerProfile | null): string | null {
  if (!player) return null;
  const reasons = new Map<string, number>();
  let bad = 0;
  for (const f of files) {
    const format = formatOfPath(f.path);
    if (!format) continue;
    const why = unplayableReason(player, { format, sampleRate: f.sampleRate, bitDepth: f.bitDepth });
    if (!why) continue;
    bad++;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  if (bad === 0) return null;
  const list = [...reasons].map(([why, n]) => `${why} (${n})`).join('; ');
  return `${bad} file${bad === 1 ? '' : 's'} will not play on the ${player.label}: ${list}. Check OUTPUT_FORMAT / MAX_SAMPLE_RATE and that sox and flac are installed (crate doctor).`;
}
