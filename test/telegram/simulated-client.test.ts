import { createHash } from 'node:crypto';
import bigInt from 'big-integer';
import { Api, errors } from 'telegram';
import { EditedMessage } from 'telegram/events/EditedMessage.js';
import { NewMessage } from 'telegram/events/index.js';
import { describe, expect, it } from 'vitest';
import { SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedClientOptions } from '../fakes/simulated-lossless/gramjs-adapter.js';

function rig(options: Partial<SimulatedClientOptions> = {}) {
  const bot = new SimulatedLosslessBot({
    catalogue: [
      { id: 'sat', spotifyId: 'abc', artists: ['Benny Benassi'], title: 'Satisfaction', durationSec: 285, bytes: 3_000_000, decoys: ['Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]'] },
    ],
    latencyMs: { reply: [1, 3], file: [5, 10] },
    seed: 2,
  });
  const client = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', ...options });
  client.floodSleepThreshold = 0;
  const incoming: { kind: 'new' | 'edited'; message: Api.Message }[] = [];
  client.addEventHandler((e) => void incoming.push({ kind: 'new', message: e.message }), new NewMessage({}));
  client.addEventHandler((e) => void incoming.push({ kind: 'edited', message: e.message }), new EditedMessage({}));
  /** Waits (bounded) until the client's handlers have seen what the test expects. */
  const settle = async (until: () => boolean) => {
    for (const deadline = Date.now() + 3000; !until(); ) {
      if (Date.now() > deadline) throw new Error('timed out waiting for updates');
      await new Promise((r) => setTimeout(r, 2));
      await client.sim.flushUpdates();
    }
  };
  return { bot, client, incoming, settle };
}

describe('createSimulatedTelegramClient', () => {
  it('speaks TL through GramJS: resolve, send, updates, callback, history, downloadMedia', async () => {
    const { bot, client, incoming, settle } = rig({ latencyMs: 1 });
    await client.connect();
    const botEntity = await client.getEntity('LosslessRobot');
    expect(botEntity).toBeInstanceOf(Api.User);
    expect((botEntity as Api.User).bot).toBe(true);

    const sent = await client.sendMessage('LosslessRobot', { message: 'https://open.spotify.com/track/abc' });
    expect(sent.out).toBe(true);
    expect(sent.message).toBe('https://open.spotify.com/track/abc');
    await settle(() => incoming.length >= 1);
    const menu = incoming[0]!.message;
    expect(menu.senderId?.toString()).toBe(String(bot.botUserId));
    expect(menu.buttons?.flat().map((b) => b.text)).toContain('Benny Benassi - Satisfaction [4:45]');

    const row = menu.buttons!.flat().find((b) => b.text === 'Benny Benassi - Satisfaction [4:45]')!;
    await client.invoke(new Api.messages.GetBotCallbackAnswer({ peer: 'LosslessRobot', msgId: menu.id, data: row.data! }));
    await settle(() => incoming.length >= 2);
    const quality = incoming[1]!;
    expect(quality.kind).toBe('edited');
    const high = quality.message.buttons!.flat().find((b) => b.text === 'High (16bit) 💿')!;
    const answer = await client.invoke(new Api.messages.GetBotCallbackAnswer({ peer: 'LosslessRobot', msgId: menu.id, data: high.data! }));
    expect(answer.message).toBe('Загрузка началась');
    await settle(() => incoming.some((i) => i.message.document));
    const file = incoming.find((i) => i.message.document)!.message;
    expect(file.document!.mimeType).toBe('audio/flac');
    const audio = file.document!.attributes.find((a) => a instanceof Api.DocumentAttributeAudio) as Api.DocumentAttributeAudio;
    expect([audio.performer, audio.title, audio.duration]).toEqual(['Benny Benassi', 'Satisfaction', 285]);

    const history = await client.getMessages('LosslessRobot', { limit: 10 });
    expect(Array.from(history, (m) => m.id)).toEqual([3, 2, 1]);
    const newer = await client.invoke(new Api.messages.GetHistory({ peer: 'LosslessRobot', minId: 1, limit: 10, offsetId: 0, addOffset: 0, maxId: 0, hash: bigInt(0) }));
    expect((newer as Api.messages.Messages).messages.map((m) => m.id)).toEqual([3, 2]);

    // GramJS's own downloader works on the simulated link (through getSender/invokeWithSender).
    const bytes = (await client.downloadMedia(file, {})) as Buffer;
    const served = bot.documentBytes(file.document!.id.toString(), 0, 3_000_000);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(served).digest('hex'));

    bot.close();
    client.sim.close();
    await client.disconnect();
  });

  it('inline query and sent result edited into a document', async () => {
    const { bot, client, incoming, settle } = rig();
    await client.connect();
    const botInput = await client.getInputEntity('LosslessRobot');
    const results = await client.invoke(new Api.messages.GetInlineBotResults({ bot: botInput, peer: botInput, query: 'Benny Benassi - Satisfaction', offset: '' }));
    expect(results.results).toHaveLength(1);
    const updates = await client.invoke(new Api.messages.SendInlineBotResult({ peer: botInput, queryId: results.queryId, id: results.results[0]!.id, randomId: bigInt(99) }));
    expect(updates).toBeInstanceOf(Api.Updates);
    const sentId = ((updates as Api.Updates).updates[0] as Api.UpdateMessageID).id;
    await settle(() => incoming.some((i) => i.kind === 'edited'));
    const edited = incoming.find((i) => i.kind === 'edited')!.message;
    expect(edited.id).toBe(sentId);
    expect(edited.out).toBe(true);
    expect(edited.document).toBeDefined();
    bot.close();
  });

  it('errors are GramJS classes: FloodWait, session revoked, unknown username', async () => {
    const { bot, client } = rig();
    await client.connect();
    bot.floodOnNext(42);
    const flood = await client.sendMessage('LosslessRobot', { message: 'x' }).catch((e: unknown) => e);
    expect(flood).toBeInstanceOf(errors.FloodWaitError);
    expect((flood as errors.FloodWaitError).seconds).toBe(42);

    await expect(client.getEntity('SomeoneElseBot')).rejects.toThrow();
    client.sim.revoke('AUTH_KEY_UNREGISTERED');
    const revoked = await client.getMessages('LosslessRobot', { limit: 1 }).catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(errors.RPCError);
    expect((revoked as errors.RPCError).errorMessage).toBe('AUTH_KEY_UNREGISTERED');
    bot.close();
  });

  it('below floodSleepThreshold GramJS sleeps silently, as on the real network', async () => {
    const { bot, client } = rig();
    client.floodSleepThreshold = 60;
    await client.connect();
    await client.getEntity('LosslessRobot');
    client.sim.failNext('messages.SendMessage', 'FLOOD_WAIT_0', 420);
    const sent = await client.sendMessage('LosslessRobot', { message: 'Benny Benassi - Satisfaction' });
    expect(sent.id).toBe(1);
    expect(client.sim.requests.filter((r) => r.className === 'messages.SendMessage').map((r) => r.error ?? 'ok')).toEqual(['FLOOD_WAIT_0', 'ok']);
    bot.close();
  });
});
