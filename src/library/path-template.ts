import path from 'node:path';
import type { OrganizeBy } from '../domain/job.js';
import type { TrackInfo } from '../domain/track.js';
import { sanitizeComponent } from './sanitize.js';

export const DEFAULT_FILE_TEMPLATE = '{artists} - {title}';
export const TEMPLATE_FIELDS = ['playlist', 'artists', 'artist', 'title', 'album', 'year', 'position', 'isrc'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export interface PathSpec {
  outputDir: string;
  playlistName: string;
  /** Tracks in the playlist: `{position}` is zero-padded to its width (at least 2 digits). */
  playlistSize: number;
  template: string;
  organizeBy: OrganizeBy;
  yearFolders: boolean;
  extension?: string;
}

/** The fields of a template that Crate does not know, e.g. ["{genre}"]. */
export function unknownTemplateFields(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)]
    .filter((m) => !(TEMPLATE_FIELDS as readonly string[]).includes(m[1]!))
    .map((m) => m[0]);
}

/** Field values of a track, as they appear in names (before sanitising). */
export function templateValues(track: TrackInfo, playlistName: string, playlistSize: number): Record<TemplateField, string> {
  const width = Math.max(2, String(Math.max(1, playlistSize)).length);
  return {
    playlist: playlistName,
    artists: track.artists.length > 0 ? track.artists.join(', ') : 'Unknown Artist',
    artist: track.artists[0] ?? 'Unknown Artist',
    title: track.title || 'Unknown Title',
    album: track.album ?? 'Unknown Album',
    year: track.releaseYear !== null ? String(track.releaseYear) : 'Unknown Year',
    position: String(track.position).padStart(width, '0'),
    isrc: track.isrc ?? '',
  };
}

/**
 * Renders the template for one track into path components. Values are sanitised before they are
 * put in, so a "/" in a title can never create a folder; a "/" in the template itself can.
 */
export function renderTemplate(template: string, values: Record<TemplateField, string>): string[] {
  const parts = (template.trim() || DEFAULT_FILE_TEMPLATE).split(/[/\\]/);
  const out: string[] = [];
  for (const part of parts) {
    const filled = part.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
      (TEMPLATE_FIELDS as readonly string[]).includes(name) ? safeValue(values[name as TemplateField]) : '',
    );
    const tidy = tidySeparators(filled);
    if (tidy && !/^[\s.]+$/.test(tidy)) out.push(tidy); // "." and ".." in a template are not folders
  }
  return out.length > 0 ? out : [safeValue(values.title)];
}

/** Full path of a track's file: output dir / organising folder / year folder / template (+ extension). */
export function trackPath(spec: PathSpec, track: TrackInfo): string {
  const ext = spec.extension ?? '.flac';
  const values = templateValues(track, spec.playlistName, spec.playlistSize);
  const folders: string[] = [];
  if (spec.organizeBy === 'playlist') folders.push(values.playlist);
  else if (spec.organizeBy === 'artist') folders.push(values.artist);
  else if (spec.organizeBy === 'album') folders.push(values.album);
  if (spec.yearFolders) folders.push(values.year);
  const rendered = renderTemplate(spec.template, values);
  const fileStem = rendered.pop()!;
  const dirs = [...folders, ...rendered].map((f) => sanitizeComponent(f));
  const file = sanitizeComponent(fileStem, { extension: ext });
  const full = path.join(path.resolve(spec.outputDir), ...dirs, file);
  // Belt and braces: sanitising makes this impossible, but a library write outside the folder must never happen.
  if (!isInside(path.resolve(spec.outputDir), full)) throw new Error(`Refusing a path outside the output folder: ${full}`);
  return full;
}

/** Where files that failed verification wait for the owner, inside the playlist's folder. */
export const QUARANTINE_DIR = '_quarantine';

/** The playlist's own folder (where `_quarantine/` and, when organised by playlist, the m3u8 live). */
export function playlistDir(outputDir: string, playlistName: string): string {
  return path.join(path.resolve(outputDir), sanitizeComponent(playlistName));
}

export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Separators inside a value ("AC/DC") must not become folders: the template was split before filling in. */
function safeValue(v: string): string {
  return v.replace(/\s*[/\\]\s*/g, (m) => (m.trim() === m ? '-' : ' - '));
}

/** Removes what empty fields leave behind: " - - ", leading/trailing " - ", "()" and "[]". */
function tidySeparators(s: string): string {
  return s
    .replace(/\(\s*\)|\[\s*\]/g, '')
    .replace(/(\s-\s*)+(?=\s-\s)/g, '')
    .replace(/^\s*-\s+|\s+-\s*$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
