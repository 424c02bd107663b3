/**
 * Our downloader against GramJS's downloadMedia on the same simulated link (300 ms round trip,
 * a per-connection bandwidth), same document, same run.
 *
 * Ours downloads the whole file while RSS is sampled. downloadMedia fetches one part at a time
 * (256 KB parts for a 200 MB file), which at 80 ms per request takes minutes; by default it runs
 * for a fixed slice of the file and its rate is measured over that slice (its rate is constant:
 * one request after another). CRATE_BENCH_DOWNLOAD_FULL=1 makes it fetch the whole file too.
 *
 * Env: CRATE_BENCH_DOWNLOAD_MB (default 200), CRATE_BENCH_DOWNLOAD_SLICE_MB (default 8),
 * CRATE_BENCH_RTT_MS (default 300), CRATE_BENCH_BANDWIDTH_MBPS (MB/s per connection, default 6).
 *
 * The link is the fake MTProto network under GramJS (test/fakes/mtproto/): real encryption, GramJS's
 * own senders borrowed per part with their 30 s release timer. The defaults make the 200 MB
 * download last well over 30 s, so the release timer would bite a downloader that borrowed once.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from 'telegram';
import { downloadDocumentInParts } from '../../src/telegram/downloader.js';
import { SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';

const MB = 1024 * 1024;

export async function run(): Promise<string[]> {
  const sizeMb = Number(process.env.CRATE_BENCH_DOWNLOAD_MB ?? 200);
  const full = process.env.CRATE_BENCH_DOWNLOAD_FULL === '1';
  const sliceMb = full ? sizeMb : Math.min(sizeMb, Number(process.env.CRATE_BENCH_DOWNLOAD_SLICE_MB ?? 8));
  const rttMs = Number(process.env.CRATE_BENCH_RTT_MS ?? 300);
  const bandwidthMBps = Number(process.env.CRATE_BENCH_BANDWIDTH_MBPS ?? 6);

  const dir = mkdtempSync(join(tmpdir(), 'crate-bench-download-'));
  const bot = new SimulatedLosslessBot({
    catalogue: [{ id: 'big', artists: ['Bench'], title: 'Large File', durationSec: 600, bytes: sizeMb * MB }],
    latencyMs: { reply: [0, 0], file: [0, 0] },
    seed: 1,
  });
  const client = createSimulatedTelegramClient(bot, {
    botUsername: 'LosslessRobot',
    latencyMs: rttMs,
    bandwidthBytesPerSec: bandwidthMBps * MB,
  });
  client.floodSleepThreshold = 0;
  try {
    await client.connect();
    bot.sendFileFor('big');
    while (bot.deliveries().length === 0) await new Promise((r) => setTimeout(r, 5));
    const messageId = bot.deliveries()[0]!.messageId;
    const fetchMessage = async (): Promise<Api.Message> => {
      const [m] = await client.getMessages('LosslessRobot', { ids: [messageId] });
      if (!m) throw new Error('bench: document message not found');
      return m;
    };
    const message = await fetchMessage();
    const size = bot.document(bot.deliveries()[0]!.documentId)!.facts.size;

    // Ours: the whole file, RSS sampled throughout.
    const baselineRss = process.memoryUsage().rss;
    const rss = sampleRss();
    const oursStart = performance.now();
    const ours = await downloadDocumentInParts(client, {
      message,
      refetch: fetchMessage,
      targetPath: join(dir, 'ours.flac'),
      options: {},
    });
    const oursSec = (performance.now() - oursStart) / 1000;
    const peakRss = rss.stop();
    if (statSync(ours.path).size !== size) throw new Error('bench: our file has the wrong size');
    rmSync(ours.path);

    // GramJS downloadMedia: the same document on the same link, stopped after the slice.
    const sliceBytes = Math.min(size, sliceMb * MB);
    let theirsBytes = 0;
    const stopAt = new Error('bench slice done');
    const theirsStart = performance.now();
    let theirsSec = 0;
    try {
      await client.downloadMedia(message, {
        outputFile: join(dir, 'theirs.flac'),
        progressCallback: (downloaded) => {
          theirsBytes = Number(downloaded.toString());
          theirsSec = (performance.now() - theirsStart) / 1000;
          if (theirsBytes >= sliceBytes && theirsBytes < size) throw stopAt;
        },
      });
    } catch (err) {
      if (err !== stopAt) throw err;
    }
    const oursRate = size / oursSec;
    const theirsRate = theirsBytes / theirsSec;
    const partKb = (client.sim.requests.filter((r) => r.className === 'upload.GetFile').at(-1)?.limit ?? 0) / 1024;

    const mb = (bytes: number) => (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
    return [
      `download: ${mb(size)} MB in parts ${(oursRate / theirsRate).toFixed(1)}x faster than downloadMedia ` +
        `(${rttMs} ms simulated RTT), peak RSS ${Math.round(peakRss / MB)} MB ` +
        `(+${Math.round((peakRss - baselineRss) / MB)} MB during the download)`,
      `  ours: ${mb(size)} MB in ${oursSec.toFixed(1)} s (${(oursRate / MB).toFixed(1)} MB/s, 1 MiB parts, 4 in flight); ` +
        `downloadMedia: ${mb(theirsBytes)} MB in ${theirsSec.toFixed(1)} s (${(theirsRate / MB).toFixed(1)} MB/s, ` +
        `${partKb} KB parts one at a time${theirsBytes < size ? ', measured over a slice' : ''}); ` +
        `link: ${rttMs} ms per request, ${bandwidthMBps} MB/s per connection; ` +
        `RSS before our download ${Math.round(baselineRss / MB)} MB (node + tsx + GramJS + simulator)`,
    ];
  } finally {
    client.sim.close();
    bot.close();
    await client.disconnect().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
