/**
 * Reading the bot chat for GramjsGateway: history pages (Telegram returns the newest first, so
 * walking back is bounded), messages by id, and which chats Crate may read at all.
 */
import bigInt from 'big-integer';
import { Api, type TelegramClient } from 'telegram';
import type { Logger } from '../logger.js';
import type { ResolvedBot } from './bot-resolver.js';

/** Pages read at most when a read has to walk back to `minId`. */
const HISTORY_MAX_PAGES = 10;

export interface BotChatReaderDeps {
  /** One mapped account request (the gateway's `call`: deadline, domain errors, read flood waits). */
  call<T>(context: string, fn: (client: TelegramClient) => Promise<T>): Promise<T>;
  logger: Logger;
}

interface HistoryPage {
  /** Messages Telegram returned (service messages and empty ones included). */
  raw: number;
  lowestId: number;
  messages: Api.Message[];
}

export class BotChatReader {
  constructor(private readonly deps: BotChatReaderDeps) {}

  async page(bot: ResolvedBot, args: { offsetId: number; minId: number; limit: number }): Promise<HistoryPage> {
    return this.pageOf(bot.inputPeer, 'getHistory', args);
  }

  /**
   * Our inline results in the owner's Saved Messages with id > minId, oldest first: the newest
   * `limit` messages there (one page: what a restart looks for was sent moments before it).
   */
  async savedViaBot(bot: ResolvedBot, selfId: bigInt.BigInteger, minId: number, limit: number): Promise<Api.Message[]> {
    const page = await this.pageOf(new Api.InputPeerSelf(), 'getSavedHistory', { offsetId: 0, minId, limit });
    return page.messages.filter((m) => m.id > minId && isSavedViaBot(m, bot, selfId)).sort((a, b) => a.id - b.id);
  }

  private async pageOf(peer: Api.TypeInputPeer, context: string, args: { offsetId: number; minId: number; limit: number }): Promise<HistoryPage> {
    const result = await this.deps.call(context, (client) =>
      client.invoke(
        new Api.messages.GetHistory({
          peer,
          offsetId: args.offsetId,
          offsetDate: 0,
          addOffset: 0,
          limit: args.limit,
          maxId: 0,
          minId: args.minId,
          hash: bigInt(0),
        }),
      ),
    );
    if (result instanceof Api.messages.MessagesNotModified) return { raw: 0, lowestId: 0, messages: [] };
    const all = result.messages;
    const ids = all.map((m) => m.id);
    return {
      raw: all.length,
      lowestId: ids.length ? Math.min(...ids) : 0,
      messages: all.filter((m): m is Api.Message => m instanceof Api.Message),
    };
  }

  /** The newest `limit` messages of the bot chat, oldest first. */
  async newest(bot: ResolvedBot, limit: number): Promise<Api.Message[]> {
    const page = await this.page(bot, { offsetId: 0, minId: 0, limit });
    return page.messages.sort((a, b) => a.id - b.id);
  }

  /**
   * Every message with id > minId, oldest first, walking back page by page so the oldest ones are
   * included; bounded to HISTORY_MAX_PAGES pages of `pageSize`.
   */
  async since(bot: ResolvedBot, minId: number, pageSize: number): Promise<Api.Message[]> {
    const found = new Map<number, Api.Message>();
    let offsetId = 0;
    for (let pageNo = 0; pageNo < HISTORY_MAX_PAGES; pageNo++) {
      const page = await this.page(bot, { offsetId, minId, limit: pageSize });
      for (const m of page.messages) if (m.id > minId) found.set(m.id, m);
      if (page.raw < pageSize || page.lowestId <= minId + 1) break;
      offsetId = page.lowestId;
      if (pageNo === HISTORY_MAX_PAGES - 1) {
        this.deps.logger.warn({ minId, read: found.size }, 'bot chat history is longer than expected; oldest messages skipped');
      }
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  /** The newest page, plus older pages back to the poll cursor when more arrived than one page. */
  async sinceCursor(bot: ResolvedBot, cursor: number, pageSize: number): Promise<Api.Message[]> {
    const found = new Map<number, Api.Message>();
    let offsetId = 0;
    for (let pageNo = 0; pageNo < HISTORY_MAX_PAGES; pageNo++) {
      const page = await this.page(bot, { offsetId, minId: pageNo === 0 ? 0 : cursor, limit: pageSize });
      for (const m of page.messages) found.set(m.id, m);
      if (page.raw < pageSize || page.lowestId <= cursor + 1) break;
      offsetId = page.lowestId;
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  /** Messages by id (ids are the account's, across its private chats); those `accepts` refuses are null. */
  async byIds(ids: number[], accepts: (message: Api.Message) => boolean): Promise<(Api.Message | null)[]> {
    const result = await this.deps.call('getMessages', (client) =>
      client.invoke(new Api.messages.GetMessages({ id: ids.map((id) => new Api.InputMessageID({ id })) })),
    );
    const byId = new Map<number, Api.Message>();
    if (!(result instanceof Api.messages.MessagesNotModified)) {
      for (const m of result.messages) {
        if (m instanceof Api.Message && accepts(m)) byId.set(m.id, m);
      }
    }
    return ids.map((id) => byId.get(id) ?? null);
  }
}

export function inChatWith(message: Api.Message, bot: ResolvedBot): boolean {
  return message.peerId instanceof Api.PeerUser && message.peerId.userId.equals(bot.id);
}

/**
 * An inline result sent via this bot into the owner's Saved Messages (the chat whose peer is the
 * owner's own user). Anything else the owner keeps there is not the bot's and never read.
 */
export function isSavedViaBot(message: Api.Message, bot: ResolvedBot, selfId: bigInt.BigInteger): boolean {
  return (
    message.peerId instanceof Api.PeerUser &&
    message.peerId.userId.equals(selfId) &&
    message.viaBotId !== undefined &&
    message.viaBotId !== null &&
    message.viaBotId.equals(bot.id)
  );
}
