/**
 * Our own document downloader over upload.GetFile (GramJS's downloadMedia fetches one 128 KB part
 * at a time, resolves before the file is on disk and does not handle FILE_REFERENCE_EXPIRED).
 *
 * - Parts of 512 KiB or 1 MiB (Telegram: the limit divides 1 MiB, so a part never crosses a 1 MiB
 *   boundary), several in flight over the DC's sender (`client.getSender` + `invokeWithSender`,
 *   the path GramJS's own downloads take). The sender is borrowed again before every part, as
 *   GramJS's own downloader does: each borrow re-arms GramJS's 30 s release timer, so the sender
 *   stays up for the whole download however long it takes.
 * - Every borrow and every part has a deadline (GramJS has none: a borrow on a dead link loops,
 *   a part on a black-holed link never answers). A miss, a dropped sender or a server error is
 *   transient: wait (with backoff) and ask for the part again, going on from the `.part`.
 * - At most N downloads per DC at once (DownloadSlots, shared by the account).
 * - A short flood wait on upload.GetFile (FLOOD_PREMIUM_WAIT_X, Telegram's download slow-down) is
 *   waited out here. GramJS turns FLOOD_PREMIUM_WAIT_X into the same FloodWaitError as
 *   FLOOD_WAIT_X (the code is lost), so "short" is the test: up to SHORT_FLOOD_SECONDS.
 * - Parts are written positionally into `NAME.part`, but committed in order: a part that arrives
 *   early waits in memory (at most a window of parts) until the ones before it are written. So the
 *   `.part` file never has a gap, its length is the resume point after a crash or kill (rounded
 *   down to whole parts), and memory stays flat whatever the file size.
 * - `NAME.part.meta` names the document the `.part` belongs to, so a retry that got another file
 *   for the same target never splices two files together.
 * - FILE_MIGRATE_X → borrow the sender of DC X and go on; FILE_REFERENCE_EXPIRED → re-fetch the
 *   message (once for all parts in flight) and go on; FloodWait → domain FloodWaitError (the .part
 *   stays for the next run).
 * - Size checked against the document, fsync, then an atomic rename.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import bigInt from 'big-integer';
import { Api, errors, type TelegramClient } from 'telegram';
import { FloodWaitError, TelegramUnreachableError, errorMessage } from '../domain/errors.js';
import type { DownloadOptions, DownloadResult } from '../domain/telegram.js';
import { DeadlineError, pause, withDeadline } from './deadline.js';
import type { DownloadSlots } from './download-slots.js';

export interface DownloadArgs {
  /** The message carrying the document. */
  message: Api.Message;
  /** Re-reads the message (fresh file reference) when Telegram says the reference expired. */
  refetch: () => Promise<Api.Message>;
  targetPath: string;
  options: DownloadOptions;
  /** Downloads at once per DC, shared by the account (none: no limit). */
  slots?: DownloadSlots;
  timing?: Partial<DownloadTiming>;
}

export interface DownloadTiming {
  /** Borrowing the DC's sender (connect + auth export on another DC). */
  borrowTimeoutMs: number;
  /** One part, from request to its last byte. */
  partTimeoutMs: number;
  /** Waits between transient failures of one part; after the last, the download gives up. */
  retryDelaysMs: number[];
}

export const DEFAULT_DOWNLOAD_TIMING: DownloadTiming = {
  borrowTimeoutMs: 30_000,
  partTimeoutMs: 60_000,
  retryDelaysMs: [1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 30_000, 30_000],
};

/** Flood waits on a part up to this long are waited out inside the downloader. */
export const SHORT_FLOOD_SECONDS = 60;

const KiB = 1024;
const MiB = 1024 * KiB;
const DEFAULT_PART_SIZE = MiB;
const DEFAULT_PARALLEL = 4;
const MAX_REFERENCE_REFRESHES = 5;
const MAX_DC_MIGRATIONS = 3;

type Sender = Awaited<ReturnType<TelegramClient['getSender']>>;

interface PartMeta {
  documentId: string;
  size: number;
  partSize: number;
}

