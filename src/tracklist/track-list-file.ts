/**
 * Track lists from anywhere: a CSV export (Exportify, TuneMyMusic, Soundiiz) or a plain text list
 * becomes a job like a playlist. The job's link is the file's `file:` URL (with `?name=` when the
 * owner named it), so the engine, the resume logic and the bot treat it as any other link.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../domain/errors.js';
import type { SourceListing } from '../domain/track.js';
import type { PlaylistSource } from '../engine/ports.js';
import { parseCsvTrackList, TrackListFormatError, type ParsedTrackList } from './csv-list.js';
import { isTrackListLink, trackListLink } from './link.js';
import { parseTextTrackList } from './text-list.js';

/** Larger than any real export (10,000 rows of Exportify with all columns is ~4 MB). */
export const MAX_TRACK_LIST_BYTES = 8 * 1024 * 1024;
const LISTED_PROBLEMS = 10;

export { isTrackListLink, trackListLink };

/** The file name a list looks like: .csv/.tsv → CSV, anything else → text. */
export function parseTrackList(text: string, fileName: string): ParsedTrackList {
  if (/\.(csv|tsv)$/i.test(fileName)) return parseCsvTrackList(text);
  // A text file whose first line is a CSV header (a renamed export) is read as CSV too.
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (/(^|[,;\t"])\s*(track name|title|artist name\(s\)|track uri)\s*("|[,;\t]|$)/i.test(first)) return parseCsvTrackList(text);
  return parseTextTrackList(text);
}

export async function readTrackListFile(link: string): Promise<SourceListing> {
  const url = new URL(link);
  const file = fileURLToPath(new URL(`${url.protocol}//${url.host}${url.pathname}`));
  const given = url.searchParams.get('name');
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new UserError(`${file} is not a file.`, 'Give the path of a CSV export or a text list.');
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `There is no file ${file}.` : `Cannot read ${file} (${code ?? 'error'}).`,
      'Check the path; a track list is a CSV export (Exportify, TuneMyMusic, Soundiiz) or a text file with one "Artist - Title" per line.',
      { cause: err },
    );
  }
  if (size > MAX_TRACK_LIST_BYTES) {
    throw new UserError(`${path.basename(file)} is ${(size / 1024 / 1024).toFixed(1)} MB: a track list is at most ${MAX_TRACK_LIST_BYTES / 1024 / 1024} MB.`, 'Split it into smaller lists.');
  }
  const bytes = await readFile(file);
  const text = bytes.toString('utf8');
  let parsed: ParsedTrackList;
  try {
    parsed = parseTrackList(text, file);
  } catch (err) {
    if (err instanceof TrackListFormatError) throw new UserError(`${path.basename(file)}: ${err.message}.`, undefined, { cause: err });
    throw err;
  }
  return listingFromTrackList(parsed, { fileName: path.basename(file), name: given, contentHash: createHash('sha256').update(bytes).digest('hex') });
}

/** Pure: parsed rows → a listing; every problem row named with its line, the count of the rest. */
export function listingFromTrackList(parsed: ParsedTrackList, file: { fileName: string; name: string | null; contentHash: string }): SourceListing {
  const name = file.name ?? parsed.playlistName ?? (file.fileName.replace(/\.(csv|tsv|txt|text|list|m3u8?)$/i, '') || 'Track list');
  if (parsed.tracks.length === 0) {
    const why = parsed.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ');
    throw new UserError(`${file.fileName} has no usable track${why ? ` (${why})` : ''}.`, 'A text list has one "Artist - Title" per line; a CSV needs track name and artist columns.');
  }
  const warnings: string[] = [];
  const label = { exportify: 'an Exportify CSV', tunemymusic: 'a TuneMyMusic CSV', soundiiz: 'a Soundiiz CSV', csv: 'a CSV file', text: 'a text list' }[parsed.format];
  warnings.push(`Read from ${label} (${file.fileName}).`);
  if (parsed.problems.length > 0) {
    const shown = parsed.problems.slice(0, LISTED_PROBLEMS).map((p) => `line ${p.line}: ${p.message}`);
    const more = parsed.problems.length - shown.length;
    warnings.push(
      `${parsed.problems.length} row${parsed.problems.length === 1 ? '' : 's'} with a problem — ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
    );
  }
  const withIsrc = parsed.tracks.filter((t) => t.isrc !== null).length;
  if (withIsrc === 0) warnings.push('No ISRC codes in the list, so files are matched by artist, title and length.');
  return {
    source: { type: 'playlist', id: `list-${file.contentHash.slice(0, 18)}`, name, total: parsed.tracks.length, backend: 'file' },
    tracks: parsed.tracks,
    warnings,
  };
}

/** The engine's PlaylistSource that also reads `file:` track lists; everything else goes to Spotify. */
export function withTrackLists<S extends PlaylistSource>(source: S): PlaylistSource {
  return {
    load: (link, options) => (isTrackListLink(link) ? readTrackListFile(link) : source.load(link, options)),
  };
}
