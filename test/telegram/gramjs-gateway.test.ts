import bigInt from 'big-integer';
import { Api } from 'telegram';
import { afterEach, describe, expect, it } from 'vitest';
import { FloodWaitError, SessionExpiredError } from '../../src/domain/errors.js';
import type { BotMessage } from '../../src/domain/telegram.js';
import { silentLogger } from '../../src/logger.js';
import { TelegramRequestError } from '../../src/telegram/errors.js';
import { GramjsGateway, type PollingOptions } from '../../src/telegram/gramjs-gateway.js';
import { createFakeTelegramClient, FakeBotChat, rpcError } from '../fakes/fake-invoke.js';

const HOUR = 3_600_000;
const gateways: GramjsGateway[] = [];

afterEach(async () => {
  for (const g of gateways.splice(0)) await g.disconnect();
});

async function setup(options: { polling?: Partial<PollingOptions>; connect?: boolean; now?: () => number } = {}) {
  const fake = createFakeTelegramClient();
  const chat = new FakeBotChat(fake);
  const gateway = new GramjsGateway(fake.client, {
    botUsername: '@LosslessRobot',
    logger: silentLogger(),
    // No timer-driven polls unless a test asks for them: tests call pollNow().
    polling: { activeIntervalMs: HOUR, idleIntervalMs: HOUR, ...options.polling },
    ...(options.now ? { now: options.now } : {}),
  });
  gateways.push(gateway);
  if (options.connect ?? true) await gateway.connect();
  const received: { id: number; kind: 'new' | 'edited'; text: string; message: BotMessage }[] = [];
  const listen = () => gateway.onMessage((message, kind) => received.push({ id: message.id, kind, text: message.text, message }));
  return { fake, chat, gateway, received, listen };
}

