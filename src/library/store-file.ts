
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { numberedName } from './sanitize.js';

/** Errors meaning "this file system has no hard links" (FAT/exFAT USB sticks, some network shares). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);
const MAX_COLLISIONS = 999;
/** Errors of a file system without a copy call (copy_file_range/sendfile), where a plain copy works. */
const NO_COPY = new Set(['ENOSYS', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL']);

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

/*
 * How a final name is claimed — exclusively, never check-then-rename:
 *
 * - Where hard links work, `link(src, name)` is the claim: it creates the name atomically and fails
 *   with EEXIST when it exists, so two writers can never both get it. The source is unlinked after.
 * - Where they do not (FAT/exFAT USB sticks, some shares: EPERM/ENOTSUP…), `open(name, O_CREAT|O_EXCL)`
 *   is the claim: the kernel creates the name only if it does not exist, atomically on every local
 *   file system including vfat and exFAT. Only after the claim succeeded is the file renamed onto its
 *   own (empty) placeholder; nobody else writes to a name they did not claim, so the rename replaces
 *   only our placeholder. A copy (across devices) goes to a short temporary name first and is
 *   renamed onto the placeholder when whole, so the final name never holds half a file.
 *   The one window: a crash between claim and rename leaves an empty file under the final name; it
 *   is never taken for the track (it fails verification) and the next file takes "Name (2).flac".
 * - Temporary names are short (`.crate-XXXXXXXX.tmp`, or shorter than the final name when that is
 *   shorter), in the same folder, created exclusively: a path is never longer than the final one, so
 *   a name at the 255-byte limit (87 Japanese characters) still gets written.
 */

/** A temporary name beside `final`, never longer than it (for names of 2 bytes and more). */
export function temporaryName(final: string): string {
  const dir = path.dirname(final);
  const finalBytes = Buffer.byteLength(path.basename(final), 'utf8');
  const rand = randomBytes(8).toString('hex');
  const name = finalBytes >= 19 ? `.crate-${rand.slice(0, 8)}.tmp` : `.${rand.slice(0, Math.max(1, finalBytes - 1))}`;
  return path.join(dir, name);
}

/** Creates `file` only if it does not exist (O_CREAT|O_EXCL). False when it exists. */
async function claim(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    await handle.close();
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  }
}

/** A new, exclusively created temporary file beside `final`. */
async function claimTemporary(final: string): Promise<string> {
  for (let i = 0; i < 16; i++) {
    const tmp = temporaryName(final);
    if (await claim(tmp)) return tmp;
  }
  throw new Error(`Cannot create a temporary file beside ${final}`);
}

/** Copies `src` onto our claimed placeholder `claimed` through a temporary name (never half a file under `claimed`). */
async function copyOntoClaim(src: string, claimed: string): Promise<void> {
  const tmp = await claimTemporary(claimed);
  try {
    await copyContents(src, tmp);
    await fsyncFile(tmp);
    await rename(tmp, claimed);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** copyFile, or a plain read/write copy where the file system has no copy call (some FUSE drivers: ENOSYS). */
async function copyContents(src: string, dest: string): Promise<void> {
  try {
    await copyFile(src, dest);
  } catch (err) {
    if (!NO_COPY.has(code(err) ?? '')) throw err;
    await pipeline(createReadStream(src), createWriteStream(dest));
  }
}

/** Gives a claimed name back after a failure (it is ours and still the empty placeholder). */
async function release(claimed: string): Promise<void> {
  try {
    if ((await stat(claimed)).size === 0) await unlink(claimed);
  } catch {
    // Already gone.
  }
}

/**
 * Moves a verified file to `dest` without ever overwriting: on a name collision it takes
 * "Name (2).flac", "Name (3).flac"... Each name is claimed exclusively (see above), with or without
 * hard links, and across devices by copy + fsync. The folder is fsynced so the new name survives a
 * crash. Returns the path used.
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
      if (c !== 'EXDEV' && !(c && NO_LINKS.has(c))) throw new Error(`Cannot move ${src} to ${candidate}`, { cause: err });
      if (!(await claim(candidate))) continue;
      try {
        if (c === 'EXDEV') {
          await copyOntoClaim(src, candidate);
          await unlink(src);
        } else {
          await rename(src, candidate);
        }
      } catch (moveErr) {
        await release(candidate);
        throw new Error(`Cannot move ${src} to ${candidate}`, { cause: moveErr });
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
      if (c !== 'EXDEV' && !(c && NO_LINKS.has(c))) throw new Error(`Cannot link ${existing} to ${candidate}`, { cause: err });
      if (!(await claim(candidate))) continue;
      try {
        await copyOntoClaim(existing, candidate);
      } catch (copyErr) {
        await release(candidate);
        throw new Error(`Cannot copy ${existing} to ${candidate}`, { cause: copyErr });
      }
    }
    await fsyncDir(dir);
    return candidate;
  }
  throw new Error(`Too many files named like ${dest}`);
}

/** Writes a whole file under a short temporary name, fsyncs it, renames it over `file`, fsyncs the folder. */
export async function writeFileAtomic(file: string, data: string | Buffer | Iterable<string>): Promise<void> {
  const dir = path.dirname(file);
  await makeDir(dir);
  const tmp = await claimTemporary(file);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDir(dir);
}

/**
 * A text given line by line (a DJ library export of tens of thousands of tracks), as chunks of about
 * `chunkChars` for writeFileAtomic: the file is never one string in memory, and it is not a write
 * call per line either. Each line ends with a newline.
 */
export function* inChunks(lines: Iterable<string>, chunkChars = 64 * 1024): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
