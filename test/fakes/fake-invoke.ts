/**
 * A real GramJS TelegramClient that never touches the network: only `invoke` (and `connect`,
 * which would open a socket) are replaced. Requests are answered by handlers per className;
 * results go into the session and entity cache as GramJS's own invoke does; errors are built by
 * GramJS's RPCMessageToError, so they are the classes real Telegram answers become
 * (FloodWaitError, RPCError with errorMessage...). Incoming updates go through GramJS's own
 * `_dispatchUpdate`, so event builders (NewMessage, EditedMessage) run as in production.
 *
 * FakeBotChat, below, is a minimal private chat with a bot on top of it.
 */
import bigInt from 'big-integer';
import { Api, TelegramClient, utils } from 'telegram';
import { RPCMessageToError } from 'telegram/errors/index.js';
import { Logger, LogLevel } from 'telegram/extensions/Logger.js';
import { StringSession } from 'telegram/sessions/index.js';
import { AuthKey } from 'telegram/crypto/AuthKey.js';
import { _dispatchUpdate } from 'telegram/client/updates.js';

export type FakeHandler = (request: any) => unknown;

/** The error GramJS raises when Telegram answers `request` with this RPC error. */
export function rpcError(request: any, errorMessage: string, code = 400): Error {
  return RPCMessageToError(new Api.RpcError({ errorCode: code, errorMessage }), request);
}

export interface FakeTelegram {
  client: TelegramClient;
  /** Every request invoked, in order (after GramJS resolved its entity fields). */
  calls: any[];
  callsOf(className: string): any[];
  on(className: string, handler: FakeHandler): void;
  /** The next request of this class (or '*') fails with the RPC error. */
  failNext(className: string, errorMessage: string, code?: number): void;
  /** Every request from now on fails with this RPC error (a revoked session). */
  failAll(errorMessage: string | null, code?: number): void;
  /** Delivers updates as GramJS does for an Updates container: entities first, then each handler, awaited. */
  dispatch(updates: Api.Updates): Promise<void>;
  connects: number;
}

/** A StringSession that has a DC and an auth key, so GramJS can save() it as a real login would. */
export async function loggedInSession(): Promise<StringSession> {
  const session = new StringSession('');
  session.setDC(2, '149.154.167.50', 443);
  const key = new AuthKey();
  await key.setKey(Buffer.alloc(256, 7));
  session.setAuthKey(key);
  return session;
}

export function createFakeTelegramClient(options: { session?: StringSession } = {}): FakeTelegram {
  const session = options.session ?? new StringSession('');
  const client = new TelegramClient(session, 12345, '0123456789abcdef0123456789abcdef', {
    baseLogger: new Logger(LogLevel.NONE),
    connectionRetries: 1,
    autoReconnect: false,
    floodSleepThreshold: 0,
  });
  const internals = client as any;
  const handlers = new Map<string, FakeHandler>();
  const failures: { className: string; errorMessage: string; code: number }[] = [];
  let failEverything: { errorMessage: string; code: number } | null = null;

  const fake: FakeTelegram = {
    client,
    calls: [],
    connects: 0,
    callsOf: (className) => fake.calls.filter((c) => c.className === className),
    on: (className, handler) => handlers.set(className, handler),
    failNext: (className, errorMessage, code = 400) => failures.push({ className, errorMessage, code }),
    failAll: (errorMessage, code = 401) => {
      failEverything = errorMessage === null ? null : { errorMessage, code };
    },
    dispatch: async (updates) => {
      internals._entityCache.add(updates);
      client.session.processEntities(updates);
      const entities = new Map<string, unknown>();
      for (const x of [...updates.users, ...updates.chats]) entities.set(utils.getPeerId(x), x);
      for (const u of updates.updates) {
        (u as any)._entities = entities;
        await _dispatchUpdate(client, { update: u, others: updates.updates } as any);
      }
    },
  };

  internals.connect = async () => {
    fake.connects++;
    return true;
  };
  internals.invoke = async (request: any) => {
    await request.resolve(client, utils);
    fake.calls.push(request);
    const rpc = (code: number, message: string) => rpcError(request, message, code);
    if (failEverything) throw rpc(failEverything.code, failEverything.errorMessage);
    const failure = failures.findIndex((f) => f.className === request.className || f.className === '*');
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      throw rpc(f!.code, f!.errorMessage);
    }
    const handler = handlers.get(request.className);
    if (!handler) throw new Error(`fake Telegram: no answer for ${request.className}`);
    const result = await handler(request);
    // What GramJS's invoke does with every result: learn the users and chats in it.
    client.session.processEntities(result);
    internals._entityCache.add(result);
    return result;
  };
  return fake;
}

export interface ChatButton {
  text: string;
  data?: string;
  url?: string;
}

