/**
 * The one listener on the bot chat. Several tracks are in flight at once, so every incoming
 * message has to be given to the right conversation:
 * - an edit of a message a conversation already owns (its menu, its "wait" message) goes to it;
 * - a reply that quotes our request goes to that request;
 * - other new menus / quality menus / notices go to the conversation that has waited longest for
 *   that kind of reply (the bot answers actions in order);
 * - documents can come late and out of order, so they are attributed globally by content across
 *   every conversation that wants a file (the matcher's attribution), never first-come. A document
 *   nobody fits is kept as an orphan for a while (a retried request may claim it) and never saved
 *   as someone else's.
 * GramJS never catches up on missed updates, so while anyone waits the router also polls the
 * chat (messages after the oldest waiting request, and re-reads of owned messages for edits);
 * every message version is processed once, whichever way it came.
 */
import type { Logger } from '../logger.js';
import type { TrackInfo } from '../domain/track.js';
import type { BotMessage, TelegramGateway } from '../domain/telegram.js';
import { FloodWaitError, SessionExpiredError, errorMessage } from '../domain/errors.js';
import { classifyReply, type BotReply } from './protocol.js';
import type { FileAttribution, FileCandidate, ProtocolMatcher } from './matcher.js';
import type { Clock } from '../engine/ports.js';
import { systemClock } from '../engine/clock.js';
import { Conversation, type ConversationHost, type Expectation, type Routed } from './conversation.js';
import { relatedness } from './relatedness.js';
import { editDateOfVersion, messageVersion } from './message-version.js';
import { LeftExchanges } from './left-exchanges.js';
import { OwnMessages, type ForeignRequest } from './foreign-requests.js';

export { Conversation, isReplyTimeout, type Expectation, type Routed } from './conversation.js';
export { relatedness } from './relatedness.js';

type ReplyKind = BotReply['kind'];

// A quality menu is only taken as an edit of our own menu (or quoting us): a stray one would make
// us click someone else's quality and wait for their file.
const ACCEPTS: Record<Expectation, ReplyKind[]> = {
  request: ['menu', 'not_found', 'wait'],
  row: ['quality', 'wait'],
  quality: ['wait'],
  page: ['menu', 'not_found'],
  // Whatever the bot says first after our /start is its answer (greeting, gate, menu of commands).
  start: ['menu', 'quality', 'not_found', 'wait'],
};
const POLL_PAGE_SIZE = 50;
const POLL_PAGES = 4;
/** Replies that found nobody, kept for requests whose send is still in flight. */
const UNROUTED_LIMIT = 20;
/** Claimed document ids kept: far more than any history read after a restart looks at. */
const CLAIMED_LIMIT = 5000;
/** Messages of closed conversations remembered (their late edits are nobody's new reply). */
const RETIRED_LIMIT = 5000;

/** Notices that can answer any action; they go to whoever waited longest. */
const ANY_ACTION: ReplyKind[] = ['promo', 'safety', 'unknown', 'interim', 'throttle', 'gate', 'unavailable'];
/** Replies that say "more is coming": each request gets its own, see PendingExpectation.interim. */
const INTERIM_KINDS: ReplyKind[] = ['interim', 'unknown'];

export interface ReplyRouterOptions {
  logger: Logger;
  matcher: ProtocolMatcher;
  /** Poll the chat this often while anyone waits; 0 turns polling off. */
  pollIntervalMs?: number;
  /**
   * How long a conversation that gave up still claims a late menu that is clearly its own (its
   * track's words, not the live waiter's), so the late answer is not taken by the next request.
   */
  lateMenuMs?: number;
  /** How many unattributed documents to keep for late claims. */
  orphanLimit?: number;
  onFloodWait?: (seconds: number) => void;
  /** Time for reply timeouts (scaled or virtual in tests and benchmarks). */
  clock?: Clock;
}

interface Orphan {
  message: BotMessage;
  at: number;
}

