/**
 * One track's exchange with the bot, as the reply router sees it: what it owns (its messages),
 * what it waits for (the reply to its last action, a file), and the replies routed to it.
 */
import type { BotMessage } from '../domain/telegram.js';
import type { TrackInfo } from '../domain/track.js';
import type { Clock } from '../engine/ports.js';
import type { BotReply } from './protocol.js';

/** The action a conversation just took, which decides which replies it can receive. */
export type Expectation = 'request' | 'row' | 'quality' | 'page';

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
  reconsiderOrphans(): void;
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
  expectation: { kind: Expectation; afterId: number; seq: number } | null = null;
  /** True once our request went out: from then on a document may be ours. */
  wantsFile = false;
  pickedRow: string | null = null;
  /**
   * The recording we expect a file of: the Spotify track, or the row the owner chose by hand for
   * it (then the file is that row's recording, whatever Spotify says).
   */
  expected: TrackInfo;
  /** Files nobody fitted that look most like ours: if ours never comes, they explain why. */
  readonly suspects: BotMessage[] = [];
  closed = false;
  private readonly inbox: Routed[] = [];
  private waiter: { resolve: (r: Routed) => void; reject: (e: unknown) => void } | null = null;

  constructor(
    private readonly router: ConversationHost,
    readonly key: string,
    readonly track: TrackInfo,
    readonly echo: string[],
  ) {
    this.expected = track;
  }

  /** Call right before sending or clicking: the next fitting reply is ours. */
  expect(kind: Expectation, afterId: number): void {
    this.expectation = { kind, afterId, seq: this.router.nextSeq() };
    this.router.wake();
  }

  /** Our own outgoing message (the request, an inline result): replies quoting it are ours. */
  sent(messageId: number): void {
    this.sentIds.add(messageId);
    this.ownedIds.add(messageId);
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
  wantFile(): void {
    this.wantsFile = true;
  }

  noteSuspect(message: BotMessage): void {
    if (!this.suspects.some((m) => m.id === message.id)) this.suspects.push(message);
  }

  /** Stops taking documents (the file came, or we gave up). */
  doneWithFiles(): void {
    this.wantsFile = false;
  }

  deliver(routed: Routed): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(routed);
    } else {
      this.inbox.push(routed);
    }
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
    const queued = this.inbox.shift();
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
    this.router.release(this);
    this.wantsFile = false;
    this.expectation = null;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`;
}
