/**
 * Rewrites a FLAC file's metadata blocks without touching its audio frames. When the new blocks fit
 * in the room the old ones took (using PADDING), only the header bytes are written, in place; else
 * the file is rebuilt under a short temporary name in the same folder (new header + the audio bytes
 * copied as they are), checked, and renamed over the original. Either way the audio region's
 * SHA-256 is compared before and after, and an in-place write that does not check out is undone.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fsyncDir } from '../store-file.js';
import {
  DEFAULT_LAYOUT_LIMITS,
  fitInPlace,
  readFlacLayout,
  serializeLayout,
  withFreshPadding,
  type FlacBlock,
  type FlacLayout,
  type LayoutLimits,
} from './flac-layout.js';

export interface MetadataWrite {
  changed: boolean;
  /** True when only the header bytes were rewritten (audio stayed where it was). */
  inPlace: boolean;
  /** SHA-256 of the audio frames, the same before and after. */
  audioSha256: string;
}

export type ResultCheck = (file: string) => Promise<string | null>;

export class FlacWriteError extends Error {
  override readonly name = 'FlacWriteError';
}

/** SHA-256 of `file` from `offset` to its end, streamed (constant memory). */
export async function hashFrom(file: string, offset: number): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { start: offset, highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

export async function readLayout(file: string, limits: LayoutLimits = DEFAULT_LAYOUT_LIMITS): Promise<FlacLayout> {
  const handle = await open(file, 'r');
  try {
    return await readFlacLayout(handle, limits);
  } finally {
    await handle.close();
  }
}

let tempCounter = 0;
/** Short on purpose: the temporary path is never longer than the file's own name could be. */
function tempName(file: string): string {
  tempCounter = (tempCounter + 1) % 1296;
  return path.join(path.dirname(file), `.t${process.pid.toString(36)}${tempCounter.toString(36)}`);
}

/**
 * Applies `edit` to the file's metadata blocks. `edit` returns the new blocks (STREAMINFO first;
 * PADDING is managed here) or null for "no change".
 */
export async function rewriteFlacMetadata(
  file: string,
  edit: (blocks: FlacBlock[]) => FlacBlock[] | null,
  limits: LayoutLimits = DEFAULT_LAYOUT_LIMITS,
  /** The library's own verification, run on the result before it is committed: a reason, or null when fine. */
  accept?: ResultCheck,
): Promise<MetadataWrite> {
  const before = await readLayout(file, limits);
  const audioBefore = await hashFrom(file, before.audioOffset);
  const wanted = edit(before.blocks.map((b) => ({ type: b.type, data: b.data })));
  if (!wanted) return { changed: false, inPlace: true, audioSha256: audioBefore };

  const fitted = fitInPlace(wanted, before.audioOffset);
  if (fitted) {
    await writeInPlace(file, before, serializeLayout(fitted), audioBefore, limits, accept);
    return { changed: true, inPlace: true, audioSha256: audioBefore };
  }
  await rewriteWhole(file, before.audioOffset, serializeLayout(withFreshPadding(wanted)), audioBefore, limits, accept);
  return { changed: true, inPlace: false, audioSha256: audioBefore };
}

async function writeInPlace(
  file: string,
  before: FlacLayout,
  header: Buffer,
  audioBefore: string,
  limits: LayoutLimits,
  accept: ResultCheck | undefined,
): Promise<void> {
  if (header.length !== before.audioOffset) throw new FlacWriteError('in-place header has the wrong size');
  const original = serializeLayout(before.blocks);
  const handle = await open(file, 'r+');
  try {
    await handle.write(header, 0, header.length, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const problem = (await checkResult(file, before.audioOffset, audioBefore, limits)) ?? (await accept?.(file)) ?? null;
  if (problem) {
    // Put the old header back: the audio was never touched, so the file is as it was.
    const undo = await open(file, 'r+');
    try {
      await undo.write(original, 0, original.length, 0);
      await undo.sync();
    } finally {
      await undo.close();
    }
    throw new FlacWriteError(`metadata write did not check out (${problem}); the file was restored`);
  }
}

async function rewriteWhole(
  file: string,
  audioOffset: number,
  header: Buffer,
  audioBefore: string,
  limits: LayoutLimits,
  accept: ResultCheck | undefined,
): Promise<void> {
  const tmp = tempName(file);
  try {
    const { mode } = await stat(file);
    const out = createWriteStream(tmp, { flags: 'wx', mode });
    await new Promise<void>((resolve, reject) => out.write(header, (err) => (err ? reject(err) : resolve())));
    await pipeline(createReadStream(file, { start: audioOffset, highWaterMark: 1 << 20 }), out);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const problem = (await checkResult(tmp, header.length, audioBefore, limits)) ?? (await accept?.(tmp)) ?? null;
    if (problem) throw new FlacWriteError(`rewritten file did not check out (${problem}); the original is unchanged`);
    await rename(tmp, file);
    await fsyncDir(path.dirname(file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Reads the written file back: its metadata must parse and its audio must hash as before. */
async function checkResult(file: string, expectedOffset: number, audioBefore: string, limits: LayoutLimits): Promise<string | null> {
  let after: FlacLayout;
  try {
    after = await readLayout(file, limits);
  } catch (err) {
    return `metadata unreadable: ${(err as Error).message}`;
  }
  if (after.audioOffset !== expectedOffset) return `audio starts at ${after.audioOffset}, expected ${expectedOffset}`;
  const audioAfter = await hashFrom(file, after.audioOffset);
  return audioAfter === audioBefore ? null : 'audio bytes differ';
}
