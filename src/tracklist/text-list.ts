/**
 * Pure: a plain text track list → tracks. One track per line, "Artist - Title" (also with an en or em
 * dash), optionally numbered ("12. ") and ending in a length "[4:05]" or "(4:05)"; several artists
 * joined with ";" or ", " are split. Blank lines and lines starting with "#" are skipped. Anything else
 * (a bare Spotify link included) is a problem reported with its line number.
 */
import type { TrackInfo } from '../domain/track.js';
import { MAX_ROWS, type ParsedTrackList, type RowProblem } from './csv-list.js';
import { durationMsOf, splitArtists, spotifyTrackId } from './row-fields.js';

const MAX_LINE = 1000;

export function parseTextTrackList(text: string): ParsedTrackList {
  const tracks: TrackInfo[] = [];
  const problems: RowProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    if (tracks.length >= MAX_ROWS) {
      problems.push({ line, message: `more than ${MAX_ROWS} tracks: the rest is not read` });
      break;
    }
    if (raw.length > MAX_LINE) {
      problems.push({ line, message: `longer than ${MAX_LINE} characters` });
      continue;
    }
    const parsed = parseLine(raw);
    if ('problem' in parsed) {
      problems.push({ line, message: parsed.problem });
      continue;
    }
    tracks.push({ position: tracks.length + 1, album: null, isrc: null, releaseYear: null, ...parsed });
  }
  return { format: 'text', tracks, problems, playlistName: null };
}

type LineResult = Pick<TrackInfo, 'spotifyId' | 'artists' | 'title' | 'durationMs'> | { problem: string };

function parseLine(raw: string): LineResult {
  const id = spotifyTrackId(raw);
  if (id && /^(?:https?:\/\/|spotify:)/.test(raw)) {
    return { problem: `a Spotify track link: send it to \`crate download\` on its own, or write "Artist - Title" (id ${id})` };
  }
  let rest = raw.replace(/^\d{1,4}[.)]\s+/, ''); // "12. Artist - Title" numbered lists
  let durationMs: number | null = null;
  const len = /\s*[[(](\d{1,2}:\d{2}(?::\d{2})?)[\])]\s*$/.exec(rest);
  if (len) {
    durationMs = durationMsOf(len[1], 'auto');
    rest = rest.slice(0, len.index);
  }
  const m = /^(.+?)\s+[-–—]\s+(.+)$/.exec(rest);
  if (!m) return { problem: `"${rest.slice(0, 60)}" is not "Artist - Title"` };
  const artists = splitArtists(m[1], null);
  const title = m[2]!.trim();
  if (artists.length === 0 || title === '') return { problem: `"${rest.slice(0, 60)}" is not "Artist - Title"` };
  return { spotifyId: null, artists, title, durationMs };
}
