/**
 * Pure helpers shared by the CSV and text track-list readers: cell values → TrackInfo fields, each
 * either a value or a reason the row cannot be used (reported with its line number, never dropped
 * silently).
 */

/** A Spotify track id from a URI, an open.spotify.com link, or a bare 22-character id. */
export function spotifyTrackId(cell: string | undefined): string | null {
  const v = (cell ?? '').trim();
  if (v === '') return null;
  const m = /(?:spotify:track:|open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/)([0-9A-Za-z]{22})/.exec(v) ?? /^([0-9A-Za-z]{22})$/.exec(v);
  return m ? m[1]! : null;
}

const ISRC = /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/;

/** ISRC as Spotify and tags write it (CC-XXX-YY-NNNNN with or without dashes) → 12 characters, or null. */
export function isrcOf(cell: string | undefined): { isrc: string | null; bad: boolean } {
  const v = (cell ?? '').replace(/[\s-]/g, '').toUpperCase();
  if (v === '') return { isrc: null, bad: false };
  return ISRC.test(v) ? { isrc: v, bad: false } : { isrc: null, bad: true };
}

/**
 * A length in ms from "245000" (ms), "245" (seconds), "4:05" or "1:04:05". Columns named "(ms)" are
 * always milliseconds; otherwise a plain number below 10,000 is taken as seconds.
 */
export function durationMsOf(cell: string | undefined, unit: 'ms' | 'auto'): number | null {
  const v = (cell ?? '').trim();
  if (v === '') return null;
  const clock = /^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?:\.\d+)?$/.exec(v);
  if (clock) return ((Number(clock[1] ?? 0) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1000;
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  const n = Number(v);
  if (unit === 'ms' || n >= 10_000) return Math.round(n);
  return Math.round(n * 1000);
}

/** A year from "2019", "2019-05" or "2019-05-17". */
export function yearOf(cell: string | undefined): number | null {
  const m = /^(\d{4})/.exec((cell ?? '').trim());
  return m ? Number(m[1]) : null;
}

/**
 * Artist names as export tools join them. When the row also lists artist URIs, their count decides the
 * separator (so "Tyler, The Creator" stays one artist); otherwise ";" wins, then ", ".
 */
export function splitArtists(cell: string | undefined, uriCount: number | null): string[] {
  const v = (cell ?? '').trim();
  if (v === '') return [];
  const split = (sep: string | RegExp) => v.split(sep).map((s) => s.trim()).filter((s) => s !== '');
  if (uriCount !== null && uriCount > 0) {
    // Exportify joins with a bare "," — a comma followed by a space is more likely inside a name.
    for (const sep of [';', /,(?=\S)/, ', ', ' & ']) {
      const parts = split(sep);
      if (parts.length === uriCount) return parts;
    }
    return uriCount === 1 ? [v] : split(v.includes(';') ? ';' : ', ');
  }
  if (v.includes(';')) return split(';');
  return split(', ');
}

/** Header cell → a comparable key: "Artist Name(s)" → "artistnames", "Spotify - id" → "spotifyid". */
export function headerKey(cell: string): string {
  return cell.replace(/^\uFEFF/, '').toLowerCase().replace(/\(ms\)/g, 'ms').replace(/[^a-z0-9]/g, '');
}
