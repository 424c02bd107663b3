/**
 * The external bot's peer stored once per account (issue 10): GramjsGateway on real GramJS over
 * the fake MTProto network, the peer in a real SQLite file. Every "start" is a new client and a new
 * gateway, as after a restart; ResolveUsername is counted in the network's own records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { afterEach, describe, expect, it } from 'vitest';
import { DrizzleBotPeerStore } from '../../src/db/bot-peer-store.js';
import { openJobStore } from '../../src/db/job-store.js';
import { FloodWaitError, SafetyStopError } from '../../src/domain/errors.js';
import { persistedFloodUntil, recordFloodWait } from '../../src/engine/pacer.js';
import { silentLogger } from '../../src/logger.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedClientOptions, type SimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';

const HOUR = 3_600_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One data folder (one SQLite file) that several starts share. */
async function dataFolder() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crate-bot-peer-'));
  const opened = openJobStore(path.join(dir, 'crate.sqlite'));
  cleanups.push(async () => {
    opened.close();
    await rm(dir, { recursive: true, force: true });
  });
  const peers = new DrizzleBotPeerStore(opened.db.db);
  const flood = { until: () => persistedFloodUntil(opened.store), note: (s: number) => recordFloodWait(opened.store, Date.now(), s) };
  return { peers, flood, store: opened.store };
}

type Folder = Awaited<ReturnType<typeof dataFolder>>;

function simulatedBot(botUserId = 7_000_000_001) {
  const bot = new SimulatedLosslessBot({
    catalogue: [{ id: 'sat', artists: ['Benny Benassi'], title: 'Satisfaction', durationSec: 285 }],
    latencyMs: { reply: [1, 2], file: [2, 4] },
    botUserId,
    seed: 3,
  });
  cleanups.push(() => bot.close());
  return bot;
}

/** A start of Crate: a new GramJS client and gateway on the folder's database; connect + resolve as main does. */
async function start(
  folder: Folder,
  bot: SimulatedLosslessBot,
  options: { configured?: string; sim?: Partial<SimulatedClientOptions>; before?: (client: SimulatedTelegramClient) => void } = {},
) {
  const client: SimulatedTelegramClient = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', latencyMs: 1, ...options.sim });
  options.before?.(client);
  const gateway = new GramjsGateway(client, {
    botUsername: options.configured ?? '@LosslessRobot',
    logger: silentLogger(),
    polling: { activeIntervalMs: HOUR, idleIntervalMs: HOUR },
    botPeers: folder.peers,
    flood: folder.flood,
  });
  cleanups.push(async () => {
    client.sim.close();
    await gateway.disconnect();
  });
  await gateway.connect();
  const resolved = gateway.resolveBot(options.configured ?? '@LosslessRobot');
  const count = (className: string) => client.sim.requests.filter((r) => r.className === className).length;
  return { client, gateway, resolved, count };
}