/** A conversation that closed while waiting for a menu. */
interface Ghost {
  track: TrackInfo;
  kind: Expectation;
  afterId: number;
  seq: number;
  expiresAt: number;
}

export class ReplyRouter implements ConversationHost {
  private readonly conversations = new Set<Conversation>();
  private unsubscribe: (() => void) | null = null;
  private seq = 0;
  private keySeq = 0;
  private lastSeenId = 0;
  /** Last version of each message we processed, so events and polls never deliver twice. */
  private readonly seen = new Map<number, string>();
  /** Documents already given to a conversation: never given to another. */
  private readonly claimed = new Set<number>();
  private readonly orphans: Orphan[] = [];
  /** Recent replies that found nobody waiting (see `route`). */
  private readonly unrouted: { message: BotMessage; how: 'new' | 'edited' }[] = [];
  private ghosts: Ghost[] = [];
  /** Messages owned by conversations that closed: their later edits are not anyone's new reply. */
  private readonly retired = new Set<number>();
  private readonly left = new LeftExchanges();
  private pollStop: AbortController | null = null;
  private polling = false;
  private readonly log: Logger;
  readonly clock: Clock;
  private readonly own: OwnMessages;
  /** Set while a history read (after a restart) is being routed. */
  private fromHistory = false;

  constructor(
    private readonly gateway: TelegramGateway,
    private readonly options: ReplyRouterOptions,
  ) {
    this.log = options.logger.child({ component: 'lossless-router' });
    this.clock = options.clock ?? systemClock;
    const startedAt = this.clock.now();
    // Telegram dates are whole seconds: a message of this very second counts as new.
    this.own = new OwnMessages(() => Math.floor(startedAt / 1000) * 1000);
  }

  noteSent(id: number): void {
    this.own.noteSent(id);
  }

  sending(key: string, text: string | null): void {
    this.own.sending(key, text);
  }

  sendingDone(key: string): void {
    this.own.sendingDone(key);
  }

  /** `trackId`: the track the exchange is for, so one asked again takes over what it left (see LeftExchanges). */
  open(track: TrackInfo, echo: string[] = [], trackId: number | null = null): Conversation {
    this.start();
    const conv = new Conversation(this, `c${++this.keySeq}`, track, echo, trackId);
    const left = trackId === null ? null : this.left.takeBack(trackId);
    if (left) {
      if (left.ghost) this.ghosts = this.ghosts.filter((g) => g !== left.ghost);
      for (const id of left.ids) {
        this.retired.delete(id);
        // Read again (history, poll, edit) it is news to the new conversation.
        if (!this.claimed.has(id)) this.seen.delete(id);
        conv.own(id);
      }
    }
    this.conversations.add(conv);
    return conv;
  }

  /** Unsubscribes and stops polling; open conversations just time out. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopPolling();
  }

  /** Processes one message from any source (event, poll, history read); duplicates are dropped. */
  ingest(message: BotMessage, how: 'new' | 'edited'): void {
    const version = messageVersion(message);
    const previous = this.seen.get(message.id);
    if (previous === version) return;
    // A poll that read the chat before an edit can hand us the older version after the edit's
    // event: going back to it would replay a menu already answered (and press its row again).
    if (previous !== undefined && (message.editDate ?? 0) < editDateOfVersion(previous)) return;
    this.seen.set(message.id, version);
    if (this.seen.size > 5000) this.seen.delete(this.seen.keys().next().value!);
    this.noteId(message.id);

    const owner = this.ownerOf(message.id);
    if (!owner && message.out) {
      // The owner's own request, typed by hand (Crate knows the ids of what it sent).
      if (this.own.noteOutgoing(message, () => this.foreignSeq(message.id), this.clock.now() + (this.options.lateMenuMs ?? 600_000))) {
        this.log.info({ messageId: message.id }, 'the owner wrote to the bot by hand; its answer is not for any track');
      }
      if (message.document === null || classifyReply(message).kind !== 'document') return;
    }
    if (this.own.isForeignReply(message.id)) {
      this.log.debug({ messageId: message.id }, 'edit of the answer to the owner\'s own request; ignored');
      return;
    }
    if (owner) {
      if (message.document !== null && this.claimed.has(message.id)) return;
      const reply = classifyReply(message, { echo: owner.echo });
      if (reply.kind === 'own') return;
      if (reply.kind === 'document') this.markClaimed(message.id);
      // An owned message answering the current action consumes the expectation.
      else owner.consumeExpectation();
      owner.deliver({ message, reply, how: how === 'new' ? 'new' : 'edited' });
      return;
    }

    const reply = classifyReply(message);
    if (reply.kind === 'document') {
      if (!this.claimed.has(message.id)) this.attributeDocuments([message]);
      return;
    }
    // Our own messages are replies to nobody (an inline result is claimed by id once sent).
    if (reply.kind === 'own' || message.out) return;
    if (this.retired.has(message.id)) {
      this.log.debug({ messageId: message.id, kind: reply.kind }, 'edit of a finished request; ignored');
      return;
    }
    this.route(message, reply, how, false);
  }

