/** Shared setup for the downloader tests: a simulated bot, a real GramJS client on it, a document message. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Api } from 'telegram';
import { SimulatedLosslessBot, type SimTrack } from '../fakes/simulated-lossless/core.js';
import {
  createSimulatedTelegramClient,
  type SimulatedClientOptions,
  type SimulatedTelegramClient,
} from '../fakes/simulated-lossless/gramjs-adapter.js';

export const MiB = 1024 * 1024;

export interface DownloadRig {
  bot: SimulatedLosslessBot;
  client: SimulatedTelegramClient;
  message: Api.Message;
  documentId: string;
  size: number;
  refetch: () => Promise<Api.Message>;
  refetches: () => number;
  /** sha256 of the document's bytes as the simulator serves them. */
  expectedHash: () => string;
  close: () => Promise<void>;
}

export async function downloadRig(
  track: Partial<SimTrack> & { bytes: number },
  clientOptions: Partial<SimulatedClientOptions> = {},
): Promise<DownloadRig> {
  const bot = new SimulatedLosslessBot({
    catalogue: [{ id: 't1', artists: ['Benny Benassi'], title: 'Satisfaction', durationSec: 285, ...track }],
    latencyMs: { reply: [0, 0], file: [0, 0] },
    seed: 11,
  });
  const client = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', ...clientOptions });
  client.floodSleepThreshold = 0; // as the gateway does: every flood wait reaches us
  await client.connect();
  bot.sendFileFor('t1');
  await waitFor(() => bot.deliveries().length > 0);
  const delivery = bot.deliveries()[0]!;
  let refetches = 0;
  const refetch = async () => {
    refetches++;
    const [m] = await client.getMessages('LosslessRobot', { ids: [delivery.messageId] });
    if (!m) throw new Error('message vanished');
    return m;
  };
  const [message] = await client.getMessages('LosslessRobot', { ids: [delivery.messageId] });
  const doc = bot.document(delivery.documentId)!;
  return {
    bot,
    client,
    message: message!,
    documentId: delivery.documentId,
    size: doc.facts.size,
    refetch,
    refetches: () => refetches,
    expectedHash: () => {
      const hash = createHash('sha256');
      for (let o = 0; o < doc.image.size; o += 4 * MiB) hash.update(doc.image.read(o, 4 * MiB));
      return hash.digest('hex');
    },
    close: async () => {
      client.sim.close();
      bot.close();
      await client.disconnect();
    },
  };
}

export async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
