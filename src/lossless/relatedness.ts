/** How much a bot reply is about a track: used to tell whose menu a menu is. */
import type { TrackInfo } from '../domain/track.js';

/** Share of the track's words (artists and title) that appear in the menu rows: 0 = about something else. */
export function relatedness(track: Pick<TrackInfo, 'artists' | 'title'>, rows: string[]): number {
  const wanted = [...new Set(words([...track.artists, track.title].join(' ')))];
  if (wanted.length === 0) return 0;
  const present = new Set(words(rows.join(' ')));
  return wanted.filter((w) => present.has(w)).length / wanted.length;
}

function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
}
