/**
 * The Telegram side against a network that misbehaves, with GramJS's own connection code running
 * (connect, exported senders with the 30 s release timer, reconnect, ping loop) over the fake
 * MTProto network, all in virtual time.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from 'telegram';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TelegramUnreachableError } from '../../src/domain/errors.js';
import type { ConnectionChange } from '../../src/domain/telegram.js';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../../src/logger.js';
import { routeGramjsConsole } from '../../src/telegram/gramjs-logger.js';
import { downloadDocumentInParts } from '../../src/telegram/downloader.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { FakeTelegramNetwork } from '../fakes/mtproto/fake-network.js';
import { installVirtualTime, type VirtualTime } from '../fakes/mtproto/virtual-time.js';
import { SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';
import { fileHash, MiB } from './downloader-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crate-resilience-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let vt: VirtualTime | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await vt!.run(Promise.resolve(c())).catch(() => undefined);
  vt?.uninstall();
  vt = null;
});

function world(options: { bytes?: number; latencyMs?: number; bandwidth?: number } = {}) {
  vt = installVirtualTime();
  const bot = new SimulatedLosslessBot({
    catalogue: [{ id: 'big', artists: ['Long'], title: 'Mix', durationSec: 3600, bytes: options.bytes ?? 2 * MiB }],
    latencyMs: { reply: [200, 400], file: [500, 800] },
    seed: 5,
  });
  const network = new FakeTelegramNetwork({ latencyMs: options.latencyMs ?? 100, bandwidthBytesPerSec: options.bandwidth });
  const session = network.sessionSync();
  const clients: SimulatedTelegramClient[] = [];
  const factory = () => {
    clients.at(-1)?.sim.close();
    const client = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', network, session });
    clients.push(client);
    return client;
  };
  cleanups.push(() => bot.close());
  return { vt, bot, network, factory, clients };
}

async function documentMessage(w: ReturnType<typeof world>, client: SimulatedTelegramClient): Promise<{ message: Api.Message; refetch: () => Promise<Api.Message> }> {
  const vt = w.vt;
  w.bot.sendFileFor('big');
  await vt.run(until(() => w.bot.deliveries().length > 0));
  const id = w.bot.deliveries()[0]!.messageId;
  const refetch = async () => {
    const [m] = await client.getMessages('LosslessRobot', { ids: [id] });
    return m!;
  };
  return { message: await vt.run(refetch()), refetch };
}

function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (condition() ? resolve() : setTimeout(check, 100));
    check();
  });
}

function expectedHash(bot: SimulatedLosslessBot): string {
  const doc = bot.document(bot.deliveries()[0]!.documentId)!;
  const hash = createHash('sha256');
  for (let o = 0; o < doc.image.size; o += 4 * MiB) hash.update(doc.image.read(o, 4 * MiB));
  return hash.digest('hex');
}


describe('downloads through GramJS’s own senders', () => {
  it('a 200 MB file that takes over a minute arrives whole: the sender is borrowed per part, never released under us', async () => {
    const w = world({ bytes: 200 * MiB, latencyMs: 120, bandwidth: 3 * MiB });
    const client = w.factory();
    await w.vt.run(client.connect());
    const { message, refetch } = await documentMessage(w, client);
    cleanups.push(() => client.destroy());
    const path = join(dir, 'big', 'Long - Mix.flac');
    const started = w.vt.now();
    const result = await w.vt.run(downloadDocumentInParts(client, { message, refetch, targetPath: path, options: { parallelParts: 4 } }));
    const tookMs = w.vt.now() - started;
    expect(result.sizeBytes).toBe(200 * MiB);
    expect(tookMs).toBeGreaterThan(60_000);
    expect(await fileHash(path)).toBe(expectedHash(w.bot));
    // One main connection and one exported sender for DC 2: GramJS's 30 s release timer never
    // disconnected the sender mid-download (which would have opened another connection).
    expect(w.network.opened.get(2)).toBe(2);
    expect(w.network.recordsOf('upload.GetFile').every((r) => !r.error && !r.hung)).toBe(true);
  }, 300_000);

  it('a link that drops mid-download and comes back: the download goes on from what it has', async () => {
    const w = world({ bytes: 16 * MiB, latencyMs: 100, bandwidth: MiB });
    const client = w.factory();
    await w.vt.run(client.connect());
    const { message, refetch } = await documentMessage(w, client);
    cleanups.push(() => client.destroy());
    const path = join(dir, 'drop', 'Long - Mix.flac');
    const download = downloadDocumentInParts(client, { message, refetch, targetPath: path, options: {} });
    setTimeout(() => void w.network.outage(20_000, 'refuse'), 5_000);
    const result = await w.vt.run(download);
    expect(result.sizeBytes).toBe(16 * MiB);
    expect(await fileHash(path)).toBe(expectedHash(w.bot));
    const parts = w.network.recordsOf('upload.GetFile');
    expect(parts.some((r) => r.hung)).toBe(true); // the outage cut answers in flight
    expect(new Set(parts.filter((r) => !r.hung && !r.error).map((r) => r.offset)).size).toBe(16);
    expect(w.network.opened.get(2)!).toBeGreaterThan(2); // GramJS reconnected after the outage
  }, 120_000);
});

describe('GramJS’s own console output', () => {
  it('goes to our logger, not the terminal ("sender already has some hanging states")', async () => {
    const w = world({ bytes: 3 * MiB, latencyMs: 50 });
    const printed: string[] = [];
    const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info };
    const routed = Symbol.for('crate.gramjsConsoleRouted');
    const consoleRecord = console as unknown as Record<symbol, unknown>;
    for (const m of ['log', 'error', 'warn', 'info'] as const) console[m] = (...a: unknown[]) => printed.push(a.map(String).join(' '));
    delete consoleRecord[routed];
    const logged: string[] = [];
    const logger = createLogger({
      level: 'debug',
      secrets: [],
      pretty: false,
      destination: new Writable({
        write(chunk, _e, cb) {
          logged.push(String(chunk));
          cb();
        },
      }),
    });
    try {
      routeGramjsConsole(logger);
      const client = w.factory();
      await w.vt.run(client.connect());
      const { message, refetch } = await documentMessage(w, client);
      cleanups.push(() => client.destroy());
      // One part hangs past GramJS's 30 s release timer: GramJS prints and reconnects the sender.
      w.network.hang('upload.GetFile', { once: true });
      const path = join(dir, 'console', 'Long - Mix.flac');
      await w.vt.run(downloadDocumentInParts(client, { message, refetch, targetPath: path, options: { parallelParts: 1 } }));
      expect(await fileHash(path)).toBe(expectedHash(w.bot));
      expect(logged.some((l) => l.includes('sender already has some hanging states'))).toBe(true);
      expect(printed.filter((p) => p.includes('hanging states'))).toEqual([]);
    } finally {
      Object.assign(console, saved);
      delete consoleRecord[routed];
    }
  }, 60_000);
});

describe('GramjsGateway when Telegram does not answer', () => {
  for (const mode of ['black-hole', 'no-answer', 'refuse'] as const) {
    it(`connect against a ${mode} link fails in plain words within the connect deadline, then recovers by itself`, async () => {
      const w = world();
      w.network.setMode(mode);
      const gateway = new GramjsGateway(w.factory, { botUsername: '@LosslessRobot', logger: silentLogger() });
      cleanups.push(() => gateway.disconnect());
      const changes: ConnectionChange['state'][] = [];
      gateway.onConnectionChange((c) => changes.push(c.state));
      const started = w.vt.now();
      const err = await w.vt.run(gateway.connect().catch((e: unknown) => e));
      expect(err).toBeInstanceOf(TelegramUnreachableError);
      expect((err as Error).message).toMatch(/^Telegram cannot be reached \((no connection within 15 s|connection refused or dropped)\)$/);
      expect(w.vt.now() - started).toBeLessThanOrEqual(15_000);
      expect(changes).toEqual(['down']);
      // Calls while down fail at once instead of queueing inside GramJS.
      const before = w.vt.now();
      await expect(w.vt.run(gateway.sendText('x'))).rejects.toBeInstanceOf(TelegramUnreachableError);
      expect(w.vt.now() - before).toBeLessThan(1_000);
      w.network.setMode('up');
      await w.vt.run(until(() => changes.includes('up')));
      expect(changes).toEqual(['down', 'up']);
      await expect(w.vt.run(gateway.status())).resolves.toMatchObject({ state: 'ready' });
    }, 60_000);
  }

  it('a request that hangs fails after its deadline, and is never sent again after the reconnect (no burst)', async () => {
    const w = world();
    const gateway = new GramjsGateway(w.factory, { botUsername: '@LosslessRobot', logger: silentLogger() });
    cleanups.push(() => gateway.disconnect());
    await w.vt.run(gateway.connect());
    await w.vt.run(gateway.resolveBot('@LosslessRobot'));
    const changes: ConnectionChange['state'][] = [];
    gateway.onConnectionChange((c) => changes.push(c.state));
    w.network.hang('messages.SendMessage');
    const started = w.vt.now();
    const err = await w.vt.run(gateway.sendText('first').catch((e: unknown) => e));
    expect(err).toBeInstanceOf(TelegramUnreachableError);
    expect((err as Error).message).toBe('Telegram cannot be reached (no answer to sendMessage within 30 s)');
    expect(w.vt.now() - started).toBe(30_000);
    expect(changes).toEqual(['down']);
    w.network.clearHangs();
    await w.vt.run(until(() => changes.includes('up')));
    // A new client replaced the old one with its queue: the hung message did not go out again.
    await w.vt.run(new Promise((r) => setTimeout(r, 60_000)));
    expect(w.network.recordsOf('messages.SendMessage')).toHaveLength(1);
    await w.vt.run(gateway.sendText('second'));
    expect(w.network.recordsOf('messages.SendMessage')).toHaveLength(2);
    expect(w.clients.length).toBeGreaterThan(1);
  }, 60_000);

  it('a silent link (pings unanswered) is noticed by the health loop and rebuilt', async () => {
    const w = world();
    const gateway = new GramjsGateway(w.factory, { botUsername: '@LosslessRobot', logger: silentLogger() });
    cleanups.push(() => gateway.disconnect());
    await w.vt.run(gateway.connect());
    const changes: ConnectionChange[] = [];
    gateway.onConnectionChange((c) => changes.push(c));
    w.network.setMode('black-hole');
    await w.vt.run(until(() => changes.length > 0));
    expect(changes[0]).toMatchObject({ state: 'down', detail: expect.stringMatching(/no answer to a ping within 10 s/) });
    w.network.setMode('up');
    await w.vt.run(until(() => changes.length > 1));
    expect(changes[1]).toMatchObject({ state: 'up', detail: null });
  }, 60_000);
});
