/**
 * `crate download FILE`: a CSV export or a text list given where a link goes. A path that exists is
 * a track list (its `file:` link carries `--name`); anything else stays a link for the Spotify parser.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { trackListLink } from '../tracklist/link.js';

export function linkOrTrackList(arg: string, name: string | undefined, cwd: string): string {
  const looksLikeLink = /^(?:https?:\/\/|spotify:)|spotify\.(?:com|link)|spoti\.fi/i.test(arg.trim());
  if (!looksLikeLink) {
    const file = path.resolve(cwd, arg);
    if (existsSync(file)) return trackListLink(file, name);
    if (/\.(csv|tsv|txt)$/i.test(arg)) {
      throw new UserError(`There is no file ${file}.`, 'Give the path of a CSV export (Exportify, TuneMyMusic, Soundiiz) or a text list with one "Artist - Title" per line.');
    }
  }
  if (name !== undefined) throw new UserError('--name names a track list file; a Spotify link brings its own name.', undefined);
  return arg;
}