export interface BotSays {
  text?: string;
  rows?: ChatButton[][];
  document?: {
    id: number;
    size: number;
    mimeType?: string;
    fileName?: string;
    performer?: string;
    title?: string;
    duration?: number;
  };
  photo?: boolean;
  replyTo?: number;
}

/** A private chat between the owner and a bot, served over a FakeTelegram. */
export class FakeBotChat {
  readonly botUser: Api.User;
  readonly selfUser: Api.User;
  readonly otherUser: Api.User;
  private readonly messages = new Map<number, Api.Message>();
  private nextId = 100;
  private now = 1_767_225_600; // 2026-01-01
  private pts = 1;
  callbackAnswer: (msgId: number, data: Buffer) => Api.messages.BotCallbackAnswer = () =>
    new Api.messages.BotCallbackAnswer({ cacheTime: 0 });
  inlineResults: Api.TypeBotInlineResult[] = [];

  constructor(
    readonly fake: FakeTelegram,
    readonly botUsername = 'LosslessRobot',
  ) {
    this.botUser = new Api.User({ id: bigInt(777000), accessHash: bigInt('5551234'), bot: true, botInfoVersion: 1, firstName: 'Lossless', username: botUsername });
    this.selfUser = new Api.User({ id: bigInt(42), accessHash: bigInt('99'), self: true, firstName: 'Owner', username: 'owner' });
    this.otherUser = new Api.User({ id: bigInt(31337), accessHash: bigInt('7'), firstName: 'Someone' });
    this.install();
  }

  get all(): Api.Message[] {
    return [...this.messages.values()].sort((a, b) => a.id - b.id);
  }

  message(id: number): Api.Message | undefined {
    return this.messages.get(id);
  }

  /** A message from the bot; dispatched as an UpdateNewMessage unless `dispatch` is false (a missed update). */
  async botSays(says: BotSays, options: { dispatch?: boolean } = {}): Promise<Api.Message> {
    const message = this.build(this.nextId++, says, false);
    this.messages.set(message.id, message);
    if (options.dispatch ?? true) await this.dispatchUpdate(new Api.UpdateNewMessage({ message, pts: ++this.pts, ptsCount: 1 }));
    return message;
  }

  /** Edits a message of the chat; dispatched as an UpdateEditMessage unless `dispatch` is false. */
  async edit(id: number, says: BotSays, options: { dispatch?: boolean } = {}): Promise<Api.Message> {
    const old = this.messages.get(id);
    if (!old) throw new Error(`fake chat: no message ${id}`);
    this.now += 1;
    const message = this.build(id, says, Boolean(old.out), this.now);
    this.messages.set(id, message);
    if (options.dispatch ?? true) await this.dispatchUpdate(new Api.UpdateEditMessage({ message, pts: ++this.pts, ptsCount: 1 }));
    return message;
  }

  /** A message in another private chat, dispatched: must never reach the bot-chat subscribers. */
  async someoneElseSays(text: string): Promise<void> {
    const message = new Api.Message({
      id: this.nextId++,
      peerId: new Api.PeerUser({ userId: this.otherUser.id }),
      fromId: new Api.PeerUser({ userId: this.otherUser.id }),
      date: this.now,
      message: text,
    });
    await this.dispatchUpdate(new Api.UpdateNewMessage({ message, pts: ++this.pts, ptsCount: 1 }));
  }

  async dispatchUpdate(update: Api.TypeUpdate): Promise<void> {
    await this.fake.dispatch(
      new Api.Updates({ updates: [update], users: [this.botUser, this.selfUser, this.otherUser], chats: [], date: this.now, seq: 0 }),
    );
  }

  private build(id: number, says: BotSays, out: boolean, editDate?: number): Api.Message {
    let media: Api.TypeMessageMedia | undefined;
    if (says.document) {
      const d = says.document;
      media = new Api.MessageMediaDocument({
        document: new Api.Document({
          id: bigInt(d.id),
          accessHash: bigInt(1),
          fileReference: Buffer.from('ref'),
          date: this.now,
          mimeType: d.mimeType ?? 'audio/flac',
          size: bigInt(d.size),
          dcId: 2,
          attributes: [
            new Api.DocumentAttributeAudio({
              duration: d.duration ?? 0,
              ...(d.title !== undefined ? { title: d.title } : {}),
              ...(d.performer !== undefined ? { performer: d.performer } : {}),
            }),
            ...(d.fileName !== undefined ? [new Api.DocumentAttributeFilename({ fileName: d.fileName })] : []),
          ],
        }),
      });
    }
    if (says.photo) {
      media = new Api.MessageMediaPhoto({
        photo: new Api.Photo({
          id: bigInt(5),
          accessHash: bigInt(5),
          fileReference: Buffer.from('p'),
          date: this.now,
          sizes: [new Api.PhotoSize({ type: 'x', w: 10, h: 10, size: 100 })],
          dcId: 2,
        }),
      });
    }
    return new Api.Message({
      id,
      out,
      peerId: new Api.PeerUser({ userId: this.botUser.id }),
      fromId: new Api.PeerUser({ userId: out ? this.selfUser.id : this.botUser.id }),
      date: this.now,
      message: says.text ?? '',
      ...(editDate !== undefined ? { editDate } : {}),
      ...(media ? { media } : {}),
      ...(says.replyTo !== undefined ? { replyTo: new Api.MessageReplyHeader({ replyToMsgId: says.replyTo }) } : {}),
      ...(says.rows
        ? {
            replyMarkup: new Api.ReplyInlineMarkup({
              rows: says.rows.map(
                (row) =>
                  new Api.KeyboardButtonRow({
                    buttons: row.map((b) =>
                      b.url !== undefined
                        ? new Api.KeyboardButtonUrl({ text: b.text, url: b.url })
                        : new Api.KeyboardButtonCallback({ text: b.text, data: Buffer.from(b.data ?? b.text) }),
                    ),
                  }),
              ),
            }),
          }
        : {}),
    });
  }

