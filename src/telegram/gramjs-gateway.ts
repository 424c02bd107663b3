import bigInt from 'big-integer';
import { Api, type TelegramClient } from 'telegram';
import { NewMessage, type NewMessageEvent } from 'telegram/events/index.js';
import { EditedMessage } from 'telegram/events/EditedMessage.js';
import type { Logger } from '../logger.js';
import { SessionExpiredError, FloodWaitError, TelegramUnreachableError } from '../domain/errors.js';
import type {
  BotMessage,
  ConnectionChange,
  DownloadOptions,
  DownloadResult,
  BotPeerStore,
  IncomingHandler,
  InlineResultInfo,
  SessionStatus,
  TelegramGateway,
} from '../domain/telegram.js';
import { documentOf, toBotMessage, toInlineResult } from './convert.js';
import { ConnectionKeeper, type ConnectionTiming } from './connection-keeper.js';
import { pause } from './deadline.js';
import { DownloadSlots } from './download-slots.js';
import { downloadDocumentInParts } from './downloader.js';
import { TelegramRequestError, mapTelegramError, rpcErrorCode } from './errors.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { BotResolver, type FloodRecord, type PeerCheck, type ResolvedBot } from './bot-resolver.js';
import { BotChatReader, inChatWith, isSavedViaBot } from './bot-chat-reader.js';
import { randomLong, sentMessage } from './sent-message.js';

export interface PollingOptions {
  /** Gap between polls of the bot chat while we expect replies (after a send, click or inline query). */
  activeIntervalMs: number;
  /** Gap between polls when nothing was sent for `activeWindowMs` (a safety net for very late files). */
  idleIntervalMs: number;
  /** How long after our last request to the bot we keep polling at the active pace. */
  activeWindowMs: number;
  /** Messages read per poll (the newest ones; edits among them are noticed too). At most 100. */
  pageSize: number;
}

export interface GramjsGatewayOptions {
  /** The external bot, e.g. "@LosslessRobot"; resolved lazily when a call needs it. */
  botUsername: string;
  logger: Logger;
  /** Defaults for downloads; per-call options win. */
  download?: Pick<DownloadOptions, 'parallelParts' | 'partSize'>;
  polling?: Partial<PollingOptions>;
  now?: () => number;
  /** Deadlines, health pings and reconnect backoff. */
  timing?: Partial<ConnectionTiming>;
  /** Large downloads at once per data centre (Telegram asks for about 2). Default 2. */
  downloadsPerDc?: number;
  /** Where the bot's peer is kept between starts (SQLite); without it the username is resolved once per gateway. */
  botPeers?: BotPeerStore;
  /** The account's stored FloodWait (the pacer's): ResolveUsername honours it and adds to it. */
  flood?: FloodRecord;
  /**
   * Where a chosen inline result is sent (INLINE_SEND_TO): the bot's chat (default), or the
   * owner's Saved Messages, where its later edit into the document is followed instead.
   */
  inlineSendTo?: 'bot' | 'saved';
}

/** A read waits out a flood wait in force up to this long; a longer one goes to the caller. */
const MAX_READ_FLOOD_WAIT_MS = 5 * 60_000;

const DEFAULT_POLLING: PollingOptions = {
  activeIntervalMs: 5_000,
  idleIntervalMs: 60_000,
  activeWindowMs: 10 * 60_000,
  pageSize: 50,
};

/** What Telegram answers a peer this account may not (or no longer) address with. */
const STALE_PEER_CODES = new Set(['PEER_ID_INVALID', 'USER_ID_INVALID', 'CHANNEL_INVALID', 'INPUT_USER_DEACTIVATED']);

/** Calls addressed to the bot's peer: a stale-peer answer to one of them puts the peer in doubt. */
const BOT_PEER_CALLS = new Set(['sendMessage', 'getBotCallbackAnswer', 'getInlineBotResults', 'getHistory']);

/**
 * TelegramGateway over GramJS. Takes an already-built TelegramClient (tests hand in one whose
 * `invoke` is faked), talks raw TL requests so every call is visible and mapped, and converts
 * every GramJS object to plain data before it leaves this class.
 *
 * Incoming messages come from two sources that are merged and deduplicated: GramJS's
 * NewMessage/EditedMessage events, and polling of the bot chat (GramJS's catchUp() is an empty
 * TODO, so updates lost in a disconnect never arrive as events).
 */
