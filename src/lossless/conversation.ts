/**
 * One track's exchange with the bot, as the reply router sees it: what it owns (its messages),
 * what it waits for (the reply to its last action, a file), and the replies routed to it.
 */
import type { BotMessage } from '../domain/telegram.js';
import type { TrackInfo } from '../domain/track.js';
import type { Clock } from '../engine/ports.js';
import type { BotReply } from './protocol.js';
import { messageVersion } from './message-version.js';

/** The action a conversation just took, which decides which replies it can receive. */
export type Expectation = 'request' | 'row' | 'quality' | 'page' | 'start';

export interface PendingExpectation {
  kind: Expectation;
  afterId: number;
  seq: number;
  /**
   * The action already got an interim (or unknown) reply and still waits for the real one: a
   * second interim message goes first to a conversation that has none yet (each request gets its
   * own placeholder), anything else in the usual order.
   */
  interim?: boolean;
}

export interface Routed {
  message: BotMessage;
  reply: BotReply;
  how: 'new' | 'edited' | 'attributed' | 'history';
}

/** What a conversation needs from the router that created it. */
export interface ConversationHost {
  readonly clock: Clock;
  nextSeq(): number;
  wake(): void;
  noteId(id: number): void;
  /** A message Crate sent (so an outgoing message it did not send is the owner's own). */
  noteSent(id: number): void;
  /** A send is on its way (`text`, or null for an inline result): an outgoing message like it is ours. */
  sending(key: string, text: string | null): void;
  sendingDone(key: string): void;
  reconsiderOrphans(): void;
  /** Replies that found nobody are routed again (a request's id just became known). */
  reconsiderUnrouted(): void;
  release(conv: Conversation): void;
}

class TimeoutError extends Error {
  override readonly name = 'ReplyTimeoutError';
}

export function isReplyTimeout(err: unknown): boolean {
  return err instanceof TimeoutError;
}

export class Conversation {
  readonly ownedIds = new Set<number>();
  readonly sentIds = new Set<number>();
  expectation: PendingExpectation | null = null;
  /** The expectation a reply just answered (kept so an interim reply can put it back in its place). */
  private answered: PendingExpectation | null = null;
  /** True once our request went out: from then on a document may be ours. */
  wantsFile = false;
  /**
   * Set once the file itself was asked for (the quality click, the inline result sent): the
   * newest message id known then. A document newer than it that fits nobody, while this is the
   * only conversation in that phase, is most likely the wrong file the bot sent us.
   */
  fileAskedAfterId: number | null = null;
  pickedRow: string | null = null;
  /**
   * The recording we expect a file of: the Spotify track, or the row the owner chose by hand for
   * it (then the file is that row's recording, whatever Spotify says).
   */
  expected: TrackInfo;
  /** Files nobody fitted that look most like ours: if ours never comes, they explain why. */
  readonly suspects: BotMessage[] = [];
  /** Our (first) request of this exchange: an older message cannot be the bot's answer to it. */
  private requestId: number | null = null;
  closed = false;
  private readonly inbox: Routed[] = [];
  /** Versions of messages already handed to this track (menus are pressed once per version). */
  private readonly handled = new Map<number, string>();
  private waiter: { resolve: (r: Routed) => void; reject: (e: unknown) => void } | null = null;

  constructor(
    private readonly router: ConversationHost,
    readonly key: string,
    readonly track: TrackInfo,
    readonly echo: string[],
    /** The track this exchange is for (null: a one-off, e.g. a probe). */
    readonly trackId: number | null = null,
  ) {
    this.expected = track;
  }

  /** Call right before sending or clicking: the next fitting reply is ours. */
  expect(kind: Expectation, afterId: number): void {
    this.expectation = { kind, afterId, seq: this.router.nextSeq() };
    this.router.wake();
  }

  /** Call right before handing a message to Telegram (its id is not known until the call returns). */
  sending(text: string | null): void {
    this.router.sending(this.key, text);
  }

  /** The send failed: nothing of ours is on its way. */
  sendFailed(): void {
    this.router.sendingDone(this.key);
  }

  /** A reply answered the current action (the router calls this as it delivers). */
  consumeExpectation(): void {
    if (this.expectation) this.answered = this.expectation;
    this.expectation = null;
  }

  /**
   * The reply was interim (a placeholder, progress, an unknown text): the real answer may still
   * come as a new message after `afterId`, so the action waits again, in its old place in line.
   */
  keepWaiting(afterId: number): void {
    const previous = this.expectation ?? this.answered;
    if (!previous) return;
    this.expectation = { ...previous, afterId: Math.max(previous.afterId, afterId), interim: true };
    this.router.wake();
  }

  /**
   * Our request went out as `messageId`: its answer is newer than that. Until now no reply could
   * be ours (see ChatStrategy.send); one that came meanwhile and found nobody is routed again.
   */
  answerAfter(messageId: number): void {
    if (this.expectation) this.expectation.afterId = messageId;
    this.router.reconsiderUnrouted();
  }

