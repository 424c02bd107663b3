/**
 * Reads @LosslessRobot's button texts: track rows "Artist - Title [m:ss]" (also h:mm:ss, titles
 * with " - " or "[Karaoke Version]") and the service buttons around them (paging, download page,
 * quality menu, back, premium promo, "please wait").
 */

export type MenuButtonKind = 'track' | 'paging' | 'download-page' | 'quality' | 'back' | 'promo' | 'wait' | 'other';

export interface MenuTrackRow {
  artist: string;
  title: string;
  /** Length as shown (whole seconds), null when the row shows none. */
  durationMs: number | null;
}

export type MenuButton = { kind: 'track'; text: string; row: MenuTrackRow } | { kind: Exclude<MenuButtonKind, 'track'>; text: string };

const DURATION_SUFFIX = /\s*\[\s*(?:(\d{1,2}):)?(\d{1,3}):(\d{2})\s*\]\s*$/;
const ARTIST_TITLE_SEP = /\s+[-–—]\s+/;
// Emoji the bot uses on service buttons; a track row never starts with them.
const SERVICE_EMOJI = /^[\s]*(?:📼|💿|📀|💾|😎|⏳|🔄|✅|⬅️?|➡️?|◀️?|▶️?)/u;

/** Parses "Artist - Title [m:ss]" (or [h:mm:ss]); null when the text is not a track row. */
export function parseTrackRow(text: string): MenuTrackRow | null {
  const t = text.trim();
  if (SERVICE_EMOJI.test(t)) return null;
  const m = DURATION_SUFFIX.exec(t);
  const body = m ? t.slice(0, m.index) : t;
  const sep = ARTIST_TITLE_SEP.exec(body);
  if (!sep) return null;
  const artist = body.slice(0, sep.index).trim();
  const title = body.slice(sep.index + sep[0].length).trim();
  if (!artist || !title) return null;
  let durationMs: number | null = null;
  if (m) {
    const h = Number(m[1] ?? 0);
    const min = Number(m[2]);
    const sec = Number(m[3]);
    if (sec < 60) durationMs = ((h * 60 + min) * 60 + sec) * 1000;
  }
  return { artist, title, durationMs };
}

/** Classifies one button text. Service buttons are never picked as a track. */
export function classifyButton(text: string): MenuButton {
  const t = text.trim();
  const lower = t.toLowerCase();
  // A row with a length suffix is a track whatever its words ("Lighthouse Family - High [5:10]").
  const timed = DURATION_SUFFIX.test(t) ? parseTrackRow(t) : null;
  if (timed?.durationMs != null) return { kind: 'track', text, row: timed };
  if (/premium|подключить|скидк|подписк|subscribe/i.test(t)) return { kind: 'promo', text };
  if (/подождите|скоро скачается|please wait|загружается/i.test(t)) return { kind: 'wait', text };
  if (/💾|скачать страницу|download page|download all/i.test(t)) return { kind: 'download-page', text };
  if (/назад|^back$|^[←⬅◀«]\s*back$/i.test(t)) return { kind: 'back', text };
  if (/^[◉●○•◦⦿·]$/u.test(t) || /^\d+\s*\/\s*\d+$/.test(t) || /^[←→⬅➡◀▶«»<>]+\ufe0f?$/u.test(t)) return { kind: 'paging', text };
  if (/^(next|prev|previous|далее|вперёд|вперед|следующая)\b/i.test(lower)) return { kind: 'paging', text };
  if (/📼|💿|📀/u.test(t) || (/\b(low|high|max|lossless|hi-?res)\b/i.test(t) && /(\d+\s*bit|khz|✅)/i.test(t)) || /^(low|high|max)$/i.test(t)) {
    return { kind: 'quality', text };
  }
  const row = parseTrackRow(t);
  if (row) return { kind: 'track', text, row };
  return { kind: 'other', text };
}