  /** Gives a reply that no conversation owns yet to the one it answers, if any. */
  private route(message: BotMessage, reply: BotReply, how: 'new' | 'edited', again: boolean): void {
    const target = this.routeReply(message, reply);
    if (target === 'foreign') {
      this.log.info({ messageId: message.id, kind: reply.kind }, 'answer to the owner\'s own request; not for any track');
      return;
    }
    if (target === 'late') {
      this.log.info({ messageId: message.id }, 'late menu of a request that already gave up; ignored');
      return;
    }
    if (!target) {
      if (this.fromHistory) {
        this.seen.delete(message.id);
        return;
      }
      if (!again) this.log.info({ messageId: message.id, kind: reply.kind, text: textOf(reply) }, 'bot message nobody was waiting for; ignored');
      // Kept a little: a request still being sent may turn out to be older than it.
      this.unrouted.push({ message, how });
      if (this.unrouted.length > UNROUTED_LIMIT) this.unrouted.shift();
      return;
    }
    target.consumeExpectation();
    target.own(message.id);
    target.deliver({ message, reply: classifyReply(message, { echo: target.echo }), how });
  }

  reconsiderUnrouted(): void {
    const pending = this.unrouted.splice(0, this.unrouted.length);
    for (const { message, how } of pending) {
      if (this.ownerOf(message.id) || this.retired.has(message.id)) continue;
      this.route(message, classifyReply(message), how, true);
    }
  }

  /**
   * Documents found in history (after a restart): attributed globally like live ones. Returns the
   * one given to `conv`, if any.
   */
  claimFromHistory(conv: Conversation, messages: BotMessage[]): Routed | null {
    const isDoc = (m: BotMessage) => classifyReply(m).kind === 'document';
    const docs = messages.filter((m) => isDoc(m) && !this.claimed.has(m.id));
    for (const m of docs) this.seen.set(m.id, messageVersion(m));
    // Anything else goes the normal way: a reply newer than a live request may be its answer,
    // older ones fit nobody's expectation and are dropped.
    // Menus read back from history are taken only by the track they are about: after a restart
    // every track in flight reads the same stretch of chat, each in turn, and the first must not
    // take the others' menus. One nobody takes is read again by the next track's history read.
    this.fromHistory = true;
    try {
      for (const m of messages) if (!isDoc(m)) this.ingest(m, 'new');
    } finally {
      this.fromHistory = false;
    }
    if (docs.length === 0) return null;
    let mine: Routed | null = null;
    this.attributeDocuments(docs, (target, routed) => {
      if (target === conv && !mine) {
        mine = { ...routed, how: 'history' };
        return true;
      }
      return false;
    });
    return mine;
  }

  /** Marks a document message as taken (e.g. read back by id on resume). */
  claim(messageId: number): boolean {
    if (this.claimed.has(messageId)) return false;
    this.markClaimed(messageId);
    return true;
  }

