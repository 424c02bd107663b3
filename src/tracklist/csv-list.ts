/**
 * Pure: a CSV track list → tracks, with every unusable row reported by its line number. Reads the
 * columns the common exporters write, whatever their order and case:
 *   Exportify:   "Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album Name","Album Release Date",
 *                "Track Duration (ms)" (newer: "Duration (ms)", "Release Date"),…,"ISRC"
 *   TuneMyMusic: "Track name","Artist name","Album","Playlist name","Type","ISRC","Spotify - id"
 *   Soundiiz:    "title","artist","album","isrc" (and sometimes "duration")
 * Comma, semicolon or tab separated; a BOM and CRLF line ends are fine. Parsing by csv-parse (bounded
 * by the file size the caller allows and by MAX_ROWS here).
 */
import { parse } from 'csv-parse/sync';
import type { TrackInfo } from '../domain/track.js';
import { durationMsOf, headerKey, isrcOf, splitArtists, spotifyTrackId, yearOf } from './row-fields.js';

export const MAX_ROWS = 10_000;

export type CsvFormat = 'exportify' | 'tunemymusic' | 'soundiiz' | 'csv';

export interface RowProblem {
  line: number;
  message: string;
}

export interface ParsedTrackList {
  format: CsvFormat | 'text';
  tracks: TrackInfo[];
  problems: RowProblem[];
  /** The playlist name when the file names one (TuneMyMusic's "Playlist name" column). */
  playlistName: string | null;
}

const COLUMNS = {
  title: ['trackname', 'title', 'name', 'songname', 'song', 'track'],
  artists: ['artistnames', 'artistname', 'artists', 'artist', 'trackartists'],
  artistUris: ['artisturis', 'artisturi'],
  album: ['albumname', 'album', 'albumtitle'],
  durationMs: ['trackdurationms', 'durationms', 'lengthms'],
  duration: ['duration', 'length', 'time', 'tracklength'],
  isrc: ['isrc', 'trackisrc'],
  uri: ['trackuri', 'spotifyuri', 'uri', 'spotifyid', 'spotifytrackid', 'spotifyurl', 'trackid', 'url'],
  releaseDate: ['albumreleasedate', 'releasedate', 'year', 'date'],
  playlist: ['playlistname', 'playlist'],
} as const;

type Field = keyof typeof COLUMNS;

export class TrackListFormatError extends Error {}

export function parseCsvTrackList(text: string): ParsedTrackList {
  const delimiter = guessDelimiter(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      to: MAX_ROWS + 1,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new TrackListFormatError(`not a readable CSV file${line ? ` (line ${line})` : ''}: ${(err as Error).message}`, { cause: err });
  }
  if (records.length === 0) throw new TrackListFormatError('the file is empty');
  const header = records[0]!.record.map(headerKey);
  const col = columnIndexes(header);
  if (col.title === undefined || col.artists === undefined) {
    throw new TrackListFormatError(
      `no track and artist columns in the header (found: ${records[0]!.record.slice(0, 8).join(', ') || 'nothing'}). ` +
        'Export the playlist with Exportify, TuneMyMusic or Soundiiz, or write a text list with one "Artist - Title" per line',
    );
  }

  const tracks: TrackInfo[] = [];
  const problems: RowProblem[] = [];
  let playlistName: string | null = null;
  for (const { record, info } of records.slice(1, MAX_ROWS + 1)) {
    const line = info.lines;
    const cell = (f: Field) => (col[f] === undefined ? undefined : record[col[f]!]?.trim());
    const title = cell('title') ?? '';
    const uris = cell('artistUris');
    const artists = splitArtists(cell('artists'), uris ? uris.split(/[,;]/).filter((u) => u.trim() !== '').length : null);
    if (title === '' && artists.length === 0) {
      problems.push({ line, message: 'no track name and no artist' });
      continue;
    }
    if (title === '') {
      problems.push({ line, message: 'no track name' });
      continue;
    }
    if (artists.length === 0) {
      problems.push({ line, message: `"${clip(title)}" has no artist` });
      continue;
    }
    const { isrc, bad } = isrcOf(cell('isrc'));
    if (bad) problems.push({ line, message: `"${clip(title)}": ISRC "${clip(cell('isrc') ?? '')}" is not valid; the track is matched without it` });
    const durationMs = col.durationMs !== undefined ? durationMsOf(cell('durationMs'), 'ms') : durationMsOf(cell('duration'), 'auto');
    playlistName ??= cell('playlist') || null;
    tracks.push({
      position: tracks.length + 1,
      spotifyId: spotifyTrackId(cell('uri')),
      artists,
      title,
      album: cell('album') || null,
      durationMs,
      isrc,
      releaseYear: yearOf(cell('releaseDate')),
    });
  }
  if (records.length > MAX_ROWS + 1) problems.push({ line: records[MAX_ROWS + 1]!.info.lines, message: `more than ${MAX_ROWS} rows: the rest is not read` });
  return { format: formatOf(header), tracks, problems, playlistName };
}

function columnIndexes(header: string[]): Partial<Record<Field, number>> {
  const out: Partial<Record<Field, number>> = {};
  for (const field of Object.keys(COLUMNS) as Field[]) {
    for (const alias of COLUMNS[field]) {
      const i = header.indexOf(alias);
      if (i >= 0 && !Object.values(out).includes(i)) {
        out[field] = i;
        break;
      }
    }
  }
  return out;
}

function formatOf(header: string[]): CsvFormat {
  if (header.includes('trackuri') && header.includes('artistnames')) return 'exportify';
  if (header.includes('trackname') && header.includes('artistname')) return 'tunemymusic';
  if (header.includes('title') && header.includes('artist')) return 'soundiiz';
  return 'csv';
}

/** The separator used most in the first line outside quotes: comma, semicolon or tab. */
function guessDelimiter(text: string): string {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const unquoted = first.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, unquoted.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
