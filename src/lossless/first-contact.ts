/**
 * First contact: bots like @LosslessRobot expect `/start` before anything else (the earlier tool's
 * README says so), and some answer it with a gate (join a channel first). Before the first
 * request of an account Crate sends `/start` once, through the pacer, and reads the answer. The
 * fact is kept in SQLite (a setting), written BEFORE the message goes out: a crash in between
 * leaves it "sending", which counts as sent — never twice is worth more than a missing greeting.
 */
import { FloodWaitError, SafetyStopError, TurnLostError, errorMessage } from '../domain/errors.js';
import type { BotMessage } from '../domain/telegram.js';
import type { TrackInfo } from '../domain/track.js';
import type { Logger } from '../logger.js';
import type { MessagePacer } from '../engine/ports.js';
import type { TelegramGateway } from '../domain/telegram.js';
import { callGateway } from './file-step.js';
import { classifyReply } from './protocol.js';
import { isReplyTimeout, type ReplyRouter } from './reply-router.js';
import { clip, gateStop, promoStop } from './stops.js';
import { verbatim } from './unanswered.js';

export interface FirstContactRecord {
  state: 'sending' | 'sent';
  /** Epoch ms of the send. */
  at: number;
  messageId: number | null;
  /** The bot's answer in words (verbatim, bounded), null when it said nothing in time. */
  answer: string | null;
  /** How Crate read the answer ('gate', 'unknown' for a greeting…), null when none came. */
  answerKind: string | null;
}

/** Where the record lives (SQLite settings in production). */
export interface FirstContactStore {
  read(): FirstContactRecord | null;
  write(record: FirstContactRecord): void;
  clear(): void;
}

export const START_COMMAND = '/start';
/** The setting (JobStore key-value) that holds the record. */
export const FIRST_CONTACT_KEY = 'lossless.firstContact';
const START_TRACK: TrackInfo = { position: 0, spotifyId: null, artists: [], title: START_COMMAND, album: null, durationMs: null, isrc: null, releaseYear: null };

/** Reads a stored record, tolerating anything (an older or hand-edited value is "not yet"). */
export function parseFirstContact(raw: string | null): FirstContactRecord | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<FirstContactRecord>;
    if (v.state !== 'sending' && v.state !== 'sent') return null;
    return {
      state: v.state,
      at: typeof v.at === 'number' ? v.at : 0,
      messageId: typeof v.messageId === 'number' ? v.messageId : null,
      answer: typeof v.answer === 'string' ? v.answer.slice(0, 2000) : null,
      answerKind: typeof v.answerKind === 'string' ? v.answerKind : null,
    };
  } catch {
    return null;
  }
}

/** A store over a key-value setting (the engine's JobStore settings). */
export function settingFirstContactStore(settings: { getSetting(key: string): string | null; setSetting(key: string, value: string | null): void }, key: string): FirstContactStore {
  return {
    read: () => parseFirstContact(settings.getSetting(key)),
    write: (record) => settings.setSetting(key, JSON.stringify(record)),
    clear: () => settings.setSetting(key, null),
  };
}

export function memoryFirstContactStore(initial: FirstContactRecord | null = null): FirstContactStore {
  let record = initial;
  return {
    read: () => record,
    write: (r) => {
      record = r;
    },
    clear: () => {
      record = null;
    },
  };
}

export interface FirstContactDeps {
  gateway: TelegramGateway;
  pacer: MessagePacer;
  router: ReplyRouter;
  store: FirstContactStore;
  logger: Logger;
  replyMs: number;
}

export class FirstContact {
  private pending: Promise<void> | null = null;

  constructor(private readonly o: FirstContactDeps) {}

  /** Resolves once `/start` went out (now or in an earlier run); throws the gate pause when its answer gates use. */
  ensure(signal: AbortSignal, trackId?: number): Promise<void> {
    if (this.o.store.read()) return Promise.resolve();
    // Tracks start side by side: one /start for all of them.
    this.pending ??= this.contact(signal, trackId).finally(() => (this.pending = null));
    return this.pending;
  }

  private async contact(signal: AbortSignal, trackId: number | undefined): Promise<void> {
    const { gateway, pacer, router, store, logger } = this.o;
    await pacer.acquire('message', { signal, ...(trackId !== undefined ? { trackId } : {}) });
    if (store.read()) {
      // Another process made first contact while this one waited for its turn: nothing goes out.
      pacer.release?.('message');
      return;
    }
    const startedAt = router.clock.now();
    store.write({ state: 'sending', at: startedAt, messageId: null, answer: null, answerKind: null });
    const conv = router.open(START_TRACK, []);
    try {
      conv.expect('start', Number.MAX_SAFE_INTEGER);
      conv.sending(START_COMMAND);
      const sent = await callGateway(pacer, () => {
        pacer.sending?.('message');
        return gateway.sendText(START_COMMAND);
      });
      conv.sent(sent.id);
      conv.answerAfter(sent.id);
      let answer: BotMessage | null = null;
      try {
        answer = (await conv.next({ timeoutMs: this.o.replyMs, signal })).message;
      } catch (err) {
        if (!isReplyTimeout(err)) throw err;
      }
      const reply = answer ? classifyReply(answer, { answeringStart: true }) : null;
      store.write({
        state: 'sent',
        at: startedAt,
        messageId: sent.id,
        answer: answer ? verbatim(answer) : null,
        answerKind: reply?.kind ?? null,
      });
      logger.info({ messageId: sent.id, answer: reply?.kind ?? 'none' }, 'first contact: /start sent');
      // What stops a request stops here too: a gate, a ban or quota notice, the "limit spent" promo.
      if (answer && reply?.kind === 'gate') throw gateStop(answer, reply.links, 'its answer to /start');
      if (reply?.kind === 'safety') throw new SafetyStopError(reply.signal, `@LosslessRobot answered /start with: "${clip(reply.text)}"`);
      if (reply?.kind === 'promo' && reply.quota) throw promoStop(reply.text);
    } catch (err) {
      // Telegram refused it (FloodWait) or our pacer gave up the turn: it did not go out, so it is still to be sent.
      if (err instanceof FloodWaitError || err instanceof TurnLostError) store.clear();
      // Otherwise, sent or not, "sending" stays: never a second /start.
      else if (!(err instanceof SafetyStopError)) logger.warn({ err: errorMessage(err) }, 'first contact: /start could not be confirmed');
      throw err;
    } finally {
      conv.close();
    }
  }
}