  /** Sizes of the internal tables, for soak tests: all bounded, conversations 0 when idle. */
  debugSizes(): Record<string, number> {
    return {
      conversations: this.conversations.size,
      seen: this.seen.size,
      claimed: this.claimed.size,
      orphans: this.orphans.length,
      unrouted: this.unrouted.length,
      ghosts: this.ghosts.length,
      retired: this.retired.size,
      polling: this.pollStop ? 1 : 0,
      ...this.own.sizes(),
    };
  }

  reconsiderOrphans(): void {
    if (this.orphans.length === 0 || !this.unsubscribe) return;
    const pending = this.orphans.splice(0, this.orphans.length);
    this.attributeDocuments(pending.map((o) => o.message), undefined, true);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  noteId(id: number): void {
    if (id > this.lastSeenId) this.lastSeenId = id;
  }

  /** The newest chat message id seen so far (ours included); 0 before any. */
  get newestSeenId(): number {
    return this.lastSeenId;
  }

  release(conv: Conversation): void {
    this.conversations.delete(conv);
    for (const id of conv.ownedIds) this.retired.add(id);
    // A conversation retires several messages at once (request, menu, file…): trim until back under
    // the cap, not by one, or the table grows by the difference with every track (7,668 after 3,000).
    while (this.retired.size > RETIRED_LIMIT) this.retired.delete(this.retired.values().next().value!);
    const e = conv.expectation;
    const lateMenuMs = this.options.lateMenuMs ?? 600_000;
    let ghost: Ghost | null = null;
    if (e && (e.kind === 'request' || e.kind === 'page') && lateMenuMs > 0) {
      ghost = { track: conv.expected, kind: e.kind, afterId: e.afterId, seq: e.seq, expiresAt: this.clock.now() + lateMenuMs };
      this.ghosts.push(ghost);
    }
    if (conv.trackId !== null) this.left.leave(conv.trackId, conv.ownedIds, ghost);
    if (![...this.conversations].some((c) => c.waiting)) this.stopPolling();
  }

  /** Someone started waiting: make sure polling runs. */
  wake(): void {
    const interval = this.options.pollIntervalMs ?? 0;
    if (interval <= 0 || this.pollStop) return;
    const stop = new AbortController();
    this.pollStop = stop;
    void (async () => {
      while (!stop.signal.aborted) {
        try {
          await this.clock.sleep(interval, stop.signal);
        } catch {
          return;
        }
        if (![...this.conversations].some((c) => c.waiting)) break;
        await this.poll();
      }
      if (this.pollStop === stop) this.pollStop = null;
    })();
  }

  /** Subscribes to the chat (done by the first `open`; call it earlier to collect files from the start). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.gateway.onMessage((message, kind) => {
      try {
        this.ingest(message, kind);
      } catch (err) {
        this.log.error({ err, messageId: message.id }, 'failed to route a bot message');
      }
    });
  }

  private ownerOf(messageId: number): Conversation | null {
    for (const c of this.conversations) if (c.ownedIds.has(messageId)) return c;
    return null;
  }

  /**
   * Where the owner's request stands in line: before every Crate request sent after it (the bot
   * answers in order), else last.
   */
  private foreignSeq(messageId: number): number {
    const later = [...this.conversations]
      .filter((c) => c.expectation?.kind === 'request' && c.expectation.afterId > messageId && c.expectation.afterId !== Number.MAX_SAFE_INTEGER)
      .map((c) => c.expectation!.seq);
    return later.length > 0 ? Math.min(...later) - 0.5 : this.nextSeq();
  }

  /** Gives the reply to the owner's request `f`; returns the routing verdict. */
  private toForeign(f: ForeignRequest | null, message: BotMessage): 'foreign' {
    this.own.answered(f, message.id);
    return 'foreign';
  }

  private routeReply(message: BotMessage, reply: BotReply): Conversation | 'late' | 'foreign' | null {
    const open = [...this.conversations].filter((c) => !c.closed);
    if (message.replyToMessageId !== null) {
      const quoted = open.find((c) => c.sentIds.has(message.replyToMessageId!));
      if (quoted) return quoted;
      if (this.own.isForeignRequest(message.replyToMessageId)) {
        return this.toForeign(this.own.waiting(Number.MAX_SAFE_INTEGER, this.clock.now()).find((f) => f.id === message.replyToMessageId) ?? null, message);
      }
    }
    const now = this.clock.now();
    const foreign = ANY_ACTION.includes(reply.kind) || ACCEPTS.request.includes(reply.kind) ? this.own.waiting(message.id, now) : [];
    const accepts = (kind: Expectation) => ANY_ACTION.includes(reply.kind) || ACCEPTS[kind].includes(reply.kind);
    const live = open
      .filter((c) => c.expectation !== null && c.expectation.afterId < message.id && accepts(c.expectation.kind))
      .sort((a, b) => interimRank(a) - interimRank(b) || a.expectation!.seq - b.expectation!.seq);
    function interimRank(c: Conversation): number {
      return INTERIM_KINDS.includes(reply.kind) && c.expectation!.interim ? 1 : 0;
    }
    const oldest = (): Conversation | 'foreign' | null => {
      const c = live[0];
      const f = foreign[0];
      if (f && (!c || f.seq < c.expectation!.seq)) return this.toForeign(f, message);
      return c ?? null;
    };
    if (reply.kind !== 'menu' && reply.kind !== 'quality') return oldest();

    // Menus answer in order, but one may be late for a request that gave up: give a menu to the
    // waiter whose track it is most about (oldest first on ties), and to the oldest live waiter
    // when it is about nobody (e.g. another script than Spotify's). A quality menu may name its
    // row in its text; only live waiters compete for it.
    this.ghosts = this.ghosts.filter((g) => g.expiresAt > now);
    const rows = reply.kind === 'menu' ? reply.trackIndexes.map((i) => reply.buttons[i]!.text) : [message.text];
    const ghosts = reply.kind === 'menu' ? this.ghosts : [];
    type Cand = { seq: number; score: number; conv: Conversation | null; ghost: Ghost | null; foreign: ForeignRequest | null };
    const cands: Cand[] = [
      ...live.map((c) => ({ seq: c.expectation!.seq, score: relatedness(c.expected, rows), conv: c, ghost: null, foreign: null })),
      ...ghosts
        .filter((g) => g.afterId < message.id && accepts(g.kind))
        .map((g) => ({ seq: g.seq, score: relatedness(g.track, rows), conv: null, ghost: g, foreign: null })),
      ...(reply.kind === 'menu' ? foreign : []).map((f) => ({ seq: f.seq, score: relatedness(f.track, rows), conv: null, ghost: null, foreign: f })),
    ];
    const best = cands.reduce<Cand | null>((acc, c) => (acc === null || c.score > acc.score || (c.score === acc.score && c.seq < acc.seq) ? c : acc), null);
    if (!best || best.score === 0) return this.fromHistory && reply.kind === 'menu' ? null : oldest();
    if (best.foreign) return this.toForeign(best.foreign, message);
    if (best.ghost) {
      this.ghosts = this.ghosts.filter((g) => g !== best.ghost);
      this.left.lateAnswer(best.ghost, message.id);
      return 'late';
    }
    return best.conv;
  }

  /**
   * Runs the matcher's global attribution for these documents against every conversation that
   * wants a file. `take` lets a caller intercept a delivery (history reads).
   */
  private attributeDocuments(
    messages: BotMessage[],
    take?: (target: Conversation, routed: Routed) => boolean,
    reconsidering = false,
  ): void {
    const wanting = [...this.conversations].filter((c) => c.wantsFile && !c.closed);
    const files = messages.map((m) => m.document!);
    let assigned: FileAttribution[] = files.map(() => ({ key: null, closest: null, reason: 'nobody is waiting for a file' }));
    if (wanting.length > 0) {
      const candidates: FileCandidate[] = wanting.map((c) => ({ key: c.key, track: c.expected, pickedRow: c.pickedRow }));
      try {
        assigned = this.options.matcher.attribute(candidates, files);
      } catch (err) {
        this.log.error({ err }, 'file attribution failed; files kept as orphans');
      }
    }
    messages.forEach((message, i) => {
      const verdict = assigned[i];
      const key = verdict?.key ?? null;
      const target = key === null ? undefined : wanting.find((c) => c.key === key);
      if (!target) {
        // Orphans are weighed again whenever a track starts waiting for a file: said once, then at debug.
        this.log[reconsidering ? 'debug' : 'info'](
          { messageId: message.id, file: message.document?.fileName ?? null, reason: verdict?.reason ?? null },
          'document fits no pending request; not taken',
        );
        const closest = verdict?.closest ? wanting.find((c) => c.key === verdict.closest) : this.soleFileWaiter(wanting, message.id);
        closest?.noteSuspect(message);
        this.keepOrphan(message);
        return;
      }
      this.markClaimed(message.id);
      target.own(message.id);
      const routed: Routed = { message, reply: classifyReply(message), how: 'attributed' };
      if (take && take(target, routed)) return;
      target.deliver(routed);
    });
  }

  /** The one conversation that asked for its file before this document came, if only one did. */
  private soleFileWaiter(wanting: Conversation[], messageId: number): Conversation | undefined {
    const asked = wanting.filter((c) => c.fileAskedAfterId !== null && c.fileAskedAfterId < messageId);
    return asked.length === 1 ? asked[0] : undefined;
  }

  /** Remembers a taken document; the oldest are forgotten past a bound (a long-running service takes thousands). */
  private markClaimed(messageId: number): void {
    this.claimed.add(messageId);
    if (this.claimed.size > CLAIMED_LIMIT) this.claimed.delete(this.claimed.values().next().value!);
  }

  private keepOrphan(message: BotMessage): void {
    if (this.orphans.some((o) => o.message.id === message.id)) return;
    this.orphans.push({ message, at: this.clock.now() });
    const limit = this.options.orphanLimit ?? 50;
    while (this.orphans.length > limit) this.orphans.shift();
  }

  private stopPolling(): void {
    this.pollStop?.abort();
    this.pollStop = null;
  }

  private async poll(): Promise<void> {
    const waiting = [...this.conversations].filter((c) => c.waiting);
    if (waiting.length === 0 || this.polling) return;
    this.polling = true;
    try {
      // Read from the oldest request still waiting, not from the newest id seen: an event that
      // was missed sits below later ones that did arrive. Seen versions are dropped by ingest.
      const sent = waiting.flatMap((c) => [...c.sentIds]);
      let minId = sent.length > 0 ? Math.min(...sent) : this.lastSeenId;
      for (let page = 0; page < POLL_PAGES; page++) {
        const fresh = await this.gateway.history({ minId, limit: POLL_PAGE_SIZE });
        for (const m of fresh) this.ingest(m, 'new');
        if (fresh.length < POLL_PAGE_SIZE) break;
        minId = Math.max(minId, ...fresh.map((m) => m.id));
      }
      const owned = [...new Set(waiting.flatMap((c) => [...c.ownedIds]))].filter((id) => !this.claimed.has(id)).slice(-50);
      if (owned.length > 0) {
        const again = await this.gateway.getMessages(owned);
        for (const m of again) if (m) this.ingest(m, 'edited');
      }
    } catch (err) {
      if (err instanceof FloodWaitError) this.options.onFloodWait?.(err.seconds);
      if (err instanceof SessionExpiredError) for (const c of this.conversations) c.fail(err);
      this.log.warn({ err: errorMessage(err) }, 'polling the bot chat failed');
    } finally {
      this.polling = false;
    }
  }
}

function textOf(reply: BotReply): string | null {
  return 'text' in reply ? reply.text : null;
}