describe('the external bot peer, stored once per account', () => {
  it('two starts resolve the username once; the second talks to the bot with the stored id and access hash', async () => {
    const folder = await dataFolder();
    const bot = simulatedBot();
    const first = await start(folder, bot);
    await expect(first.resolved).resolves.toEqual({ id: String(bot.botUserId), username: '@LosslessRobot' });
    expect(first.count('contacts.ResolveUsername')).toBe(1);
    expect(folder.peers.get(String(bot.selfUserId))).toMatchObject({
      peer: { userId: String(bot.botUserId), accessHash: '918273645501', username: 'LosslessRobot', isBot: true },
      pending: null,
    });
    await first.gateway.disconnect();

    const second = await start(folder, bot);
    await expect(second.resolved).resolves.toEqual({ id: String(bot.botUserId), username: '@LosslessRobot' });
    // The simulated Telegram checks the access hash like the real one: the message reaching the bot proves the stored one works.
    const sent = await second.gateway.sendText('Benny Benassi - Satisfaction');
    expect(bot.history({ minId: 0, limit: 10 }).map((m) => m.text)).toContain('Benny Benassi - Satisfaction');
    expect(sent.out).toBe(true);
    expect(second.count('contacts.ResolveUsername')).toBe(0);
  });

  it('a stored access hash Telegram refuses is resolved again; the same id keeps going (new hash stored)', async () => {
    const folder = await dataFolder();
    const bot = simulatedBot();
    await (await start(folder, bot)).resolved;
    const again = await start(folder, bot, { sim: { botAccessHash: '5550001' } });
    await expect(again.resolved).resolves.toMatchObject({ id: String(bot.botUserId) });
    expect(again.count('contacts.ResolveUsername')).toBe(1);
    expect(folder.peers.get(String(bot.selfUserId))?.peer.accessHash).toBe('5550001');
    await again.gateway.sendText('hello');
  });

  it('the username now resolving to another id stops with a plain message, sends nothing, and stays stopped until accept-bot', async () => {
    const folder = await dataFolder();
    const original = simulatedBot(7_000_000_001);
    await (await start(folder, original)).resolved;

    // The old account is gone (its peer is refused) and the name belongs to another account.
    const impostor = simulatedBot(7_000_000_999);
    const moved = await start(folder, impostor);
    const err = await moved.resolved.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyStopError);
    expect((err as Error).message).toBe(
      '@LosslessRobot now belongs to another Telegram account (id 7000000999) than the bot Crate has been talking to ' +
        '(@LosslessRobot, id 7000000001): Crate sends nothing to it. If the bot really moved, run `crate accept-bot` ' +
        '(or /acceptbot in the control bot), then resume; otherwise check EXTERNAL_BOT_USERNAME.',
    );
    await expect(moved.gateway.sendText('x')).rejects.toMatchObject({ name: 'SafetyStopError' });
    await expect(moved.gateway.inlineQuery('x')).rejects.toMatchObject({ name: 'SafetyStopError' });
    expect(moved.count('contacts.ResolveUsername')).toBe(1);
    expect(moved.count('messages.SendMessage') + moved.count('messages.GetInlineBotResults')).toBe(0);
    expect(impostor.actions()).toEqual([]);

    // A restart does not ask Telegram again: the stop is in SQLite.
    const restarted = await start(folder, impostor);
    await expect(restarted.resolved).rejects.toMatchObject({ name: 'SafetyStopError', message: expect.stringMatching(/crate accept-bot/) });
    expect(restarted.count('contacts.ResolveUsername')).toBe(0);

    // The owner accepts: the next start talks to the new account without resolving.
    expect(folder.peers.acceptPending()).toMatchObject([{ previous: { userId: '7000000001' }, accepted: { userId: '7000000999' } }]);
    const accepted = await start(folder, impostor);
    await expect(accepted.resolved).resolves.toEqual({ id: '7000000999', username: '@LosslessRobot' });
    await accepted.gateway.sendText('Benny Benassi - Satisfaction');
    expect(impostor.actions().map((a) => a.kind)).toEqual(['send']);
    expect(accepted.count('contacts.ResolveUsername')).toBe(0);
  });

  it('a changed username setting is resolved; another id stops, the same id (the bot renamed) goes on', async () => {
    const folder = await dataFolder();
    const bot = simulatedBot(7_000_000_001);
    await (await start(folder, bot)).resolved;

    const renamed = await start(folder, bot, { configured: '@LosslessRobotNew', sim: { botUsername: 'LosslessRobotNew' } });
    await expect(renamed.resolved).resolves.toEqual({ id: '7000000001', username: '@LosslessRobotNew' });
    expect(renamed.count('contacts.ResolveUsername')).toBe(1);

    const other = simulatedBot(7_000_000_777);
    const elsewhere = await start(folder, other, { configured: '@SomeOtherBot', sim: { botUsername: 'SomeOtherBot' } });
    await expect(elsewhere.resolved).rejects.toMatchObject({
      name: 'SafetyStopError',
      message: expect.stringMatching(/^@SomeOtherBot now belongs to another Telegram account \(id 7000000777\) than the bot Crate has been talking to \(@LosslessRobotNew, id 7000000001\)/),
    });
    expect(other.actions()).toEqual([]);
  });

  it('a username that is a person or a channel is refused in plain words; nothing is sent or stored', async () => {
    const folder = await dataFolder();
    const bot = simulatedBot();
    const person = new Api.User({ id: bigInt(424242), accessHash: bigInt(1), firstName: 'Not', lastName: 'A Bot', username: 'LosslessRobot' });
    const personStart = await start(folder, bot, {
      sim: {
        handlers: {
          'contacts.ResolveUsername': () => new Api.contacts.ResolvedPeer({ peer: new Api.PeerUser({ userId: person.id }), chats: [], users: [person] }),
        },
      },
    });
    await expect(personStart.resolved).rejects.toMatchObject({
      name: 'SafetyStopError',
      message: '@LosslessRobot is not a bot account: Crate sends nothing to it. Check EXTERNAL_BOT_USERNAME.',
    });
    // Asked once: later calls get the same answer without asking Telegram again.
    await expect(personStart.gateway.sendText('x')).rejects.toMatchObject({ name: 'SafetyStopError' });
    expect(personStart.count('contacts.ResolveUsername')).toBe(1);
    expect(personStart.count('messages.SendMessage')).toBe(0);

    const channel = new Api.Channel({ id: bigInt(515151), accessHash: bigInt(2), title: 'Lossless news', username: 'LosslessRobot', photo: new Api.ChatPhotoEmpty(), date: 1 });
    const channelStart = await start(folder, bot, {
      sim: {
        handlers: {
          'contacts.ResolveUsername': () => new Api.contacts.ResolvedPeer({ peer: new Api.PeerChannel({ channelId: channel.id }), chats: [channel], users: [] }),
        },
      },
    });
    await expect(channelStart.resolved).rejects.toMatchObject({
      name: 'SafetyStopError',
      message: '@LosslessRobot is a channel or group, not a bot: Crate sends nothing to it. Check EXTERNAL_BOT_USERNAME.',
    });
    expect(folder.peers.get(String(bot.selfUserId))).toBeNull();
    expect(bot.actions()).toEqual([]);
  });

  it('a FloodWait on ResolveUsername is stored: a restart inside it asks nothing, after it resolves', async () => {
    const fresh = await dataFolder();
    const bot = simulatedBot();
    const flooded = await start(fresh, bot, { before: (client) => client.sim.failNext('contacts.ResolveUsername', 'FLOOD_WAIT_600', 420) });
    const first = await flooded.resolved.catch((e: unknown) => e);
    expect(first).toBeInstanceOf(FloodWaitError);
    expect((first as FloodWaitError).seconds).toBe(600);
    // Persisted where the pacer keeps its own (every send waits for it too).
    expect(persistedFloodUntil(fresh.store)).toBeGreaterThan(Date.now() + 590_000);
    // The same process asks nothing more while it lasts.
    await expect(flooded.gateway.sendText('x')).rejects.toBeInstanceOf(FloodWaitError);
    expect(flooded.count('contacts.ResolveUsername')).toBe(1);

    const inside = await start(fresh, bot);
    const err = await inside.resolved.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloodWaitError);
    expect((err as FloodWaitError).seconds).toBeGreaterThan(590);
    expect(inside.count('contacts.ResolveUsername')).toBe(0);

    fresh.store.setSetting('pacer.floodUntil', String(Date.now() - 1));
    const after = await start(fresh, bot);
    await expect(after.resolved).resolves.toMatchObject({ id: String(bot.botUserId) });
    expect(after.count('contacts.ResolveUsername')).toBe(1);
  });
});