  /** Our own outgoing message (the request, an inline result): replies quoting it are ours. */
  sent(messageId: number): void {
    this.sentIds.add(messageId);
    this.ownedIds.add(messageId);
    this.requestId ??= messageId;
    this.router.noteSent(messageId);
    this.router.sendingDone(this.key);
    this.router.noteId(messageId);
    if (!this.wantsFile) {
      this.wantsFile = true;
      this.router.reconsiderOrphans();
    }
  }

  own(messageId: number): void {
    this.ownedIds.add(messageId);
  }

  /** A conversation that resumes from history wants the file it may already have been sent. */
  wantFile(requestMessageId?: number): void {
    if (requestMessageId !== undefined) this.requestId ??= requestMessageId;
    if (!this.wantsFile) {
      this.wantsFile = true;
      // Tracks resume side by side: another one's history read may have left our file as an orphan.
      this.router.reconsiderOrphans();
    }
  }

  noteSuspect(message: BotMessage): void {
    // After a restart the chat is read again from old requests on: files of tracks finished long
    // ago are no explanation for this one's (a "mismatch" naming one would be wrong).
    if (this.requestId !== null && message.id <= this.requestId) return;
    if (!this.suspects.some((m) => m.id === message.id)) this.suspects.push(message);
  }

  /**
   * A document already routed here but not yet read (e.g. another conversation's history read
   * after a restart attributed it to us): taken out of the inbox, so a resume never asks again.
   */
  takeDocument(): Routed | null {
    return this.shiftInbox((r) => r.reply.kind === 'document');
  }

  /** The first reply routed here but not yet read, other than a document (a menu found in history). */
  takeReply(): Routed | null {
    return this.shiftInbox((r) => r.reply.kind !== 'document');
  }

  /** Stops taking documents (the file came, or we gave up). */
  doneWithFiles(): void {
    this.wantsFile = false;
  }

  /**
   * A message this track acts on that did not come through `deliver` (a menu read by id after a
   * restart): the same version arriving later is not a new reply.
   */
  handledAlready(message: BotMessage): void {
    this.handled.delete(message.id);
    this.handled.set(message.id, messageVersion(message));
    if (this.handled.size > 64) this.handled.delete(this.handled.keys().next().value!);
  }

  deliver(routed: Routed): void {
    if (this.closed) return;
    // After a restart each track's history read can route the same menu here again, and a menu
    // read by id may sit queued too; pressing its button twice makes the bot send the file twice.
    if (this.alreadyHandled(routed)) return;
    if (this.inbox.some((r) => r.message.id === routed.message.id && messageVersion(r.message) === messageVersion(routed.message))) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(this.handOut(routed));
    } else {
      this.inbox.push(routed);
    }
  }

  private alreadyHandled(routed: Routed): boolean {
    return routed.reply.kind !== 'document' && this.handled.get(routed.message.id) === messageVersion(routed.message);
  }

  private handOut(routed: Routed): Routed {
    if (routed.reply.kind !== 'document') this.handledAlready(routed.message);
    return routed;
  }

  /** The next queued reply not handed out yet. */
  private shiftInbox(where: (r: Routed) => boolean = () => true): Routed | null {
    for (let i = 0; i < this.inbox.length; ) {
      const r = this.inbox[i]!;
      if (this.alreadyHandled(r)) {
        this.inbox.splice(i, 1);
        continue;
      }
      if (where(r)) {
        this.inbox.splice(i, 1);
        return this.handOut(r);
      }
      i++;
    }
    return null;
  }

  fail(err: unknown): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(err);
    }
  }

  /** The next reply routed to this conversation; rejects with a timeout or the signal's reason. */
  next(options: { timeoutMs: number; signal: AbortSignal }): Promise<Routed> {
    const queued = this.shiftInbox();
    if (queued) return Promise.resolve(queued);
    options.signal.throwIfAborted();
    return new Promise<Routed>((resolve, reject) => {
      const timer = new AbortController();
      const cleanup = () => {
        timer.abort();
        options.signal.removeEventListener('abort', onAbort);
        this.waiter = null;
      };
      const onAbort = () => {
        cleanup();
        reject(options.signal.reason);
      };
      this.router.clock.sleep(Math.max(0, options.timeoutMs), timer.signal).then(
        () => {
          if (timer.signal.aborted) return;
          cleanup();
          reject(new TimeoutError(`no reply from the bot within ${formatMs(options.timeoutMs)}`));
        },
        () => undefined,
      );
      options.signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        resolve: (r) => {
          cleanup();
          resolve(r);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      this.router.wake();
    });
  }

  get waiting(): boolean {
    return this.waiter !== null || this.expectation !== null || this.wantsFile;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.sendingDone(this.key);
    this.router.release(this);
    this.wantsFile = false;
    this.expectation = null;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`;
}
