/**
 * A real GramJS TelegramClient on a fake Telegram (test/fakes/mtproto/): GramJS connects, invokes,
 * resolves entities and dispatches updates with its own code over real MTProto; only the
 * server's answers are the test's. Requests are answered by handlers per className; errors are
 * RPC errors the server sends, so GramJS builds the same classes real Telegram answers become
 * (FloodWaitError, RPCError with errorMessage...). Updates are pushed by the server.
 *
 * FakeBotChat, below, is a minimal private chat with a bot on top of it.
 */
import bigInt from 'big-integer';
import { Api, TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger.js';
import { StringSession } from 'telegram/sessions/index.js';
import { telegramClientParams } from '../../src/telegram/client-params.js';
import { FakeTelegramNetwork, SimRpcError } from './mtproto/fake-network.js';

export type FakeHandler = (request: any) => unknown;

/** What a handler throws so that Telegram answers `request` with this RPC error. */
export function rpcError(_request: unknown, errorMessage: string, code = 400): Error {
  return new SimRpcError(code, errorMessage);
}

export interface FakeTelegram {
  client: TelegramClient;
  network: FakeTelegramNetwork;
  /** Every account request the server received, in order (as parsed from the wire). */
  calls: any[];
  callsOf(className: string): any[];
  on(className: string, handler: FakeHandler): void;
  /** The next request of this class (or '*') fails with the RPC error. */
  failNext(className: string, errorMessage: string, code?: number): void;
  /** Every request from now on fails with this RPC error (a revoked session); null stops it. */
  failAll(errorMessage: string | null, code?: number): void;
  /** Pushes updates from the server and waits until the client has read them. */
  dispatch(updates: Api.Updates): Promise<void>;
  /** Connections the client opened to the main DC. */
  readonly connects: number;
}

/** A session with a DC and an auth key, as after a real login (the fake network is told to trust it). */
export async function loggedInSession(): Promise<StringSession> {
  const network = new FakeTelegramNetwork();
  const session = network.sessionSync();
  await session.load();
  return session;
}

/** Requests every connection makes on its own; not what a test asked for. */
const TRANSPORT_REQUESTS = new Set(['help.GetConfig', 'auth.ExportAuthorization', 'auth.ImportAuthorization']);

export function createFakeTelegramClient(
  options: { session?: StringSession; network?: FakeTelegramNetwork; clientParams?: Record<string, unknown> } = {},
): FakeTelegram {
  const network = options.network ?? new FakeTelegramNetwork();
  const session = options.session ?? network.freshSession();
  network.trustSession(session);
  const client = new TelegramClient(session, 12345, '0123456789abcdef0123456789abcdef', {
    ...telegramClientParams(new Logger(LogLevel.NONE)),
    ...options.clientParams,
    networkSocket: network.socketClass(),
  });
  const handlers = new Map<string, FakeHandler>();
  let failEverything: { errorMessage: string; code: number } | null = null;

  const fake: FakeTelegram = {
    client,
    network,
    calls: [],
    get connects() {
      return network.opened.get(network.mainDcId) ?? 0;
    },
    callsOf: (className) => fake.calls.filter((c) => c.className === className),
    on: (className, handler) => handlers.set(className, handler),
    failNext: (className, errorMessage, code = 400) => network.failNext(className, errorMessage, code),
    failAll: (errorMessage, code = 401) => {
      failEverything = errorMessage === null ? null : { errorMessage, code };
    },
    dispatch: async (updates) => {
      network.pushUpdates(updates);
      await network.flush();
    },
  };

  network.setResponder(async (request: any) => {
    if (!TRANSPORT_REQUESTS.has(request.className)) fake.calls.push(request);
    if (failEverything) throw new SimRpcError(failEverything.code, failEverything.errorMessage);
    const handler = handlers.get(request.className);
    if (!handler) throw new SimRpcError(400, `FAKE_NO_ANSWER_${String(request.className).replace(/\W/g, '_').toUpperCase()}`);
    return handler(request);
  });
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
