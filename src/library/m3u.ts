import path from 'node:path';
import { writeFileAtomic } from './store-file.js';

export interface M3uEntry {
  path: string;
  durationMs: number | null;
  artists: string[];
  title: string;
}

/**
 * Extended M3U in UTF-8 (the .m3u8 that Rekordbox, Serato, Traktor and VLC read): one
 * `#EXTINF:seconds,Artist - Title` line per track, then its path relative to the playlist file,
 * with forward slashes.
 */
export function renderM3u8(entries: M3uEntry[], playlistFile: string): string {
  const base = path.dirname(playlistFile);
  const lines = ['#EXTM3U'];
  for (const e of entries) {
    const seconds = e.durationMs === null ? -1 : Math.round(e.durationMs / 1000);
    const label = `${e.artists.join(', ')} - ${e.title}`.replace(/[\r\n]+/g, ' ');
    lines.push(`#EXTINF:${seconds},${label}`);
    lines.push(path.relative(base, e.path).split(path.sep).join('/'));
  }
  return `${lines.join('\n')}\n`;
}

/** Rewrites the playlist file atomically: a player reading it never sees half a list. */
export async function writeM3u8(playlistFile: string, entries: M3uEntry[]): Promise<void> {
  await writeFileAtomic(playlistFile, renderM3u8(entries, playlistFile));
}
