/**
 * The account side of the fake Telegram: the owner, the bot (a SimulatedLosslessBot) and their chat,
 * answering the requests that reach a FakeTelegramNetwork and pushing the bot's messages to the
 * client as updates. It knows nothing of the client: the client may run in this process
 * (gramjs-adapter.ts) or in another one, over a TCP tunnel (test/fakes/mtproto/tcp-tunnel-*.ts).
 */
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { DeferredFilePart, SimRpcError, type FakeTelegramNetwork, type NetworkRecord } from '../mtproto/fake-network.js';
import type { BotMessage } from '../../../src/domain/telegram.js';
import { SimFloodWait, type SimulatedLosslessBot } from './core.js';

export interface SimulatedAccountOptions {
  /** The bot's username, without @ (e.g. "LosslessRobot"). */
  botUsername: string;
  /** The bot's access hash for this account (Telegram refuses a peer with another one: PEER_ID_INVALID). */
  botAccessHash?: string;
  /** Every document's first upload.GetFile fails with FILE_REFERENCE_EXPIRED; re-fetched messages carry a new reference. */
  fileReferenceExpiredOnce?: boolean;
  /** Files live in this DC while documents advertise the main DC: the first GetFile gets FILE_MIGRATE_X. */
  migrateDc?: number;
  /** Whether the account is logged in (updates.GetState / users.GetUsers fail with AUTH_KEY_UNREGISTERED otherwise). */
  authorized?: boolean;
  /** The owner's account. */
  self?: { firstName?: string; username?: string; phone?: string };
  /** Extra request handlers by className (e.g. 'auth.SendCode'); return undefined to fall through. */
  handlers?: Record<string, RequestHandler>;
}

export type RequestHandler = (request: any, context: { dcId: number; link: SimulatedLink }) => unknown;

export type SimRequestRecord = NetworkRecord;

export interface SimulatedLink {
  bot: SimulatedLosslessBot;
  /** The fake Telegram under the client: link conditions (outages, black holes, hangs, RPC errors). */
  network: FakeTelegramNetwork;
  readonly mainDcId: number;
  /** Every request the client sent, in order. */
  requests: SimRequestRecord[];
  /** Total upload.GetFile bytes served (all DCs). */
  bytesServed(): number;
  /** Makes the next request of this class (or '*') fail with the given RPC error. */
  failNext(className: string, errorMessage: string, code?: number): void;
  /** Every request from now on fails: the session was revoked / the key unregistered. */
  revoke(errorMessage?: 'SESSION_REVOKED' | 'AUTH_KEY_UNREGISTERED' | 'USER_DEACTIVATED'): void;
  /** The document's current file reference stops working; re-fetched messages carry a new one. */
  expireFileReference(documentId: string): void;
  /** Messages built from now on advertise this size for the document (the bytes served stay the same). */
  misreportSize(documentId: string, size: number): void;
  /** Most upload.GetFile requests that were in flight at the same time. */
  maxConcurrentGetFile(): number;
  setLatency(ms: number | [number, number]): void;
  setBandwidth(bytesPerSec: number | undefined): void;
  setAuthorized(authorized: boolean): void;
  /** Adds or replaces a request handler by className. */
  handle(className: string, handler: RequestHandler): void;
  /** Resolves when every bot message so far has been dispatched to the client's handlers. */
  flushUpdates(): Promise<void>;
  /** Stops forwarding bot messages to the client. */
  close(): void;
}

const MiB = 1024 * 1024;

