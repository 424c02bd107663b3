
import { copyFile, link, mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { numberedName } from './sanitize.js';

/** Errors meaning "this file system has no hard links" (FAT/exFAT USB sticks, some network shares). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);
const MAX_COLLISIONS = 999;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * `mkdir -p` that reports the real reason when it fails: Node's recursive mkdir answers ENOENT on a
 * read-only file system (and where a parent cannot be made), which reads like a bug rather than
 * "read-only". The first missing folder is then made on its own, so its own error (EROFS, EACCES,
 * ENOSPC) comes out with its path.
 */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    return;
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
    let missing = dir;
    for (let parent = path.dirname(missing); parent !== missing && !(await exists(parent)); parent = path.dirname(missing)) missing = parent;
    if (missing === path.dirname(missing)) throw err;
    await mkdir(missing);
  }
  await mkdir(dir, { recursive: true });
}

/** Flushes a folder's entries (the rename itself) to disk; not possible on Windows, where it is skipped. */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if (code(err) === 'ENOENT') return false;
    throw err;
  }
}

export async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function candidates(dest: string): string[] {
  const dir = path.dirname(dest);
  const ext = path.extname(dest);
  const base = path.basename(dest);
  return [dest, ...Array.from({ length: MAX_COLLISIONS - 1 }, (_, i) => path.join(dir, numberedName(base, i + 2, ext)))];
}

/**
 * Moves a verified file to `dest` without ever overwriting: on a name collision it takes
 * "Name (2).flac", "Name (3).flac"... A hard link then unlink is an atomic no-clobber rename; where
 * links are impossible it falls back to check-then-rename, and across devices to copy + fsync.
 * The folder is fsynced so the new name survives a crash. Returns the path used.
 */
export async function moveIntoPlace(src: string, dest: string): Promise<string> {
  const dir = path.dirname(dest);
  await makeDir(dir);
  for (const candidate of candidates(dest)) {
    try {
      await link(src, candidate);
      await unlink(src);
    } catch (err) {
      const c = code(err);
      if (c === 'EEXIST') {
        if (await sameFile(src, candidate)) {
          await unlink(src);
          return candidate;
        }
        continue;
      }
      if (c === 'EXDEV') {
        if (!(await copyExclusive(src, candidate))) continue;
        await unlink(src);
      } else if (c && NO_LINKS.has(c)) {
        if (await exists(candidate)) continue;
        await rename(src, candidate);
      } else {
        throw new Error(`Cannot move ${src} to ${candidate}`, { cause: err });
      }
    }
    await fsyncDir(dir);
    return candidate;
  }
  throw new Error(`Too many files named like ${dest}`);
}

/**
 * Puts an existing library file at `dest` too: a hard link (no extra space), or a copy where links
 * fail. If `dest` already is that file, nothing happens. Returns the path used.
 */
export async function linkOrCopy(existing: string, dest: string): Promise<string> {
  const dir = path.dirname(dest);
  await makeDir(dir);
  for (const candidate of candidates(dest)) {
    if (await sameFile(existing, candidate)) return candidate;
    try {
      await link(existing, candidate);
    } catch (err) {
      const c = code(err);
      if (c === 'EEXIST') continue;
      if (c === 'EXDEV' || (c && NO_LINKS.has(c))) {
        if (!(await copyExclusive(existing, candidate))) continue;
      } else {
        throw new Error(`Cannot link ${existing} to ${candidate}`, { cause: err });
      }
    }
    await fsyncDir(dir);
    return candidate;
  }
  throw new Error(`Too many files named like ${dest}`);
}

/** Copies via a temporary name then renames, so a half copy never carries the final name. False if `dest` exists. */
async function copyExclusive(src: string, dest: string): Promise<boolean> {
  if (await exists(dest)) return false;
  const tmp = `${dest}.crate-copy`;
  await copyFile(src, tmp);
  await fsyncFile(tmp);
  if (await exists(dest)) {
    await unlink(tmp);
    return false;
  }
  await rename(tmp, dest);
  return true;
}

/** Writes a whole file under a temporary name, fsyncs it, renames it over `file`, fsyncs the folder. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  await makeDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(tmp, data);
  await fsyncFile(tmp);
  await rename(tmp, file);
  await fsyncDir(dir);
}

