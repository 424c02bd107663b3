/**
 * Where the DJ's computer finds a library file. Crate often runs on a server while the DJ plays from
 * a Mac, a PC or a USB stick with a copy of the folder: DJ_MUSIC_ROOT says where DOWNLOAD_FOLDER
 * is seen there ("/Volumes/DJUSB/Crate", "D:\Crate"); without it the server's own paths are used.
 * Pure.
 */
import path from 'node:path';

/** The file's path on the DJ's computer, with forward slashes. */
export function djPath(file: string, libraryRoot: string, musicRoot: string | null): string {
  const abs = path.resolve(file);
  if (!musicRoot) return abs.split(path.sep).join('/');
  const rel = path.relative(path.resolve(libraryRoot), abs).split(path.sep);
  const root = musicRoot.replace(/\\/g, '/').replace(/\/+$/, '');
  return [root, ...rel].join('/');
}

/**
 * Rekordbox's Location: `file://localhost/` + the path, each segment percent-encoded as UTF-8 (a
 * Windows drive such as "C:" stays as it is).
 */
export function rekordboxLocation(djFile: string): string {
  const segments = djFile.split('/').filter((s, i) => s !== '' || i === 0);
  const encoded = segments.map((s, i) => (i <= 1 && /^[A-Za-z]:$/.test(s) ? s : encodeURIComponent(s)).replace(/'/g, '%27'));
  const joined = encoded.join('/');
  return `file://localhost${joined.startsWith('/') ? '' : '/'}${joined}`;
}

/** Traktor's LOCATION: VOLUME (a macOS volume name or a Windows drive), DIR as "/:a/:b/:", FILE. */
export interface TraktorLocation {
  volume: string;
  dir: string;
  file: string;
  /** PRIMARYKEY KEY of a playlist entry: VOLUME + DIR + FILE. */
  key: string;
}

export function traktorLocation(djFile: string): TraktorLocation {
  let parts = djFile.split('/').filter((s) => s !== '');
  let volume = '';
  if (/^[A-Za-z]:$/.test(parts[0] ?? '')) {
    volume = parts[0]!;
    parts = parts.slice(1);
  } else if (parts[0] === 'Volumes' && parts.length > 2) {
    volume = parts[1]!;
    parts = parts.slice(2);
  }
  const file = parts.pop() ?? '';
  const dir = `/:${parts.map((p) => `${p}/:`).join('')}`;
  return { volume, dir, file, key: `${volume}${dir}${file}` };
}