/** Makes `network` answer as Telegram does for the owner's account and its chat with `bot`. */
export function simulateAccount(
  bot: SimulatedLosslessBot,
  network: FakeTelegramNetwork,
  options: SimulatedAccountOptions,
): SimulatedLink {
  const mainDcId = network.mainDcId;
  const fileDcId = options.migrateDc ?? mainDcId;

  const botUser = new Api.User({
    id: bigInt(bot.botUserId),
    accessHash: bigInt(options.botAccessHash ?? '918273645501'),
    bot: true,
    botInfoVersion: 1,
    firstName: 'Lossless',
    username: options.botUsername,
    botInlinePlaceholder: 'Поиск треков',
  });
  const selfUser = new Api.User({
    id: bigInt(bot.selfUserId),
    accessHash: bigInt('1122334455'),
    self: true,
    firstName: options.self?.firstName ?? 'Owner',
    ...(options.self?.username ? { username: options.self.username } : {}),
    ...(options.self?.phone ? { phone: options.self.phone } : {}),
  });

  let authorized = options.authorized ?? true;
  let revoked: string | null = null;
  let served = 0;
  let pts = 1;
  const handlers = new Map<string, RequestHandler>(Object.entries(options.handlers ?? {}));
  const references = new Map<string, number>(); // document id → reference version
  const expiredOnce = new Set<string>();
  const sizeOverrides = new Map<string, number>();

  const reference = (documentId: string) =>
    Buffer.from(`ref:${documentId}:${references.get(documentId) ?? 0}`, 'utf8');

  // ─────────────── plain data → TL objects ───────────────

  const toApiDocument = (documentId: string): Api.Document => {
    const doc = bot.document(documentId);
    if (!doc) throw new Error(`simulator: unknown document ${documentId}`);
    const f = doc.facts;
    return new Api.Document({
      id: bigInt(f.id),
      accessHash: bigInt(doc.accessHash),
      fileReference: reference(f.id),
      date: Math.floor(bot.clock.now() / 1000),
      mimeType: f.mimeType ?? 'application/octet-stream',
      size: bigInt(sizeOverrides.get(f.id) ?? f.size),
      dcId: mainDcId,
      attributes: [
        new Api.DocumentAttributeAudio({
          duration: f.durationSec ?? 0,
          ...(f.title !== null ? { title: f.title } : {}),
          ...(f.performer !== null ? { performer: f.performer } : {}),
        }),
        ...(f.fileName !== null ? [new Api.DocumentAttributeFilename({ fileName: f.fileName })] : []),
      ],
    });
  };

  const keyboardOf = (buttons: BotMessage['buttons']): Api.ReplyInlineMarkup | undefined => {
    const rows = new Map<number, Api.TypeKeyboardButton[]>();
    for (const b of [...buttons].sort((a, c) => a.row - c.row || a.column - c.column)) {
      const button = b.data !== null
        ? new Api.KeyboardButtonCallback({ text: b.text, data: Buffer.from(b.data, 'base64') })
        : new Api.KeyboardButtonUrl({ text: b.text, url: b.url ?? '' });
      rows.set(b.row, [...(rows.get(b.row) ?? []), button]);
    }
    return rows.size > 0 ? new Api.ReplyInlineMarkup({ rows: [...rows.values()].map((row) => new Api.KeyboardButtonRow({ buttons: row })) }) : undefined;
  };

  const toApiMessage = (m: BotMessage): Api.Message => {
    const replyMarkup = keyboardOf(m.buttons);
    let media: Api.TypeMessageMedia | undefined;
    if (m.media === 'document' && m.document) media = new Api.MessageMediaDocument({ document: toApiDocument(m.document.id) });
    if (m.media === 'photo') {
      media = new Api.MessageMediaPhoto({
        photo: new Api.Photo({
          id: bigInt(900_000 + m.id),
          accessHash: bigInt(77),
          fileReference: Buffer.from('photo'),
          date: m.date,
          sizes: [new Api.PhotoSize({ type: 'x', w: 800, h: 800, size: 34_000 })],
          dcId: mainDcId,
        }),
      });
    }
    // Saved Messages is the owner's chat with themself: its peer is the owner's own user.
    const chatPeer = bot.chatOf(m.id) === 'saved' ? bot.selfUserId : bot.botUserId;
    return new Api.Message({
      id: m.id,
      out: m.out,
      peerId: new Api.PeerUser({ userId: bigInt(chatPeer) }),
      ...(m.out ? { fromId: new Api.PeerUser({ userId: bigInt(bot.selfUserId) }) } : {}),
      ...(bot.sentViaBot(m.id) ? { viaBotId: bigInt(bot.botUserId) } : {}),
      date: m.date,
      message: m.text,
      ...(media ? { media } : {}),
      ...(replyMarkup ? { replyMarkup } : {}),
      ...(m.editDate !== null ? { editDate: m.editDate } : {}),
      ...(m.replyToMessageId !== null ? { replyTo: new Api.MessageReplyHeader({ replyToMsgId: m.replyToMessageId }) } : {}),
    });
  };

  const messagesResult = (list: (BotMessage | null)[], ids?: number[], count?: number) => {
    const fields = {
      messages: list.map((m, i) => (m ? toApiMessage(m) : new Api.MessageEmpty({ id: ids?.[i] ?? 0 }))),
      chats: [],
      users: [botUser, selfUser],
      topics: [],
    };
    // Like Telegram: a slice (with the total count) when there is more than was returned.
    return count !== undefined && count > list.length
      ? new Api.messages.MessagesSlice({ ...fields, count })
      : new Api.messages.Messages(fields);
  };

  // ─────────────── errors ───────────────

  const rpc = (code: number, message: string, _request: Api.AnyRequest): Error => new SimRpcError(code, message);

  // Like Telegram: the id alone is not enough, the access hash must be the one this account was given.
  /** The owner's own chat (Saved Messages): InputPeerSelf, or the owner's id with their access hash. */
  const isSelfPeer = (peer: unknown): boolean =>
    peer instanceof Api.InputPeerSelf ||
    (peer instanceof Api.InputPeerUser && peer.userId.equals(selfUser.id) && peer.accessHash.equals(selfUser.accessHash!));

  const isBotPeer = (peer: unknown): boolean =>
    (peer instanceof Api.InputPeerUser || peer instanceof Api.InputUser) &&
    peer.userId.equals(botUser.id) &&
    peer.accessHash.equals(botUser.accessHash!);

  const userAction = <T>(request: Api.AnyRequest, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SimFloodWait) throw rpc(420, `FLOOD_WAIT_${err.seconds}`, request);
      throw err;
    }
  };

  // ─────────────── requests ───────────────

  async function answer(request: any, dcId: number): Promise<unknown> {
    const className: string = request.className;
    if (revoked) throw rpc(401, revoked, request);
    const custom = handlers.get(className);
    if (custom) {
      const result = await custom(request, { dcId, link });
      if (result !== undefined) return result;
    }
    const needsAuth = !className.startsWith('auth.') && className !== 'help.GetConfig';
    if (needsAuth && !authorized) throw rpc(401, 'AUTH_KEY_UNREGISTERED', request);

    if (request instanceof Api.updates.GetState) {
      return new Api.updates.State({ pts, qts: 0, date: Math.floor(bot.clock.now() / 1000), seq: 1, unreadCount: 0 });
    }
    if (request instanceof Api.users.GetUsers) {
      return request.id.map((u: unknown) => (u instanceof Api.InputUserSelf ? selfUser : isBotPeer(u) ? botUser : new Api.UserEmpty({ id: bigInt(0) })));
    }
    if (request instanceof Api.contacts.ResolveUsername) {
      if (request.username.toLowerCase() !== options.botUsername.toLowerCase()) throw rpc(400, 'USERNAME_NOT_OCCUPIED', request);
      return new Api.contacts.ResolvedPeer({ peer: new Api.PeerUser({ userId: botUser.id }), chats: [], users: [botUser] });
    }
    if (request instanceof Api.messages.SendMessage) {
      if (!isBotPeer(request.peer)) throw rpc(400, 'PEER_ID_INVALID', request);
      const ours = userAction(request, () => bot.sendText(request.message));
      pts++;
      return new Api.UpdateShortSentMessage({ out: true, id: ours.id, pts, ptsCount: 1, date: ours.date });
    }
    if (request instanceof Api.messages.GetBotCallbackAnswer) {
      if (!isBotPeer(request.peer)) throw rpc(400, 'PEER_ID_INVALID', request);
      if (!request.data) throw rpc(400, 'DATA_INVALID', request);
      const data = Buffer.from(request.data).toString('base64');
      const result = userAction(request, () => bot.clickButton(Number(request.msgId), data));
      return new Api.messages.BotCallbackAnswer({
        ...(result.message !== null ? { message: result.message } : {}),
        cacheTime: 0,
      });
    }
    if (request instanceof Api.messages.GetInlineBotResults) {
      if (!isBotPeer(request.bot)) throw rpc(400, 'BOT_INVALID', request);
      const results = userAction(request, () => bot.inlineQuery(request.query));
      const queryId = results[0]?.queryId ?? '0';
      return new Api.messages.BotResults({
        queryId: bigInt(queryId),
        cacheTime: 0,
        users: [botUser],
        // The message each result sends carries the result's own words and keyboard (a wait button on a pending one).
        results: results.map((r) => {
          const replyMarkup = keyboardOf(r.buttons ?? []);
          const keyboard = replyMarkup ? { replyMarkup } : {};
          return r.document
            ? new Api.BotInlineMediaResult({
                id: r.resultId,
                type: 'audio',
                document: toApiDocument(r.document.id),
                ...(r.title !== null ? { title: r.title } : {}),
                ...(r.description !== null ? { description: r.description } : {}),
                sendMessage: new Api.BotInlineMessageMediaAuto({ message: r.text ?? 'FLAC', ...keyboard }),
              })
            : new Api.BotInlineResult({
                id: r.resultId,
                type: 'article',
                ...(r.title !== null ? { title: r.title } : {}),
                ...(r.description !== null ? { description: r.description } : {}),
                sendMessage: new Api.BotInlineMessageText({ message: r.text || r.title || '', ...keyboard }),
              });
        }),
      });
    }
    if (request instanceof Api.messages.SendInlineBotResult) {
      // A chosen result may go to any chat: the bot's, or the owner's Saved Messages.
      const to = isBotPeer(request.peer) ? 'bot' : isSelfPeer(request.peer) ? 'saved' : null;
      if (to === null) throw rpc(400, 'PEER_ID_INVALID', request);
      const ours = userAction(request, () =>
        bot.sendInlineResult({ queryId: request.queryId.toString(), resultId: request.id }, to),
      );
      pts++;
      const message = toApiMessage(ours);
      return new Api.Updates({
        updates: [
          new Api.UpdateMessageID({ id: ours.id, randomId: request.randomId }),
          new Api.UpdateNewMessage({ message, pts, ptsCount: 1 }),
        ],
        users: [botUser, selfUser],
        chats: [],
        date: ours.date,
        seq: 0,
      });
    }
    if (request instanceof Api.messages.GetHistory) {
      const saved = isSelfPeer(request.peer);
      if (!saved && !isBotPeer(request.peer)) throw rpc(400, 'PEER_ID_INVALID', request);
      const minId = request.minId ?? 0;
      const chat = saved ? bot.savedMessages().filter((m) => m.id > minId) : bot.history({ minId, limit: Number.MAX_SAFE_INTEGER });
      // Telegram order: newest first, starting below offsetId, shifted by addOffset, within (minId, maxId).
      let list = chat.reverse();
      if (request.maxId) list = list.filter((m) => m.id < request.maxId);
      let start = 0;
      if (request.offsetId) {
        start = list.findIndex((m) => m.id < request.offsetId);
        if (start < 0) start = list.length;
      }
      start = Math.max(0, start + (request.addOffset ?? 0));
      const limit = Math.min(Math.max(request.limit ?? 100, 0) || 100, 100);
      return messagesResult(list.slice(start, start + limit), undefined, list.length);
    }
    if (request instanceof Api.messages.GetMessages) {
      const ids = request.id.map((i: Api.TypeInputMessage) => (i instanceof Api.InputMessageID ? i.id : 0));
      return messagesResult(bot.getMessages(ids), ids);
    }
    if (request instanceof Api.upload.GetFile) return getFile(request, dcId);
    throw new Error(`simulator: no answer for ${className}`);
  }

  function getFile(request: Api.upload.GetFile, dcId: number): DeferredFilePart {
    const location = request.location;
    if (!(location instanceof Api.InputDocumentFileLocation)) throw rpc(400, 'LOCATION_INVALID', request);
    const id = location.id.toString();
    const doc = bot.document(id);
    // TL longs are signed: compare as 64-bit patterns.
    if (!doc || BigInt.asUintN(64, BigInt(doc.accessHash)) !== BigInt.asUintN(64, BigInt(location.accessHash.toString()))) throw rpc(400, 'FILE_ID_INVALID', request);
    if (dcId !== fileDcId) throw rpc(303, `FILE_MIGRATE_${fileDcId}`, request);
    if (location.fileReference.length === 0) throw rpc(400, 'FILE_REFERENCE_EMPTY', request);
    if (options.fileReferenceExpiredOnce && !expiredOnce.has(id)) {
      expiredOnce.add(id);
      link.expireFileReference(id);
    }
    if (!Buffer.from(location.fileReference).equals(reference(id))) throw rpc(400, 'FILE_REFERENCE_EXPIRED', request);
    // https://core.telegram.org/api/files: offset and limit multiples of 4 KiB, 1 MiB divisible by
    // limit, one request never crosses a 1 MiB boundary ("precise" relaxes this to 1 KiB steps).
    const offset = request.offset.toJSNumber();
    const limit = request.limit;
    if (request.precise) {
      if (limit <= 0 || limit % 1024 !== 0 || limit > MiB) throw rpc(400, 'LIMIT_INVALID', request);
      if (offset % 1024 !== 0) throw rpc(400, 'OFFSET_INVALID', request);
    } else {
      if (limit <= 0 || limit % 4096 !== 0 || MiB % limit !== 0) throw rpc(400, 'LIMIT_INVALID', request);
      if (offset % 4096 !== 0 || Math.floor(offset / MiB) !== Math.floor((offset + limit - 1) / MiB)) {
        throw rpc(400, 'OFFSET_INVALID', request);
      }
    }
    if (offset > doc.facts.size) throw rpc(400, 'OFFSET_INVALID', request);
    // The bytes are built when the part leaves (after its wait for the link), not now.
    const length = Math.max(0, Math.min(doc.image.size, offset + limit) - offset);
    const mtime = Math.floor(bot.clock.now() / 1000);
    served += length;
    return new DeferredFilePart(length, mtime, (out, at) => {
      const written = doc.image.readInto(offset, length, out, at);
      if (written !== length) throw new Error(`simulator: part at ${offset} has ${written} bytes, expected ${length}`);
    });
  }

  // ─────────────── transport ───────────────

  network.setResponder((request, context) => answer(request, context.dcId));

  // ─────────────── updates: pushed by the server through the transport ───────────────

  const unsubscribe = bot.onMessage((m, kind) => {
    pts++;
    const message = toApiMessage(m);
    const update =
      kind === 'new'
        ? new Api.UpdateNewMessage({ message, pts, ptsCount: 1 })
        : new Api.UpdateEditMessage({ message, pts, ptsCount: 1 });
    network.pushUpdates(new Api.Updates({ updates: [update], users: [botUser, selfUser], chats: [], date: m.date, seq: 0 }));
  });

  const link: SimulatedLink = {
    bot,
    mainDcId,
    network,
    requests: network.records,
    bytesServed: () => served,
    failNext: (className, errorMessage, code = 400) => network.failNext(className, errorMessage, code),
    revoke: (errorMessage = 'SESSION_REVOKED') => {
      revoked = errorMessage;
    },
    expireFileReference: (documentId) => references.set(documentId, (references.get(documentId) ?? 0) + 1),
    misreportSize: (documentId, size) => sizeOverrides.set(documentId, size),
    maxConcurrentGetFile: () => network.maxConcurrent('upload.GetFile'),
    setLatency: (ms) => network.setLatency(ms),
    setBandwidth: (bps) => network.setBandwidth(bps),
    setAuthorized: (value) => {
      authorized = value;
    },
    handle: (className, handler) => handlers.set(className, handler),
    flushUpdates: () => network.flush(),
    close: () => unsubscribe(),
  };
  return link;
}
