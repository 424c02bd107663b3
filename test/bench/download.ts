/**
 * Our downloader against GramJS's downloadMedia on the same simulated link (300 ms round trip,
 * a per-connection bandwidth), same document, same run.
 *
 * Two processes, so the figures are Crate's alone: the fake Telegram (download/telegram-side.ts:
 * fake MTProto network with the link model, simulated bot) and Crate's side
 * (download/crate-side.ts: GramJS, its production socket over loopback TCP, our downloader),
 * compiled to plain JS and run with plain node and the flags `crate serve` and `crate download`
 * run with (bin/node-flags.js), as they run dist/. The RSS figures are that process's: before our
 * download, its peak during it (the kernel's high-water mark) and the growth between them.
 *
 * Ours downloads the whole file. downloadMedia fetches one part at a time (256 KB parts for a
 * 200 MB file), which at 300 ms per request takes minutes; by default it runs for a fixed slice of
 * the file and its rate is measured over that slice (its rate is constant: one request after
 * another). CRATE_BENCH_DOWNLOAD_FULL=1 makes it fetch the whole file too.
 *
 * Env: CRATE_BENCH_DOWNLOAD_MB (default 200), CRATE_BENCH_DOWNLOAD_SLICE_MB (default 8),
 * CRATE_BENCH_RTT_MS (default 300), CRATE_BENCH_BANDWIDTH_MBPS (MB/s per connection, default 6),
 * CRATE_BENCH_CRATE_NODE_ARGS (node flags for Crate's side instead of production's, for a diagnosis or
 * a comparison: e.g. '--trace-gc --max-semi-space-size=1', or '' for node's defaults).
 *
 * GramJS's own senders are borrowed per part with their 30 s release timer; the defaults make the
 * 200 MB download last well over 30 s, so the release timer would bite a downloader that borrowed once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFlagsFor } from '../../bin/node-flags.js';
import { forkCrateSide, forkTelegramSide } from './download/processes.js';
import type { CrateSideCommand, CrateSideReply, TelegramSideCommand, TelegramSideReply } from './download/protocol.js';

const MB = 1024 * 1024;

export async function run(): Promise<string[]> {
  const sizeMb = Number(process.env.CRATE_BENCH_DOWNLOAD_MB ?? 200);
  const full = process.env.CRATE_BENCH_DOWNLOAD_FULL === '1';
  const sliceMb = full ? sizeMb : Math.min(sizeMb, Number(process.env.CRATE_BENCH_DOWNLOAD_SLICE_MB ?? 8));
  const rttMs = Number(process.env.CRATE_BENCH_RTT_MS ?? 300);
  const bandwidthMBps = Number(process.env.CRATE_BENCH_BANDWIDTH_MBPS ?? 6);

  const dir = mkdtempSync(join(tmpdir(), 'crate-bench-download-'));
  const telegram = forkTelegramSide<TelegramSideCommand, TelegramSideReply>({
    CRATE_BENCH_DOWNLOAD_BYTES: String(sizeMb * MB),
    CRATE_BENCH_RTT_MS: String(rttMs),
    CRATE_BENCH_BANDWIDTH_MBPS: String(bandwidthMBps),
  });
  const override = process.env.CRATE_BENCH_CRATE_NODE_ARGS;
  const nodeFlags = override === undefined ? nodeFlagsFor('download') : override.split(' ').filter(Boolean);
  const crate = await forkCrateSide<CrateSideCommand, CrateSideReply>(nodeFlags);
  try {
    const world = await telegram.next('listening');
    await crate.request({ type: 'start', ports: world.ports, session: world.session }, 'ready');
    const { messageId, size } = await telegram.request({ type: 'deliver' }, 'delivered');

    const ours = await crate.request(
      { type: 'download', botUsername: world.botUsername, messageId, targetPath: join(dir, 'ours.flac') },
      'downloaded',
    );
    if (ours.bytes !== size) throw new Error(`bench: our file has ${ours.bytes} bytes, the document ${size}`);
    rmSync(join(dir, 'ours.flac'));

    const sliceBytes = Math.min(size, sliceMb * MB);
    const theirs = await crate.request({ type: 'downloadMedia', sliceBytes, targetPath: join(dir, 'theirs.flac') }, 'downloadMedia');
    const { lastPartBytes } = await telegram.request({ type: 'stats' }, 'stats');

    const oursRate = size / ours.seconds;
    const theirsRate = theirs.bytes / theirs.seconds;
    const mb = (bytes: number) => (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
    const whole = (bytes: number) => Math.round(bytes / MB);
    return [
      `download: ${mb(size)} MB in parts ${(oursRate / theirsRate).toFixed(1)}x faster than downloadMedia ` +
        `(${rttMs} ms simulated RTT); Crate's process: peak RSS ${whole(ours.peakRss)} MB ` +
        `(${whole(ours.baselineRss)} MB before the download, +${whole(ours.peakRss - ours.baselineRss)} MB during it)`,
      `  ours: ${mb(size)} MB in ${ours.seconds.toFixed(1)} s (${(oursRate / MB).toFixed(1)} MB/s, 1 MiB parts, 4 in flight); ` +
        `downloadMedia: ${mb(theirs.bytes)} MB in ${theirs.seconds.toFixed(1)} s (${(theirsRate / MB).toFixed(1)} MB/s, ` +
        `${lastPartBytes / 1024} KB parts one at a time${theirs.bytes < size ? ', measured over a slice' : ''}); ` +
        `link: ${rttMs} ms per request, ${bandwidthMBps} MB/s per connection; Crate's side is node + GramJS + the downloader ` +
        `(plain node ${nodeFlags.join(' ') || 'with its defaults'} on compiled JS${override === undefined ? ", production's flags" : ''}, ` +
        `peak since ${ours.peakFrom}); the fake Telegram runs in another process`,
    ];
  } finally {
    if (crate.process.connected) crate.send({ type: 'quit' });
    await Promise.all([crate.stop(), telegram.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
