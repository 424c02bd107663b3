/**
 * Contract tests: GramjsGateway over SIMULATOR's simulated @LosslessRobot (a real GramJS client
 * with GramJS's own invoke, event dispatch and errors; only the transport is simulated).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FloodWaitError, SessionExpiredError } from '../../src/domain/errors.js';
import type { BotMessage } from '../../src/domain/telegram.js';
import { silentLogger } from '../../src/logger.js';
import { GramjsGateway, type PollingOptions } from '../../src/telegram/gramjs-gateway.js';
import { QUALITY_BUTTONS, SimulatedLosslessBot, WAIT_BUTTON } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(polling: Partial<PollingOptions> = {}) {
  const bot = new SimulatedLosslessBot({
    catalogue: [
      {
        id: 'sat',
        spotifyId: '4uLU6hMCjMI75M1A2tKUQC',
        artists: ['Benny Benassi'],
        title: 'Satisfaction',
        durationSec: 285,
        bytes: 2_500_000,
        decoys: ['Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]'],
      },
    ],
    latencyMs: { reply: [1, 3], file: [5, 10] },
    seed: 7,
  });
  const client: SimulatedTelegramClient = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', latencyMs: 1 });
  const gateway = new GramjsGateway(client, {
    botUsername: '@LosslessRobot',
    logger: silentLogger(),
    polling: { activeIntervalMs: 3_600_000, idleIntervalMs: 3_600_000, ...polling },
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crate-contract-'));
  cleanups.push(async () => {
    bot.close();
    client.sim.close();
    await gateway.disconnect();
    await rm(dir, { recursive: true, force: true });
  });
  await gateway.connect();
  const received: { kind: 'new' | 'edited'; message: BotMessage }[] = [];
  gateway.onMessage((message, kind) => received.push({ kind, message }));
  const waitFor = async (predicate: () => boolean) => {
    await expect.poll(async () => {
      await client.sim.flushUpdates();
      return predicate();
    }, { timeout: 3_000, interval: 5 }).toBe(true);
  };
  return { bot, client, gateway, received, waitFor, dir };
}

describe('GramjsGateway on the simulated @LosslessRobot', () => {
  it('chat path: link → menu → row → quality → document, downloaded in parts', async () => {
    const { bot, gateway, received, waitFor, dir } = await rig();
    expect(await gateway.resolveBot('@LosslessRobot')).toEqual({ id: String(bot.botUserId), username: '@LosslessRobot' });
    const ours = await gateway.sendText('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC');
    expect(ours.out).toBe(true);

    await waitFor(() => received.some((r) => r.message.buttons.length > 0));
    const menu = received.find((r) => r.message.buttons.length > 0)!.message;
    const row = menu.buttons.find((b) => b.text === 'Benny Benassi - Satisfaction [4:45]')!;
    expect(row.data).not.toBeNull();
    await gateway.clickButton(menu.id, row.data!);

    await waitFor(() => received.some((r) => r.kind === 'edited' && r.message.buttons.some((b) => b.text === QUALITY_BUTTONS.high)));
    const quality = received.find((r) => r.kind === 'edited')!.message;
    expect(quality.id).toBe(menu.id);
    const high = quality.buttons.find((b) => b.text === QUALITY_BUTTONS.high)!;
    expect(await gateway.clickButton(menu.id, high.data!)).toEqual({ message: 'Загрузка началась' });

    await waitFor(() => received.some((r) => r.message.media === 'document'));
    const file = received.find((r) => r.message.media === 'document')!.message;
    expect(file.document).toMatchObject({ performer: 'Benny Benassi', title: 'Satisfaction', durationSec: 285, mimeType: 'audio/flac', size: 2_500_000 });
    // Each message and each edit once.
    const keys = received.map((r) => `${r.message.id}/${r.kind}/${r.message.text}/${r.message.buttons.length}`);
    expect(new Set(keys).size).toBe(keys.length);

    const progress: number[] = [];
    const target = path.join(dir, 'Benny Benassi - Satisfaction.flac');
    const result = await gateway.downloadDocument(file.id, target, { partSize: 512 * 1024, onProgress: (p) => progress.push(p.receivedBytes) });
    expect(result).toMatchObject({ path: target, sizeBytes: 2_500_000, resumedFromBytes: 0 });
    const bytes = await readFile(target);
    const served = bot.documentBytes(file.document!.id, 0, 2_500_000);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(served).digest('hex'));
    expect(progress.at(-1)).toBe(2_500_000);

    const history = await gateway.history({ minId: 0, limit: 50 });
    expect(history.map((m) => m.id)).toEqual([...history.map((m) => m.id)].sort((a, b) => a - b));
    expect(history[0]).toMatchObject({ id: ours.id, out: true });
  });

  it('inline path: the sent result is edited from the wait message into the document', async () => {
    const { gateway, received, waitFor } = await rig();
    const results = await gateway.inlineQuery('Benny Benassi - Satisfaction');
    expect(results).toHaveLength(1);
    const ours = await gateway.sendInlineResult(results[0]!);
    expect(ours.buttons.map((b) => b.text)).toEqual([WAIT_BUTTON]);
    await waitFor(() => received.some((r) => r.message.id === ours.id && r.message.media === 'document'));
    const edit = received.find((r) => r.message.id === ours.id)!;
    expect(edit.kind).toBe('edited');
    expect(edit.message.out).toBe(true);
    expect(edit.message.document).toMatchObject({ performer: 'Benny Benassi', title: 'Satisfaction' });
  });

  it('a missed update (no event after a disconnect) is found by polling', async () => {
    const { client, gateway, received, waitFor } = await rig({ activeIntervalMs: 10 });
    client.sim.close(); // the simulated link stops delivering updates, like a reconnect without catch-up
    await gateway.sendText('Benny Benassi - Satisfaction');
    await waitFor(() => received.some((r) => r.message.buttons.length > 0));
    expect(received.filter((r) => r.kind === 'new')).toHaveLength(1);
  });

  it('a flood wait reaches us at once as FloodWaitError (GramJS does not sleep through it)', async () => {
    const { bot, gateway } = await rig();
    await gateway.resolveBot('@LosslessRobot');
    bot.floodOnNext(5);
    const started = Date.now();
    const err = await gateway.sendText('Benny Benassi - Satisfaction').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloodWaitError);
    expect((err as FloodWaitError).seconds).toBe(5);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a revoked session is SessionExpiredError and status expired', async () => {
    const { client, gateway } = await rig();
    await gateway.resolveBot('@LosslessRobot');
    client.sim.revoke('SESSION_REVOKED');
    await expect(gateway.sendText('x')).rejects.toBeInstanceOf(SessionExpiredError);
    expect(await gateway.status()).toMatchObject({ state: 'expired' });
  });
});