export class GramjsGateway implements TelegramGateway {
  private readonly keeper: ConnectionKeeper;
  private readonly slots: DownloadSlots;
  /** Until when Telegram asked this account to wait on reads: no history read goes out before. */
  private floodUntil = 0;
  private readonly logger: Logger;
  private readonly polling: PollingOptions;
  private readonly now: () => number;
  private readonly handlers = new Set<IncomingHandler>();
  private readonly ledger = new DeliveryLedger();
  private bot: ResolvedBot | null = null;
  private resolving: Promise<ResolvedBot> | null = null;
  private readonly resolver: BotResolver;
  private readonly reader: BotChatReader;
  /** The owner's own user id: Saved Messages is the chat whose peer it is (known once the bot is resolved in `saved` mode). */
  private selfId: bigInt.BigInteger | null = null;
  private connected = false;
  /** connect() was asked for (and no disconnect since): a later recovery connects us. */
  private wanted = false;
  private lastActivityAt = Number.NEGATIVE_INFINITY;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollInFlight: Promise<void> | null = null;
  private pollPausedUntil = 0;
  private pollStopped = false;
  private readonly newEvent = new NewMessage({});
  private readonly editEvent = new EditedMessage({});
  private readonly onNewEvent = (event: NewMessageEvent) => this.fromEvent(event, 'new');
  private readonly onEditEvent = (event: NewMessageEvent) => this.fromEvent(event, 'edited');

  /**
   * `client` is a GramJS client, or a factory for one: with a factory, a dead connection is
   * replaced by a new client (the old one destroyed with everything it still had queued, so
   * nothing it held goes out in a burst after the reconnect). A bare client is reconnected.
   */
  constructor(
    client: TelegramClient | (() => TelegramClient),
    private readonly options: GramjsGatewayOptions,
  ) {
    this.logger = options.logger.child({ component: 'telegram' });
    this.polling = { ...DEFAULT_POLLING, ...options.polling };
    this.polling.pageSize = Math.min(100, Math.max(1, this.polling.pageSize));
    this.now = options.now ?? Date.now;
    this.slots = new DownloadSlots(options.downloadsPerDc ?? 2);
    this.reader = new BotChatReader({ call: (context, fn) => this.call(context, fn), logger: this.logger });
    this.resolver = new BotResolver({
      call: (context, fn) => this.call(context, fn),
      logger: this.logger,
      now: this.now,
      ...(options.botPeers ? { store: options.botPeers } : {}),
      ...(options.flood ? { flood: options.flood } : {}),
    });
    const factory = typeof client === 'function' ? client : () => client;
    this.keeper = new ConnectionKeeper(factory, {
      logger: this.logger,
      ...(options.timing ? { timing: options.timing } : {}),
      onClient: (c) => {
        // Whoever built the client: GramJS must never sleep through a flood wait behind our back.
        c.floodSleepThreshold = 0;
        c.addEventHandler(this.onNewEvent, this.newEvent);
        c.addEventHandler(this.onEditEvent, this.editEvent);
      },
      // Any request marks the connection as wanting updates; getMe also checks the session is alive.
      verify: async (c) => {
        await c.getMe();
      },
    });
    this.keeper.onChange((change) => {
      // Back (also after a first connect that failed): polling goes on by itself.
      if (change.state === 'up' && this.wanted) {
        this.connected = true;
        this.pollStopped = false;
        this.schedulePoll();
      }
    });
  }