  private isBot(peer: unknown): boolean {
    return (peer instanceof Api.InputPeerUser || peer instanceof Api.InputUser) && peer.userId.equals(this.botUser.id);
  }

  private messagesResult(list: Api.TypeMessage[]): Api.messages.Messages {
    return new Api.messages.Messages({ messages: list, chats: [], users: [this.botUser, this.selfUser] });
  }

  private install(): void {
    const f = this.fake;
    f.on('users.GetUsers', (r: Api.users.GetUsers) =>
      r.id.map((u) => (u instanceof Api.InputUserSelf ? this.selfUser : this.isBot(u) ? this.botUser : new Api.UserEmpty({ id: bigInt(0) }))),
    );
    f.on('contacts.ResolveUsername', (r: Api.contacts.ResolveUsername) => {
      if (r.username.toLowerCase() !== this.botUsername.toLowerCase()) {
        throw rpcError(r, 'USERNAME_NOT_OCCUPIED');
      }
      return new Api.contacts.ResolvedPeer({ peer: new Api.PeerUser({ userId: this.botUser.id }), chats: [], users: [this.botUser] });
    });
    f.on('messages.SendMessage', (r: Api.messages.SendMessage) => {
      if (!this.isBot(r.peer)) throw new Error('fake chat: sent to someone else');
      const message = this.build(this.nextId++, { text: r.message }, true);
      this.messages.set(message.id, message);
      return new Api.UpdateShortSentMessage({ out: true, id: message.id, pts: ++this.pts, ptsCount: 1, date: message.date });
    });
    f.on('messages.GetBotCallbackAnswer', (r: Api.messages.GetBotCallbackAnswer) => {
      if (!this.isBot(r.peer)) throw new Error('fake chat: clicked in someone else');
      return this.callbackAnswer(r.msgId as number, Buffer.from(r.data ?? Buffer.alloc(0)));
    });
    f.on('messages.GetInlineBotResults', (r: Api.messages.GetInlineBotResults) => {
      if (!this.isBot(r.bot)) throw new Error('fake chat: inline query to someone else');
      return new Api.messages.BotResults({ queryId: bigInt('8000000000000000001'), results: this.inlineResults, cacheTime: 0, users: [this.botUser] });
    });
    f.on('messages.SendInlineBotResult', (r: Api.messages.SendInlineBotResult) => {
      const message = this.build(this.nextId++, { text: `inline:${r.id}` }, true);
      message.viaBotId = this.botUser.id;
      this.messages.set(message.id, message);
      return new Api.Updates({
        updates: [
          new Api.UpdateMessageID({ id: message.id, randomId: r.randomId }),
          new Api.UpdateNewMessage({ message, pts: ++this.pts, ptsCount: 1 }),
        ],
        users: [this.botUser, this.selfUser],
        chats: [],
        date: message.date,
        seq: 0,
      });
    });
    // Telegram's order: newest first, below offsetId, within (minId, maxId), at most `limit`.
    f.on('messages.GetHistory', (r: Api.messages.GetHistory) => {
      if (!this.isBot(r.peer)) throw new Error('fake chat: history of someone else');
      let list = this.all.reverse().filter((m) => m.id > (r.minId ?? 0));
      if (r.maxId) list = list.filter((m) => m.id < r.maxId);
      if (r.offsetId) list = list.filter((m) => m.id < r.offsetId);
      return this.messagesResult(list.slice(0, Math.min(r.limit || 100, 100)));
    });
    f.on('messages.GetMessages', (r: Api.messages.GetMessages) =>
      this.messagesResult(
        r.id.map((i) => {
          const id = i instanceof Api.InputMessageID ? i.id : 0;
          return this.messages.get(id) ?? new Api.MessageEmpty({ id });
        }),
      ),
    );
  }
}
