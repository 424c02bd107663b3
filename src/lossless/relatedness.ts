/** How much a bot reply is about a track: used to tell whose menu a menu is. */
import type { TrackInfo } from '../domain/track.js';
import { looseWords } from '../matching/fold.js';

/** Share of the track's words (artists and title) that appear in the menu rows: 0 = about something else. */
export function relatedness(track: Pick<TrackInfo, 'artists' | 'title'>, rows: string[]): number {
  const wanted = [...new Set(looseWords([...track.artists, track.title].join(' ')))];
  if (wanted.length === 0) return 0;
  const present = new Set(looseWords(rows.join(' ')));
  return wanted.filter((w) => present.has(w)).length / wanted.length;
}

