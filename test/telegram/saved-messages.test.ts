/**
 * INLINE_SEND_TO=saved on GramjsGateway over real GramJS and the fake MTProto network: the chosen
 * inline result goes to peer self, its edit into the document is delivered from there, the
 * download reads it there, and a restart finds it with inlineHistory (the bot chat never holds it).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BotMessage } from '../../src/domain/telegram.js';
import { silentLogger } from '../../src/logger.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { SimulatedLosslessBot, WAIT_BUTTON } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('GramjsGateway with INLINE_SEND_TO=saved', () => {
  it('sends the result to Saved Messages, follows its edit there, downloads it, and finds it again after a restart', async () => {
    const bot = new SimulatedLosslessBot({
      catalogue: [{ id: 'rain', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371, bytes: 700_000 }],
      latencyMs: { reply: [1, 3], file: [20, 40] },
      seed: 5,
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crate-saved-'));
    cleanups.push(async () => {
      bot.close();
      await rm(dir, { recursive: true, force: true });
    });
    const start = async () => {
      const client = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', latencyMs: 1 });
      const gateway = new GramjsGateway(client, {
        botUsername: '@LosslessRobot',
        logger: silentLogger(),
        polling: { activeIntervalMs: 3_600_000, idleIntervalMs: 3_600_000 },
        inlineSendTo: 'saved',
      });
      cleanups.push(async () => {
        client.sim.close();
        await gateway.disconnect();
      });
      await gateway.connect();
      await gateway.resolveBot('@LosslessRobot');
      const received: { kind: 'new' | 'edited'; message: BotMessage }[] = [];
      gateway.onMessage((message, kind) => received.push({ kind, message }));
      return { client, gateway, received };
    };

    const first = await start();
    const note = bot.ownerSaves('my own note, nothing to do with the bot');
    const [result] = await first.gateway.inlineQuery('Kerri Chandler - Rain');
    const ours = await first.gateway.sendInlineResult(result!);
    expect(bot.chatOf(ours.id)).toBe('saved');
    expect(ours.buttons.map((b) => b.text)).toEqual([WAIT_BUTTON]);
    await expect
      .poll(async () => {
        await first.client.sim.flushUpdates();
        return first.received.find((r) => r.message.id === ours.id && r.message.media === 'document');
      }, { timeout: 3_000, interval: 5 })
      .toBeTruthy();
    const edit = first.received.find((r) => r.message.id === ours.id)!;
    expect(edit.kind).toBe('edited');

    const target = path.join(dir, 'Kerri Chandler - Rain.flac');
    await first.gateway.downloadDocument(ours.id, target);
    const served = bot.documentBytes(edit.message.document!.id, 0, edit.message.document!.size);
    expect(createHash('sha256').update(await readFile(target)).digest('hex')).toBe(createHash('sha256').update(served).digest('hex'));
    await first.gateway.disconnect();

    // After a restart: the bot chat never held it; Saved Messages does.
    const second = await start();
    expect((await second.gateway.history({ minId: 0, limit: 50 })).map((m) => m.id)).not.toContain(ours.id);
    const found = await second.gateway.inlineHistory({ minId: 0, limit: 50 });
    expect(found.map((m) => ({ id: m.id, out: m.out, media: m.media }))).toEqual([{ id: ours.id, out: true, media: 'document' }]);
    expect(await second.gateway.getMessages([ours.id, note.id])).toMatchObject([{ id: ours.id, media: 'document' }, null]);
  });
});