describe('GramjsGateway requests', () => {
  it('resolves the bot with contacts.ResolveUsername and GramJS learns the entity', async () => {
    const { fake, chat, gateway } = await setup();
    expect(await gateway.resolveBot('@LosslessRobot')).toEqual({ id: '777000', username: '@LosslessRobot' });
    expect(fake.callsOf('contacts.ResolveUsername').map((r) => r.username)).toEqual(['LosslessRobot']);
    // As with the real invoke, the returned user is in GramJS's entity cache now.
    const input = await fake.client.getInputEntity(chat.botUser.id);
    expect(input).toBeInstanceOf(Api.InputPeerUser);
    // Resolved once; later calls reuse it.
    await gateway.resolveBot('LosslessRobot');
    expect(fake.callsOf('contacts.ResolveUsername')).toHaveLength(1);
    await expect(gateway.resolveBot('@NoSuchBotHere')).rejects.toThrow(TelegramRequestError);
  });

  it('sends text to the bot (messages.SendMessage) and returns our message', async () => {
    const { fake, gateway } = await setup();
    const sent = await gateway.sendText('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC');
    const request = fake.callsOf('messages.SendMessage')[0] as Api.messages.SendMessage;
    expect(request.peer).toBeInstanceOf(Api.InputPeerUser);
    expect((request.peer as Api.InputPeerUser).userId.toString()).toBe('777000');
    expect(request.message).toBe('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC');
    expect(request.noWebpage).toBe(true);
    expect(sent).toMatchObject({ out: true, text: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC', buttons: [], media: 'none' });
    expect(sent.id).toBeGreaterThan(0);
  });

  it('clicks a callback button with the decoded data; a bot response timeout is not fatal', async () => {
    const { fake, chat, gateway } = await setup();
    const menu = await chat.botSays({ text: 'menu', rows: [[{ text: 'Benny Benassi - Satisfaction [4:45]', data: 'pick:1' }]] });
    const [plain] = await gateway.getMessages([menu.id]);
    const button = plain!.buttons[0]!;
    chat.callbackAnswer = (msgId, data) =>
      new Api.messages.BotCallbackAnswer({ cacheTime: 0, message: `clicked ${msgId} ${data.toString()}` });
    expect(await gateway.clickButton(menu.id, button.data!)).toEqual({ message: `clicked ${menu.id} pick:1` });
    const request = fake.callsOf('messages.GetBotCallbackAnswer')[0] as Api.messages.GetBotCallbackAnswer;
    expect(Buffer.from(request.data!).toString()).toBe('pick:1');

    fake.failNext('messages.GetBotCallbackAnswer', 'BOT_RESPONSE_TIMEOUT');
    expect(await gateway.clickButton(menu.id, button.data!)).toEqual({ message: null });
    fake.failNext('messages.GetBotCallbackAnswer', 'MESSAGE_ID_INVALID');
    await expect(gateway.clickButton(menu.id, button.data!)).rejects.toMatchObject({ code: 'MESSAGE_ID_INVALID' });
  });

  it('runs an inline query and sends a chosen result into the bot chat', async () => {
    const { fake, chat, gateway } = await setup();
    chat.inlineResults = [
      new Api.BotInlineMediaResult({
        id: 'doc-1',
        type: 'audio',
        title: 'Satisfaction',
        document: new Api.Document({
          id: bigInt(9001),
          accessHash: bigInt(1),
          fileReference: Buffer.from('r'),
          date: 1,
          mimeType: 'audio/flac',
          size: bigInt(40_000_000),
          dcId: 2,
          attributes: [new Api.DocumentAttributeAudio({ duration: 285, performer: 'Benny Benassi', title: 'Satisfaction' })],
        }),
        sendMessage: new Api.BotInlineMessageMediaAuto({ message: 'FLAC' }),
      }),
      new Api.BotInlineResult({ id: 'later-2', type: 'article', title: 'Benny Benassi - Satisfaction', sendMessage: new Api.BotInlineMessageText({ message: 'x' }) }),
    ];
    const results = await gateway.inlineQuery('Benny Benassi - Satisfaction');
    const query = fake.callsOf('messages.GetInlineBotResults')[0] as Api.messages.GetInlineBotResults;
    expect(query.query).toBe('Benny Benassi - Satisfaction');
    expect(query.bot).toBeInstanceOf(Api.InputUser);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ queryId: '8000000000000000001', resultId: 'doc-1', document: { id: '9001', performer: 'Benny Benassi', durationSec: 285 } });
    expect(results[1]).toMatchObject({ resultId: 'later-2', document: null });

    const sent = await gateway.sendInlineResult(results[1]!);
    const send = fake.callsOf('messages.SendInlineBotResult')[0] as Api.messages.SendInlineBotResult;
    expect(send.queryId.toString()).toBe('8000000000000000001');
    expect(send.id).toBe('later-2');
    expect(sent).toMatchObject({ out: true, text: 'inline:later-2' });
    expect(chat.message(sent.id)?.viaBotId?.toString()).toBe('777000');
  });

  it('reads history after an id, oldest first, walking back over pages', async () => {
    const { fake, chat, gateway } = await setup({ polling: { pageSize: 3 } });
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push((await chat.botSays({ text: `m${i}` }, { dispatch: false })).id);
    const after = await gateway.history({ minId: ids[1]!, limit: 100 });
    expect(after.map((m) => m.text)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    const firstTwo = await gateway.history({ minId: ids[1]!, limit: 2 });
    expect(firstTwo.map((m) => m.text)).toEqual(['m2', 'm3']);
    const historyCalls = fake.callsOf('messages.GetHistory') as Api.messages.GetHistory[];
    expect(historyCalls.every((r) => r.minId === 0 || r.minId === ids[1])).toBe(true);
  });

  it('gets messages by id: null for missing ones and for messages outside the bot chat', async () => {
    const { chat, gateway } = await setup();
    const doc = await chat.botSays({
      document: { id: 77, size: 1234, fileName: 'a.flac', performer: 'A', title: 'T', duration: 61 },
    });
    const [found, missing] = await gateway.getMessages([doc.id, 99_999]);
    expect(found).toMatchObject({ id: doc.id, media: 'document', document: { id: '77', size: 1234, fileName: 'a.flac', durationSec: 61 } });
    expect(missing).toBeNull();
    expect(await gateway.getMessages([])).toEqual([]);
  });
});

describe('GramjsGateway errors', () => {
  it('maps FLOOD_WAIT to the domain FloodWaitError with its seconds; a read flood wait holds every later read', async () => {
    let now = 5_000_000;
    const { fake, gateway } = await setup({ now: () => now });
    await gateway.resolveBot('@LosslessRobot');
    fake.failNext('messages.SendMessage', 'FLOOD_WAIT_42', 420);
    const err = await gateway.sendText('hello').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloodWaitError);
    expect((err as FloodWaitError).seconds).toBe(42);
    fake.failNext('messages.GetInlineBotResults', 'FLOOD_PREMIUM_WAIT_7', 420);
    await expect(gateway.inlineQuery('x')).rejects.toMatchObject({ name: 'FloodWaitError', seconds: 7 });
    // A flood wait on a read: the next read waits until it is over before it asks.
    fake.failNext('messages.GetHistory', 'FLOOD_WAIT_30', 420);
    await expect(gateway.history({ minId: 0, limit: 5 })).rejects.toMatchObject({ seconds: 30 });
    const asked = fake.callsOf('messages.GetHistory').length;
    now += 29_900;
    const read = gateway.history({ minId: 0, limit: 5 });
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.callsOf('messages.GetHistory')).toHaveLength(asked);
    await read;
    expect(fake.callsOf('messages.GetHistory')).toHaveLength(asked + 1);
    // A longer one than a read may wait goes to the caller, with nothing sent.
    fake.failNext('messages.GetHistory', 'FLOOD_WAIT_900', 420);
    await expect(gateway.history({ minId: 0, limit: 5 })).rejects.toMatchObject({ seconds: 900 });
    await expect(gateway.getMessages([1])).rejects.toMatchObject({ name: 'FloodWaitError' });
    expect(fake.callsOf('messages.GetMessages')).toHaveLength(0);
  });

  it('refuses a username that is not a bot account: nothing is sent to it', async () => {
    const { fake, chat, gateway } = await setup();
    fake.on('contacts.ResolveUsername', () =>
      new Api.contacts.ResolvedPeer({ peer: new Api.PeerUser({ userId: chat.otherUser.id }), chats: [], users: [chat.otherUser] }),
    );
    await expect(gateway.resolveBot('@LosslessRobot')).rejects.toMatchObject({ name: 'SafetyStopError', message: expect.stringMatching(/is not a bot account/) });
    await expect(gateway.sendText('hello')).rejects.toMatchObject({ name: 'SafetyStopError' });
    expect(fake.callsOf('messages.SendMessage')).toHaveLength(0);
  });

  it('reports a revoked session as SessionExpiredError / status expired, not a crash', async () => {
    const { fake, gateway } = await setup();
    expect(await gateway.status()).toEqual({ state: 'ready', user: '@owner', detail: null, names: ['Owner', 'owner'] });
    fake.failAll('SESSION_REVOKED', 401);
    const err = await gateway.sendText('hello').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionExpiredError);
    expect((err as SessionExpiredError).code).toBe('SESSION_REVOKED');
    expect((err as Error).message).toMatch(/log in again/);
    const status = await gateway.status();
    expect(status.state).toBe('expired');
    expect(status.detail).toMatch(/SESSION_REVOKED/);
  });

  it('fails connect() with SessionExpiredError when the auth key is unregistered', async () => {
    const { fake, gateway } = await setup({ connect: false });
    fake.failAll('AUTH_KEY_UNREGISTERED', 401);
    await expect(gateway.connect()).rejects.toMatchObject({ name: 'SessionExpiredError', code: 'AUTH_KEY_UNREGISTERED' });
    fake.failAll('USER_DEACTIVATED_BAN', 401);
    await expect(gateway.status()).resolves.toMatchObject({ state: 'expired' });
  });

  it('maps other RPC errors to TelegramRequestError, and a dead link to offline "cannot be reached"', async () => {
    const { fake, gateway } = await setup();
    fake.on('messages.SendMessage', (r) => {
      throw rpcError(r, 'INPUT_USER_DEACTIVATED');
    });
    await expect(gateway.sendText('x')).rejects.toMatchObject({ name: 'TelegramRequestError', code: 'INPUT_USER_DEACTIVATED' });
    // The network goes away under a connected client: refused from now on, live links cut.
    fake.network.setMode('refuse');
    fake.network.dropLinks();
    const status = await gateway.status(500);
    expect(status).toMatchObject({ state: 'offline', detail: expect.stringMatching(/^Telegram cannot be reached \(/) });
    await expect(gateway.sendText('y')).rejects.toMatchObject({ name: 'TelegramUnreachableError' });
  });
});