  /** The GramJS client in use now (it is replaced after an outage). */
  get client(): TelegramClient {
    return this.keeper.client;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.wanted = true;
    await this.keeper.connect();
    this.connected = true;
    this.pollStopped = false;
    this.schedulePoll();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    this.connected = false;
    this.stopPolling();
    await this.pollInFlight?.catch(() => undefined);
    // Closes every sender, bounded: a stopped Crate exits even when GramJS is stuck.
    await this.keeper.close();
  }

  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    return this.keeper.onChange(listener);
  }

  /** Connects if needed (with a short deadline) and asks who we are. */
  async status(timeoutMs = 6_000): Promise<SessionStatus> {
    try {
      if (!this.keeper.isUp) await this.keeper.connect(timeoutMs);
      const me = await this.call('getMe', (c) => c.getMe(), timeoutMs);
      const user = me.username ? `@${me.username}` : [me.firstName, me.lastName].filter(Boolean).join(' ') || null;
      const names = [me.firstName, me.lastName, me.username].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
      return { state: 'ready', user, detail: null, names };
    } catch (err) {
      if (err instanceof SessionExpiredError) return { state: 'expired', user: null, detail: err.message };
      return { state: 'offline', user: null, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * One account request with a deadline, every GramJS error mapped to a domain error. Reads
   * (history, messages, resolve: the engine's pacer does not gate them) honour a FloodWait
   * Telegram gave a read: polling skips, other reads wait it out first (a long one goes to the
   * caller, nothing sent). Paced requests (sends, clicks, inline queries) leave their FloodWaits
   * to the pacer, which hears of each one and holds every later send.
   */
  private async call<T>(
    context: string,
    fn: (client: TelegramClient) => Promise<T>,
    timeoutMs?: number,
    kind: 'read' | 'paced' = 'read',
  ): Promise<T> {
    const waitMs = this.floodUntil - this.now();
    if (kind === 'read' && waitMs > 0) {
      if (waitMs > MAX_READ_FLOOD_WAIT_MS) throw new FloodWaitError(Math.ceil(waitMs / 1000), `${context}: a flood wait is in force`);
      await pause(waitMs);
    }
    try {
      return await this.keeper.call(context, fn, timeoutMs);
    } catch (err) {
      const mapped = mapTelegramError(err, context);
      if (mapped instanceof FloodWaitError && kind === 'read') this.floodUntil = Math.max(this.floodUntil, this.now() + mapped.seconds * 1000);
      // The bot's peer was refused: the next call checks it again (and resolves the username when it is stale).
      if (mapped instanceof TelegramRequestError && STALE_PEER_CODES.has(mapped.code) && BOT_PEER_CALLS.has(context) && this.bot) {
        this.logger.warn({ context, code: mapped.code }, 'Telegram refused the bot peer; it is checked again on the next call');
        this.bot = null;
      }
      throw mapped;
    }
  }

  async resolveBot(username: string): Promise<{ id: string; username: string }> {
    const bot = await this.resolve(username);
    return { id: bot.id.toString(), username: `@${bot.username}` };
  }

  async sendText(text: string): Promise<BotMessage> {
    const bot = await this.requireBot();
    this.noteActivity();
    const randomId = randomLong();
    const result = await this.call('sendMessage', (client) =>
      client.invoke(new Api.messages.SendMessage({ peer: bot.inputPeer, message: text, noWebpage: true, randomId })), undefined, 'paced');
    const sent = sentMessage(result, randomId, text);
    this.ledger.record(sent);
    return sent;
  }

  async clickButton(messageId: number, data: string): Promise<{ message: string | null }> {
    const bot = await this.requireBot();
    this.noteActivity();
    try {
      const answer = await this.call('getBotCallbackAnswer', (client) =>
        client.invoke(new Api.messages.GetBotCallbackAnswer({ peer: bot.inputPeer, msgId: messageId, data: Buffer.from(data, 'base64') })), undefined, 'paced');
      return { message: answer.message ?? null };
    } catch (err) {
      // The bot did not answer the callback query in time; the press itself went through and its
      // effect (an edited menu, a file) still arrives as a message.
      if (err instanceof TelegramRequestError && err.code === 'BOT_RESPONSE_TIMEOUT') return { message: null };
      throw err;
    }
  }

  async inlineQuery(query: string): Promise<InlineResultInfo[]> {
    const bot = await this.requireBot();
    this.noteActivity();
    const results = await this.call('getInlineBotResults', (client) =>
      client.invoke(
        new Api.messages.GetInlineBotResults({ bot: bot.inputUser, peer: bot.inputPeer, query, offset: '' }),
      ), undefined, 'paced');
    const queryId = results.queryId.toString();
    return results.results.map((r) => toInlineResult(queryId, r));
  }

  /**
   * The result is sent into the bot's own chat, or (INLINE_SEND_TO=saved) into the owner's Saved
   * Messages; its later edit (into the document) is seen wherever it went.
   */
  async sendInlineResult(result: InlineResultInfo): Promise<BotMessage> {
    const bot = await this.requireBot();
    this.noteActivity();
    const randomId = randomLong();
    const peer = this.options.inlineSendTo === 'saved' ? new Api.InputPeerSelf() : bot.inputPeer;
    const updates = await this.call('sendInlineBotResult', (client) =>
      client.invoke(
        new Api.messages.SendInlineBotResult({
          peer,
          queryId: bigInt(result.queryId),
          id: result.resultId,
          randomId,
        }),
      ), undefined, 'paced');
    const sent = sentMessage(updates, randomId, '');
    this.ledger.record(sent);
    return sent;
  }

  async history(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    const bot = await this.requireBot();
    const messages = await this.reader.since(bot, options.minId, Math.min(100, Math.max(options.limit, this.polling.pageSize)));
    return messages.slice(0, options.limit).map(toBotMessage);
  }

  async inlineHistory(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    if (this.options.inlineSendTo !== 'saved') return this.history(options);
    const bot = await this.requireBot();
    const selfId = this.selfId ?? bigInt(await this.resolver.account());
    const messages = await this.reader.savedViaBot(bot, selfId, options.minId, Math.min(100, Math.max(1, options.limit)));
    return messages.slice(0, options.limit).map(toBotMessage);
  }

  async getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    const raw = await this.fetchRawMessages(ids);
    return raw.map((m) => (m ? toBotMessage(m) : null));
  }

  onMessage(handler: IncomingHandler): () => void {
    this.handlers.add(handler);
    this.schedulePoll();
    return () => {
      this.handlers.delete(handler);
    };
  }

  async downloadDocument(messageId: number, targetPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const message = await this.requireDocumentMessage(messageId);
    try {
      return await downloadDocumentInParts(() => this.keeper.client, {
        message,
        refetch: () => this.requireDocumentMessage(messageId),
        targetPath,
        options: { ...this.options.download, ...options },
        slots: this.slots,
      });
    } catch (err) {
      // RPC errors get the domain mapping; cancellation and file-system errors pass through unchanged.
      if (rpcErrorCode(err) !== null) {
        throw mapTelegramError(err, 'download');
      }
      throw err;
    }
  }

  /** Polls the bot chat now (also used by the timer). Safe to call at any time. */
  async pollNow(): Promise<void> {
    if (this.pollInFlight) return this.pollInFlight;
    this.pollInFlight = this.poll().finally(() => {
      this.pollInFlight = null;
    });
    return this.pollInFlight;
  }

  // ---- bot resolution -------------------------------------------------------------------------

  private async requireBot(): Promise<ResolvedBot> {
    return this.bot ?? this.resolve(this.options.botUsername);
  }

  private async resolve(username: string): Promise<ResolvedBot> {
    const bare = username.replace(/^@/, '');
    if (this.bot && this.bot.username.toLowerCase() === bare.toLowerCase()) return this.bot;
    if (this.resolving) return this.resolving;
    this.resolving = (async () => {
      const bot = await this.resolver.resolve(bare, (candidate) => this.readBaseline(candidate));
      if (this.options.inlineSendTo === 'saved' && this.selfId === null) this.selfId = bigInt(await this.resolver.account());
      this.bot = bot;
      this.schedulePoll();
      return bot;
    })().finally(() => {
      this.resolving = null;
    });
    return this.resolving;
  }

  /**
   * Baseline: what is already in the chat is old news; only later messages are delivered. It is
   * also the first use of a stored peer: one Telegram refuses is stale (resolved again).
   */
  private async readBaseline(bot: ResolvedBot): Promise<PeerCheck> {
    this.ledger.reset();
    try {
      const messages = await this.reader.newest(bot, this.polling.pageSize);
      this.ledger.baseline(messages.map(toBotMessage));
      return 'ok';
    } catch (err) {
      if (err instanceof TelegramRequestError && STALE_PEER_CODES.has(err.code)) return 'refused';
      // Unreachable, a flood wait...: the peer is not in doubt, and polling reads the chat later.
      this.logger.warn({ err }, 'could not read the bot chat baseline');
      return 'ok';
    }
  }

  // ---- reading the chat -----------------------------------------------------------------------

  private async fetchRawMessages(ids: number[]): Promise<(Api.Message | null)[]> {
    if (ids.length === 0) return [];
    const bot = await this.requireBot();
    return this.reader.byIds(ids, (m) => this.isOurChat(m, bot));
  }

  private async requireDocumentMessage(messageId: number): Promise<Api.Message> {
    const [message] = await this.fetchRawMessages([messageId]);
    if (!message) throw new Error(`message ${messageId} is no longer in the bot chat`);
    if (!documentOf(message)) throw new Error(`message ${messageId} has no document to download`);
    return message;
  }

  // ---- incoming messages: events + polling ----------------------------------------------------

  private fromEvent(event: NewMessageEvent, kind: 'new' | 'edited'): void {
    // Never throw back into GramJS: it would print the error to the console.
    try {
      const message = event.message;
      if (!this.bot || !(message instanceof Api.Message) || !this.isOurChat(message, this.bot)) return;
      const plain = toBotMessage(message);
      const decision = kind === 'new' ? this.ledger.seenNew(plain) : this.ledger.seenEdit(plain);
      // Our own sent messages are in the ledger already (skipped); an outgoing message it does not
      // know is the owner writing to the bot by hand, which the reply router must see to leave
      // its answer alone.
      if (decision === 'skip') return;
      this.deliver(plain, decision);
    } catch (err) {
      this.logger.error({ err }, 'could not handle an incoming Telegram update');
    }
  }

  /**
   * A message Crate may read as the bot's: in the bot chat, or (INLINE_SEND_TO=saved) an inline
   * result sent via this bot into the owner's Saved Messages. Anything else the owner keeps there
   * (or any other chat) is never seen.
   */
  private isOurChat(message: Api.Message, bot: ResolvedBot): boolean {
    return inChatWith(message, bot) || (this.selfId !== null && isSavedViaBot(message, bot, this.selfId));
  }

  private async poll(): Promise<void> {
    const bot = this.bot;
    if (!bot || !this.connected || this.handlers.size === 0) return;
    // Telegram asked us to wait: no history reads until it is over, whoever asks.
    if (this.now() < Math.max(this.pollPausedUntil, this.floodUntil)) return;
    try {
      const messages = await this.reader.sinceCursor(bot, this.ledger.pollCursor, this.polling.pageSize);
      for (const m of messages) {
        const plain = toBotMessage(m);
        const decision = this.ledger.seenPolled(plain);
        if (decision === 'skip') continue;
        this.deliver(plain, decision);
      }
    } catch (err) {
      const mapped = mapTelegramError(err, 'poll bot chat');
      if (mapped instanceof FloodWaitError) {
        this.pollPausedUntil = this.now() + mapped.seconds * 1000;
        this.logger.warn({ seconds: mapped.seconds }, 'flood wait while polling the bot chat; polling paused');
      } else if (mapped instanceof TelegramUnreachableError) {
        this.logger.debug({ detail: mapped.detail }, 'bot chat not polled: Telegram cannot be reached');
      } else if (mapped instanceof SessionExpiredError) {
        this.pollStopped = true;
        this.logger.error({ code: mapped.code }, 'Telegram session ended while polling; log in again');
      } else {
        this.logger.warn({ err: mapped }, 'polling the bot chat failed; will retry');
      }
    }
  }

  private deliver(message: BotMessage, kind: 'new' | 'edited'): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(message, kind);
      } catch (err) {
        this.logger.error({ err, messageId: message.id }, 'a Telegram message handler failed');
      }
    }
  }

  private noteActivity(): void {
    this.lastActivityAt = this.now();
    // Switch from the idle to the active pace right away.
    if (this.pollTimer) this.stopPolling();
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.pollStopped || !this.connected || !this.bot || this.handlers.size === 0) return;
    const active = this.now() - this.lastActivityAt < this.polling.activeWindowMs;
    const base = active ? this.polling.activeIntervalMs : this.polling.idleIntervalMs;
    const delay = Math.max(base, Math.max(this.pollPausedUntil, this.floodUntil) - this.now());
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.pollNow().finally(() => this.schedulePoll());
    }, delay);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }
}