/** `client` may be a function: the gateway replaces its client after an outage, and parts go on on the new one. */
export async function downloadDocumentInParts(
  client: TelegramClient | (() => TelegramClient),
  args: DownloadArgs,
): Promise<DownloadResult> {
  const currentClient = typeof client === 'function' ? client : () => client;
  const timing = { ...DEFAULT_DOWNLOAD_TIMING, ...args.timing };
  const { targetPath, options } = args;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (partSize !== 512 * KiB && partSize !== MiB) {
    throw new Error(`download part size must be 512 KiB or 1 MiB, got ${partSize} bytes`);
  }
  const parallel = Math.max(1, Math.min(16, Math.floor(options.parallelParts ?? DEFAULT_PARALLEL)));
  const signal = options.signal;
  signal?.throwIfAborted();

  let document = documentOf(args.message);
  const documentId = document.id.toString();
  const size = document.size.toJSNumber();
  const partCount = Math.ceil(size / partSize);
  const partPath = `${targetPath}.part`;
  const metaPath = `${targetPath}.part.meta`;
  const meta: PartMeta = { documentId, size, partSize };

  await mkdir(dirname(targetPath), { recursive: true });
  const resumeBytes = await resumePoint(partPath, metaPath, meta);
  if (resumeBytes === 0) await writeFile(metaPath, JSON.stringify(meta));

  const file = await open(partPath, resumeBytes > 0 ? 'r+' : 'w');
  let committedBytes = resumeBytes;
  const onDone: (() => void)[] = [];
  try {
    // Drop a partly written part past the last whole one (a kill in the middle of a write).
    await file.truncate(resumeBytes);

    let location = fileLocation(document);
    let dcId = document.dcId;
    let releaseSlot = args.slots ? await args.slots.acquire(dcId, signal, options.onQueued) : () => undefined;
    onDone.push(() => releaseSlot());
    let refreshes = 0;
    let migrations = 0;
    let refreshing: Promise<void> | null = null;
    let migrating: Promise<void> | null = null;

    const firstPart = resumeBytes / partSize;
    let nextToFetch = firstPart;
    let nextToCommit = firstPart;
    const ready = new Map<number, Buffer>();
    let failure: unknown = null;
    // (slot release registered above runs when the download ends, whatever the outcome)
    let wake: (() => void)[] = [];
    const wakeAll = () => {
      const waiting = wake;
      wake = [];
      for (const w of waiting) w();
    };
    const onAbort = () => wakeAll();
    signal?.addEventListener('abort', onAbort);
    const stopped = () => failure !== null || signal?.aborted === true;
    if (resumeBytes > 0) options.onProgress?.({ receivedBytes: resumeBytes, totalBytes: size });

    /** Borrows the DC's sender (every time: that keeps GramJS from releasing it under us). */
    const borrow = async (dc: number): Promise<Sender> => {
      return withDeadline(currentClient().getSender(dc), timing.borrowTimeoutMs, `borrowing the DC ${dc} sender`, signal);
    };

    /** Asks for one part, following DC migrations and expired references. */
    const fetchPart = async (index: number): Promise<Buffer> => {
      const offset = index * partSize;
      for (let transient = 0; ; ) {
        const usedLocation = location;
        const usedDc = dcId;
        try {
          const sender = await borrow(usedDc);
          const result = await withDeadline(
            currentClient().invokeWithSender(new Api.upload.GetFile({ location: usedLocation, offset: bigInt(offset), limit: partSize }), sender),
            timing.partTimeoutMs,
            `part ${index} of document ${documentId}`,
            signal,
          );
          transient = 0;
          if (!(result instanceof Api.upload.File)) {
            throw new Error(`download of document ${documentId}: CDN redirects are not supported`);
          }
          return result.bytes;
        } catch (err) {
          if (stopped()) throw err;
          if (err instanceof errors.FileMigrateError) {
            // Every part in flight hears it: one migration for all of them.
            if (dcId === usedDc && !migrating) {
              if (++migrations > MAX_DC_MIGRATIONS) throw err;
              const target = err.newDc;
              migrating = (async () => {
                const next = args.slots ? await args.slots.acquire(target, signal, options.onQueued) : () => undefined;
                releaseSlot();
                releaseSlot = next;
                dcId = target;
              })().finally(() => {
                migrating = null;
              });
            }
            await migrating;
            continue;
          }
          if (isRpc(err, 'FILE_REFERENCE_EXPIRED') || isRpc(err, 'FILE_REFERENCE_INVALID')) {
            if (location === usedLocation) {
              if (++refreshes > MAX_REFERENCE_REFRESHES) throw err;
              refreshing ??= (async () => {
                const fresh = documentOf(await args.refetch());
                if (fresh.id.toString() !== documentId) {
                  throw new Error(`download of document ${documentId}: the message now holds another document`);
                }
                document = fresh;
                location = fileLocation(fresh);
              })().finally(() => {
                refreshing = null;
              });
            }
            await refreshing;
            continue;
          }
          if (err instanceof errors.FloodWaitError && err.seconds <= SHORT_FLOOD_SECONDS) {
            // A download slow-down (FLOOD_PREMIUM_WAIT): wait here, not a job-level flood wait.
            await pause(err.seconds * 1000, signal);
            continue;
          }
          if (isTransient(err)) {
            const wait = timing.retryDelaysMs[transient++];
            if (wait === undefined) {
              throw new TelegramUnreachableError(`download of document ${documentId} stalled: ${errorMessage(err)}`, { cause: err });
            }
            await pause(wait, signal);
            continue;
          }
          throw err;
        }
      }
    };

    let writing: Promise<void> = Promise.resolve();
    /** Writes every ready part that continues the on-disk prefix, in order. */
    const commit = () => {
      writing = writing.then(async () => {
        while (ready.has(nextToCommit) && failure === null) {
          const bytes = ready.get(nextToCommit)!;
          ready.delete(nextToCommit);
          await writeFully(file, bytes, nextToCommit * partSize);
          nextToCommit++;
          committedBytes += bytes.length;
          options.onProgress?.({ receivedBytes: committedBytes, totalBytes: size });
        }
        wakeAll();
      });
      return writing;
    };

    const worker = async () => {
      while (!stopped() && nextToFetch < partCount) {
        // Bound what waits in memory: never run more than a window ahead of the disk.
        if (nextToFetch >= nextToCommit + 2 * parallel) {
          await new Promise<void>((resolve) => wake.push(resolve));
          continue;
        }
        const index = nextToFetch++;
        try {
          const bytes = await fetchPart(index);
          const expected = Math.min(partSize, size - index * partSize);
          if (bytes.length !== expected) {
            throw new Error(
              `download of document ${documentId}: part ${index} has ${bytes.length} bytes, expected ${expected} ` +
                `(document size ${size})`,
            );
          }
          if (stopped()) return;
          ready.set(index, bytes);
          await commit();
        } catch (err) {
          failure ??= err;
          wakeAll();
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, partCount - firstPart)) }, worker));
      await writing;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }

    // Cancellation wins over the errors it caused in parts still in flight.
    signal?.throwIfAborted();
    if (failure !== null) throw mapFailure(failure, documentId);

    await file.sync();
  } catch (err) {
    for (const done of onDone) done();
    await file.close().catch(() => undefined);
    if (err instanceof SizeMismatchError) await discard(partPath, metaPath);
    throw err;
  }
  for (const done of onDone) done();
  await file.close();

  const onDisk = (await stat(partPath)).size;
  if (onDisk !== size) {
    await discard(partPath, metaPath);
    throw new SizeMismatchError(`download of document ${documentId}: ${onDisk} bytes on disk, document says ${size}`);
  }
  await rename(partPath, targetPath);
  await syncDirectory(dirname(targetPath));
  await rm(metaPath, { force: true });
  return { path: targetPath, sizeBytes: size, resumedFromBytes: resumeBytes };
}

