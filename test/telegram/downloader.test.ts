import { existsSync, mkdtempSync, rmSync, statSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FloodWaitError } from '../../src/domain/errors.js';
import type { DownloadProgress } from '../../src/domain/telegram.js';
import { DownloadSlots } from '../../src/telegram/download-slots.js';
import { downloadDocumentInParts, SizeMismatchError } from '../../src/telegram/downloader.js';
import { downloadRig, fileHash, MiB, type DownloadRig } from './downloader-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crate-downloader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rig: DownloadRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 2));
}

const target = (name: string) => join(dir, name, 'Benny Benassi - Satisfaction.flac');

describe('downloadDocumentInParts', () => {
  it('downloads a 50 MB document in 1 MiB parts, several in flight, with progress', async () => {
    rig = await downloadRig({ bytes: 50 * MiB + 12_345 }, { latencyMs: 2 });
    const progress: DownloadProgress[] = [];
    const path = target('fifty');
    const result = await downloadDocumentInParts(rig.client, {
      message: rig.message,
      refetch: rig.refetch,
      targetPath: path,
      options: { onProgress: (p) => progress.push(p) },
    });

    expect(result).toEqual({ path, sizeBytes: rig.size, resumedFromBytes: 0 });
    expect(statSync(path).size).toBe(rig.size);
    expect(await fileHash(path)).toBe(rig.expectedHash());
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(existsSync(`${path}.part.meta`)).toBe(false);

    const parts = rig.client.sim.requests.filter((r) => r.className === 'upload.GetFile');
    expect(parts).toHaveLength(51);
    expect(new Set(parts.map((p) => p.limit))).toEqual(new Set([MiB]));
    expect(rig.client.sim.maxConcurrentGetFile()).toBe(4);
    expect(rig.client.sim.bytesServed()).toBe(rig.size);

    expect(progress).toHaveLength(51);
    expect(progress.at(-1)).toEqual({ receivedBytes: rig.size, totalBytes: rig.size });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.receivedBytes).toBeGreaterThan(progress[i - 1]!.receivedBytes);

    // Still a FLAC music-metadata reads, with the bot's tags.
    const meta = await parseFile(path);
    expect(meta.format.duration).toBeCloseTo(285, 3);
    expect(meta.common.artist).toBe('Benny Benassi');
  });

  it('resumes after a kill mid-download: the .part stays and the next run fetches only the rest', async () => {
    // Uneven round trips: parts finish out of order, so the kill lands with later parts done before earlier ones.
    rig = await downloadRig({ bytes: 24 * MiB + 77 }, { latencyMs: [1, 15] });
    const path = target('resume');
    const controller = new AbortController();
    const first = downloadDocumentInParts(rig.client, {
      message: rig.message,
      refetch: rig.refetch,
      targetPath: path,
      options: {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.receivedBytes >= 10 * MiB) controller.abort();
        },
      },
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const finished = rig.client.sim.requests
      .filter((r) => r.className === 'upload.GetFile' && !r.error)
      .sort((x, y) => x.endedAt! - y.endedAt!)
      .map((r) => r.offset!);
    expect(finished).not.toEqual([...finished].sort((x, y) => x - y)); // really out of order
    expect(existsSync(path)).toBe(false);
    const kept = statSync(`${path}.part`).size;
    expect(kept).toBeGreaterThanOrEqual(10 * MiB);
    expect(kept % MiB).toBe(0);
    const fetchedFirst = rig.client.sim.bytesServed();

    // A kill in the middle of a write leaves half a part behind: it must be dropped, not trusted.
    appendFileSync(`${path}.part`, Buffer.alloc(300_000, 0xee));

    const result = await downloadDocumentInParts(rig.client, {
      message: rig.message,
      refetch: rig.refetch,
      targetPath: path,
      options: {},
    });
    expect(result.resumedFromBytes).toBe(kept);
    const fetchedSecond = rig.client.sim.bytesServed() - fetchedFirst;
    expect(fetchedSecond).toBe(rig.size - kept);
    expect(await fileHash(path)).toBe(rig.expectedHash());
    const resumedAt = rig.client.sim.requests.filter((r) => r.className === 'upload.GetFile').slice(-1 * Math.ceil((rig.size - kept) / MiB));
    expect(Math.min(...resumedAt.map((r) => r.offset!))).toBe(kept);
  });

  it('a download waiting for a slot says so (queued, then started) before its first byte; one that gets a slot at once never does', async () => {
    rig = await downloadRig({ bytes: 4 * MiB }, { latencyMs: 2 });
    const dc = (rig.message.media as unknown as { document: { dcId: number } }).document.dcId;
    const slots = new DownloadSlots(1);
    const log: string[] = [];
    const download = (name: string) =>
      downloadDocumentInParts(rig!.client, {
        message: rig!.message,
        refetch: rig!.refetch,
        targetPath: target(name),
        slots,
        options: {
          onQueued: (queued) => log.push(`${name} ${queued ? 'queued' : 'starts'}`),
          onProgress: (p) => {
            if (!log.includes(`${name} first byte`)) log.push(`${name} first byte`);
            if (p.receivedBytes === p.totalBytes) log.push(`${name} done`);
          },
        },
      });
    // Another download holds the only slot of the file's data centre.
    const releaseOther = await slots.acquire(dc);
    const waiting = download('queued');
    await waitUntil(() => log.length > 0);
    expect(log).toEqual(['queued queued']);
    expect(rig.client.sim.requests.filter((r) => r.className === 'upload.GetFile')).toHaveLength(0);
    releaseOther();
    await waiting;
    expect(log).toEqual(['queued queued', 'queued starts', 'queued first byte', 'queued done']);
    log.length = 0;
    await download('free');
    expect(log).toEqual(['free first byte', 'free done']);
    expect(slots.inUse(dc)).toBe(0);
  });

  it('does not resume a .part that belongs to another document', async () => {
    rig = await downloadRig({ bytes: 3 * MiB });
    const path = target('other-doc');
    const fs = await import('node:fs');
    fs.mkdirSync(join(dir, 'other-doc'), { recursive: true });
    writeFileSync(`${path}.part`, Buffer.alloc(2 * MiB, 1));
    writeFileSync(`${path}.part.meta`, JSON.stringify({ documentId: '42', size: rig.size, partSize: MiB }));
    const result = await downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: path, options: {} });
    expect(result.resumedFromBytes).toBe(0);
    expect(await fileHash(path)).toBe(rig.expectedHash());
  });

  it('re-fetches the message once when the file reference expired, then goes on', async () => {
    rig = await downloadRig({ bytes: 6 * MiB + 5 }, { fileReferenceExpiredOnce: true });
    const path = target('expired');
    await downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: path, options: {} });
    expect(rig.refetches()).toBe(1);
    const errors = rig.client.sim.requests.filter((r) => r.error).map((r) => r.error);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(new Set(errors)).toEqual(new Set(['FILE_REFERENCE_EXPIRED']));
    expect(await fileHash(path)).toBe(rig.expectedHash());
  });

  it('follows FILE_MIGRATE_X to the data centre that holds the file', async () => {
    rig = await downloadRig({ bytes: 5 * MiB }, { migrateDc: 4 });
    const path = target('migrate');
    await downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: path, options: { partSize: 512 * 1024 } });
    const parts = rig.client.sim.requests.filter((r) => r.className === 'upload.GetFile');
    expect(parts.filter((p) => p.error).map((p) => p.error)).toContain('FILE_MIGRATE_4');
    expect(parts.filter((p) => !p.error).every((p) => p.dcId === 4)).toBe(true);
    expect(parts.filter((p) => !p.error)).toHaveLength(10);
    expect(await fileHash(path)).toBe(rig.expectedHash());
  });

  it('rejects a file whose size differs from the document, leaving nothing behind', async () => {
    rig = await downloadRig({ bytes: 2 * MiB + 10 });
    rig.client.sim.misreportSize(rig.documentId, 2 * MiB + 4000);
    const message = await rig.refetch();
    const path = target('mismatch');
    await expect(
      downloadDocumentInParts(rig.client, { message, refetch: rig.refetch, targetPath: path, options: {} }),
    ).rejects.toBeInstanceOf(SizeMismatchError);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.part`)).toBe(false);
  });

  it('a FloodWait becomes the domain FloodWaitError and the .part stays', async () => {
    rig = await downloadRig({ bytes: 8 * MiB }, { latencyMs: 1 });
    const path = target('flood');
    let parts = 0;
    rig.client.sim.handle('upload.GetFile', () => {
      if (++parts === 3) rig!.client.sim.failNext('upload.GetFile', 'FLOOD_WAIT_120', 420);
      return undefined;
    });
    const err = await downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: path, options: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloodWaitError);
    expect((err as FloodWaitError).seconds).toBe(120);
    expect(existsSync(`${path}.part`)).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('cancellation: an aborted signal stops at once; a later abort keeps the .part', async () => {
    rig = await downloadRig({ bytes: 4 * MiB }, { latencyMs: 5 });
    const path = target('cancel');
    await expect(
      downloadDocumentInParts(rig.client, {
        message: rig.message,
        refetch: rig.refetch,
        targetPath: path,
        options: { signal: AbortSignal.abort() },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(rig.client.sim.requests.filter((r) => r.className === 'upload.GetFile')).toHaveLength(0);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 3);
    await expect(
      downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: path, options: { signal: controller.signal, parallelParts: 1 } }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(`${path}.part`)).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses part sizes Telegram or memory would not like', async () => {
    rig = await downloadRig({ bytes: MiB });
    await expect(
      downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: target('bad'), options: { partSize: 128 * 1024 } }),
    ).rejects.toThrow(/512 KiB or 1 MiB/);
  });
});
