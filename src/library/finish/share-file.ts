/**
 * A track already in the library, wanted by another playlist (LINK_MODE): `hardlink` gives the
 * playlist folder its own name for the same file (no extra space; a copy where links are
 * impossible), `copy` gives it an independent copy, `reference` adds no file at all and the
 * playlists point at the one that exists — what DJ software wants, since two names of one file show
 * up as two tracks in its collection.
 */
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LinkMode } from '../../config.js';
import { linkOrCopy, makeDir, moveIntoPlace } from '../store-file.js';

export async function shareFile(existing: string, dest: string, mode: LinkMode): Promise<string> {
  if (mode === 'reference') return existing;
  if (mode === 'hardlink') return linkOrCopy(existing, dest);
  if (path.resolve(existing) === path.resolve(dest)) return existing;
  // Copy under a short temporary name, then claim the final name the way every download does.
  const dir = path.dirname(dest);
  await makeDir(dir);
  const tmp = path.join(dir, `.c${process.pid.toString(36)}${Date.now().toString(36)}`);
  try {
    await copyFile(existing, tmp);
    return await moveIntoPlace(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
}
