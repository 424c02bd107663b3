/** Small text helpers for bot messages (plain text: no parse mode, so titles need no escaping). */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** "42 s", "3 min 05 s", "2 h 04 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "m:ss" for a track length. */
export function formatTrackLength(ms: number | null): string {
  if (ms === null || ms <= 0) return '?:??';
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function trackLabel(track: { artists: string[]; title: string }, max = 60): string {
  const artists = track.artists.length > 0 ? `${track.artists.join(', ')} – ` : '';
  return truncate(`${artists}${track.title}`, max);
}

/**
 * For a row on a phone line: the title first (it is what tells tracks apart), then the artists
 * when they fit.
 */
export function titleFirstLabel(track: { artists: string[]; title: string }, max: number): string {
  const artists = track.artists.join(', ');
  return truncate(artists ? `${track.title} – ${artists}` : track.title, max);
}

/** Telegram's limit is 4096 characters; keep a margin and say what was cut. */
export function fitMessage(lines: string[], max = 3900): string {
  const out: string[] = [];
  let length = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (length + line.length + 1 > max) {
      out.push(`… and ${lines.length - i} more lines`);
      break;
    }
    out.push(line);
    length += line.length + 1;
  }
  return out.join('\n');
}