/** The bytes of an earlier run that can be kept: whole parts of the same document only. */
async function resumePoint(partPath: string, metaPath: string, meta: PartMeta): Promise<number> {
  let existing: number;
  try {
    existing = (await stat(partPath)).size;
  } catch {
    return 0;
  }
  let saved: Partial<PartMeta> | null = null;
  try {
    saved = JSON.parse(await readFile(metaPath, 'utf8')) as Partial<PartMeta>;
  } catch {
    saved = null;
  }
  const sameFile = saved !== null && saved.documentId === meta.documentId && saved.size === meta.size;
  if (!sameFile || existing > meta.size) {
    await rm(partPath, { force: true });
    return 0;
  }
  // Parts are committed in order, so the file is a gap-free prefix; keep its whole parts.
  return Math.floor(existing / meta.partSize) * meta.partSize;
}

function documentOf(message: Api.Message): Api.Document {
  const media = message.media;
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) return media.document;
  throw new Error(`message ${message.id} carries no document`);
}

function fileLocation(document: Api.Document): Api.InputDocumentFileLocation {
  return new Api.InputDocumentFileLocation({
    id: document.id,
    accessHash: document.accessHash,
    fileReference: document.fileReference,
    thumbSize: '',
  });
}

export class SizeMismatchError extends Error {
  override readonly name = 'SizeMismatchError';
}

function mapFailure(err: unknown, documentId: string): unknown {
  if (err instanceof errors.FloodWaitError) {
    return new FloodWaitError(err.seconds, `download of document ${documentId}`, { cause: err });
  }
  if (err instanceof Error && err.message.includes(' bytes, expected ')) return new SizeMismatchError(err.message, { cause: err });
  return err;
}

function isRpc(err: unknown, code: string): boolean {
  return err instanceof errors.RPCError && err.errorMessage === code;
}

/**
 * Worth asking again: Telegram's own hiccups, a part or borrow past its deadline, and a sender
 * GramJS dropped or is reconnecting ("Cannot send requests while disconnected", a socket closed).
 * RPC answers other than the listed ones are Telegram's final word.
 */
function isTransient(err: unknown): boolean {
  if (err instanceof errors.ServerError) return true;
  if (err instanceof errors.RPCError) return ['TIMEOUT', 'RPC_CALL_FAIL', 'RPC_MCGET_FAIL'].includes(err.errorMessage);
  if (err instanceof DeadlineError) return true;
  // Our own findings about the file are final.
  if (err instanceof Error && err.message.startsWith('download of document')) return false;
  return err instanceof Error || typeof err === 'string';
}

async function writeFully(file: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let written = 0; written < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

async function discard(partPath: string, metaPath: string): Promise<void> {
  await rm(partPath, { force: true });
  await rm(metaPath, { force: true });
}

/** Makes the rename durable; not every platform lets a directory be fsynced, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