describe('GramjsGateway incoming messages', () => {
  it('delivers new and edited bot messages from events as plain objects, each once', async () => {
    const { chat, gateway, received, listen } = await setup();
    await gateway.resolveBot('@LosslessRobot');
    listen();
    const menu = await chat.botSays({ text: 'results', rows: [[{ text: 'Row', data: 'r1' }]] });
    await chat.dispatchUpdate(new Api.UpdateNewMessage({ message: menu, pts: 99, ptsCount: 1 })); // duplicate update
    await chat.edit(menu.id, { text: 'quality', rows: [[{ text: 'High (16bit) 💿', data: 'q:high' }]] });
    await chat.someoneElseSays('not from the bot');
    await gateway.sendText('our own message'); // not delivered back to us
    expect(received.map((r) => [r.id, r.kind, r.text])).toEqual([
      [menu.id, 'new', 'results'],
      [menu.id, 'edited', 'quality'],
    ]);
    const edited = received[1]!.message;
    expect(edited.editDate).not.toBeNull();
    expect(edited.buttons).toEqual([{ text: 'High (16bit) 💿', row: 0, column: 0, data: Buffer.from('q:high').toString('base64'), url: null }]);
    expect(Object.getPrototypeOf(edited)).toBe(Object.prototype);
  });

  it('finds a missed update by polling, and the late event is not delivered twice', async () => {
    const { chat, gateway, received, listen } = await setup();
    await chat.botSays({ text: 'old, before we started' }, { dispatch: false });
    await gateway.resolveBot('@LosslessRobot');
    listen();
    await gateway.sendText('link');
    const file = await chat.botSays({ document: { id: 5, size: 100, fileName: 'x.flac' } }, { dispatch: false });
    await gateway.pollNow();
    expect(received.map((r) => [r.id, r.kind])).toEqual([[file.id, 'new']]);
    expect(received[0]!.message.document).toMatchObject({ id: '5', fileName: 'x.flac' });
    // The event GramJS never delivered shows up after all: still once.
    await chat.dispatchUpdate(new Api.UpdateNewMessage({ message: file, pts: 50, ptsCount: 1 }));
    await gateway.pollNow();
    expect(received).toHaveLength(1);
  });

  it('finds a missed edit (our inline message turned into the document) by polling', async () => {
    const { chat, gateway, received, listen } = await setup();
    chat.inlineResults = [new Api.BotInlineResult({ id: 'r', type: 'article', sendMessage: new Api.BotInlineMessageText({ message: 'x' }) })];
    listen();
    const [result] = await gateway.inlineQuery('Artist - Title');
    const ours = await gateway.sendInlineResult(result!);
    await chat.edit(ours.id, { text: 'Подождите, трек скоро скачается.' }, { dispatch: false });
    await gateway.pollNow();
    await chat.edit(ours.id, { document: { id: 8, size: 10 } }, { dispatch: false });
    await gateway.pollNow();
    await gateway.pollNow();
    expect(received.map((r) => [r.id, r.kind, r.message.media])).toEqual([
      [ours.id, 'edited', 'none'],
      [ours.id, 'edited', 'document'],
    ]);
    expect(received.every((r) => r.message.out)).toBe(true);
  });

  it('polls on its own timer after a request, and catches up beyond one page', async () => {
    const { chat, gateway, received, listen } = await setup({ polling: { activeIntervalMs: 10, pageSize: 2 } });
    listen();
    await gateway.sendText('go');
    for (let i = 0; i < 5; i++) await chat.botSays({ text: `late ${i}` }, { dispatch: false });
    await expect.poll(() => received.length, { timeout: 2_000, interval: 10 }).toBe(5);
    expect(received.map((r) => r.text)).toEqual(['late 0', 'late 1', 'late 2', 'late 3', 'late 4']);
  });

  it('pauses polling for the length of a flood wait instead of failing, and stops after unsubscribe', async () => {
    let now = 1_000_000;
    const { fake, chat, gateway, received, listen } = await setup({ now: () => now });
    const stop = listen();
    await gateway.resolveBot('@LosslessRobot');
    fake.failNext('messages.GetHistory', 'FLOOD_WAIT_30', 420);
    await gateway.pollNow();
    await chat.botSays({ text: 'after the wait' }, { dispatch: false });
    const calls = fake.callsOf('messages.GetHistory').length;
    now += 29_000;
    await gateway.pollNow();
    expect(fake.callsOf('messages.GetHistory')).toHaveLength(calls);
    expect(received).toEqual([]);
    now += 2_000;
    await gateway.pollNow();
    expect(received.map((r) => r.text)).toEqual(['after the wait']);
    stop();
    const before = fake.callsOf('messages.GetHistory').length;
    await gateway.pollNow();
    expect(fake.callsOf('messages.GetHistory')).toHaveLength(before);
  });

  it('isolates a failing subscriber from the others', async () => {
    const { chat, gateway, received, listen } = await setup();
    await gateway.resolveBot('@LosslessRobot');
    gateway.onMessage(() => {
      throw new Error('subscriber bug');
    });
    listen();
    await chat.botSays({ text: 'hello' });
    expect(received.map((r) => r.text)).toEqual(['hello']);
  });
});
