/**
 * Chat mode (the proven path): send the track link (or "Artist - Title"), pick a row of the
 * search menu with the matcher, choose the quality, wait for the document, check it, download it.
 * Every step is persisted through `request.record` before it is taken, so a restart can first
 * look at what the bot already sent instead of asking again.
 */
import type { TrackRecord } from '../domain/job.js';
import { SafetyStopError, errorMessage } from '../domain/errors.js';
import type { BotMessage } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest, TrackAcquirer } from '../engine/ports.js';
import { beforeSend, callGateway, rowAsTrack, takeFile, waitForFile, type StepDeps } from './file-step.js';
import type { QualityReply } from './protocol.js';
import type { FirstContact } from './first-contact.js';
import { clip, gateStop, promoStop } from './stops.js';
import type { UnansweredReplies } from './unanswered.js';
import { isReplyTimeout, type Conversation, type ReplyRouter, type Routed } from './reply-router.js';
import { newestKnownId } from './resume-step.js';
import { resumeChat } from './chat-resume.js';
import { ChatActions, MAX_THROTTLES, unavailable, unexpect, TRACK_UNAVAILABLE } from './chat-actions.js';

export interface LosslessTimeouts {
  /** How long to wait for a menu or a quality menu after an action. */
  replyMs: number;
  /** How long to wait for the document after choosing the quality (the bot fetches big files first). */
  fileMs: number;
}

export interface ChatStrategyOptions extends StepDeps {
  router: ReplyRouter;
  timeouts: LosslessTimeouts;
  /** Counts tracks whose attempt ended on the same unreadable reply (pauses the job at its limit). */
  unanswered: UnansweredReplies;
  /** Sends /start once before the first request of the account; absent: never. */
  firstContact?: FirstContact;
  /** Menu pages looked at before giving up on a query (the bot has many, mostly irrelevant). */
  maxPages?: number;
  /** Base of track links; defaults to Spotify's public one. */
  trackUrlBase?: string;
  /**
   * After a restart, how long (from the click's intent) a quality click that was never confirmed
   * is given for its file before it is clicked again. Default: the reply timeout, at most 60 s.
   */
  unconfirmedClickGraceMs?: number;
}

export interface MenuRows {
  query: string;
  /** The bot's menu message, or null when it found nothing. */
  messageId: number | null;
  /** Track rows of the first page, with their index among all buttons (what the picker indexes). */
  rows: { index: number; text: string }[];
  buttons: string[];
}


/** Actions per attempt before we call it a loop (menus answered with menus...). */
const MAX_STEPS = 12;
/** Interim replies (placeholders, progress edits) read per attempt; the reply and file timeouts bound them too. */
const MAX_UPDATES = 200;

export class ChatStrategy implements TrackAcquirer {
  private readonly maxPages: number;
  private readonly trackUrlBase: string;
  private readonly unconfirmedClickGraceMs: number;

  private readonly actions: ChatActions;

  constructor(private readonly o: ChatStrategyOptions) {
    this.actions = new ChatActions(o);
    this.maxPages = o.maxPages ?? 3;
    this.unconfirmedClickGraceMs = Math.min(o.unconfirmedClickGraceMs ?? Math.min(o.timeouts.replyMs, 60_000), o.timeouts.fileMs);
    this.trackUrlBase = (o.trackUrlBase ?? 'https://open.spotify.com/track/').replace(/\/?$/, '/');
  }

  async acquire(request: AcquireRequest): Promise<AcquireOutcome> {
    const conv = this.o.router.open(request.track, echoOf(request.track), request.track.id);
    const log = this.o.logger.child({ trackId: request.track.id });
    try {
      const resumed = await resumeChat(this.o, request, conv, this.queries(request.track), this.unconfirmedClickGraceMs);
      if (resumed && 'kind' in resumed) return resumed;
      const queries = this.queries(request.track);
      let from = 0;
      if (resumed) {
        const outcome = await this.drive(request, conv, resumed);
        if (outcome.kind !== 'not_found') return outcome;
        // A resumed request whose query is known found nothing: go on with the next query, not all again.
        if (resumed.query !== undefined) {
          from = queries.findIndex((q) => q.trim() === resumed.query) + 1;
          if (from >= queries.length) return outcome;
        }
      }
      let outcome: AcquireOutcome = { kind: 'not_found', reason: 'nothing to ask for' };
      for (const [i, query] of queries.entries()) {
        if (i < from) continue;
        outcome = await this.ask(request, conv, query);
        if (outcome.kind !== 'not_found' || i === queries.length - 1 || TRACK_UNAVAILABLE.has(outcome)) return outcome;
        log.info({ reason: outcome.reason }, 'nothing found by link; asking by name');
      }
      return outcome;
    } catch (err) {
      if (isReplyTimeout(err)) return { kind: 'failed', reason: `timeout: ${errorMessage(err)}`, retryable: true };
      throw err;
    } finally {
      conv.close();
    }
  }

  /**
   * For the owner's "pick a row by hand": sends the request and returns the first page's rows
   * without clicking anything.
   */
  async listMenuRows(track: TrackRecord, signal: AbortSignal): Promise<MenuRows> {
    const conv = this.o.router.open(track, echoOf(track));
    try {
      const queries = this.queries(track);
      let last: MenuRows = { query: queries[0]!, messageId: null, rows: [], buttons: [] };
      for (const query of queries) {
        await this.o.firstContact?.ensure(signal, track.id);
        const routed = await this.firstResult(conv, await this.send(conv, track.id, query, signal), signal);
        const reply = routed.reply;
        stopOn(routed);
        if (reply.kind === 'menu') {
          return {
            query,
            messageId: routed.message.id,
            rows: reply.trackIndexes.map((index) => ({ index, text: reply.buttons[index]!.text })),
            buttons: reply.buttons.map((b) => b.text),
          };
        }
        if (reply.kind !== 'not_found' && reply.kind !== 'unavailable') throw new Error(`the bot answered "${describeReply(routed)}" instead of a menu`);
        last = { query, messageId: null, rows: [], buttons: [] };
      }
      return last;
    } finally {
      conv.close();
    }
  }

  private queries(track: TrackRecord): string[] {
    const byName = `${track.artists.join(', ')} - ${track.title}`;
    return track.spotifyId ? [`${this.trackUrlBase}${track.spotifyId}`, byName] : [byName];
  }

  private async ask(request: AcquireRequest, conv: Conversation, query: string): Promise<AcquireOutcome> {
    conv.pickedRow = null;
    const t = request.track;
    // Any message id known now is older than the request about to go out.
    await this.o.firstContact?.ensure(request.signal, t.id);
    const persist = {
      // Intent right before sending: a crash after it leaves 'requested' without a request id, and
      // the next run looks for our message newer than `sendingAfterId` before asking again.
      before: () =>
        request.record({
          state: 'requested',
          requestMessageId: null,
          menuMessageId: null,
          pickedRow: null,
          fileMessageId: null,
          sendingAfterId: newestKnownId(this.o.router, t),
        }),
      after: (id: number) => request.record({ requestMessageId: id, sendingAfterId: null }),
    };
    const routed = await this.send(conv, t.id, query, request.signal, persist);
    const redo = async () => {
      await this.sendRequest(conv, t.id, query, request.signal, persist);
      return null;
    };
    return this.drive(request, conv, routed, redo, `the search results for "${clip(query, 120)}"`);
  }

  /** The first reply that is a result (menu, nothing found…), past placeholders; for the manual pick. */
  private async firstResult(conv: Conversation, first: Routed, signal: AbortSignal): Promise<Routed> {
    const deadline = this.o.router.clock.now() + this.o.timeouts.replyMs;
    let routed = first;
    for (let i = 0; i < MAX_UPDATES; i++) {
      const k = routed.reply.kind;
      const interim = k === 'interim' || k === 'unknown' || k === 'own' || (routed.reply.kind === 'promo' && !routed.reply.quota);
      if (!interim) return routed;
      conv.keepWaiting(routed.message.id);
      try {
        routed = await conv.next({ timeoutMs: deadline - this.o.router.clock.now(), signal });
      } catch (err) {
        if (isReplyTimeout(err)) return routed;
        throw err;
      }
    }
    return routed;
  }

  private async send(
    conv: Conversation,
    trackId: number,
    query: string,
    signal: AbortSignal,
    persist: { before?: () => Promise<void>; after?: (messageId: number) => Promise<void> } = {},
  ): Promise<Routed> {
    await this.sendRequest(conv, trackId, query, signal, persist);
    return conv.next({ timeoutMs: this.o.timeouts.replyMs, signal });
  }

  /** Sends the request (paced, intent persisted first); its reply is read with `conv.next`. */
  private async sendRequest(
    conv: Conversation,
    trackId: number,
    query: string,
    signal: AbortSignal,
    persist: { before?: () => Promise<void>; after?: (messageId: number) => Promise<void> } = {},
  ): Promise<void> {
    await this.o.pacer.acquire('message', { signal, trackId });
    await beforeSend(this.o.pacer, 'message', () => persist.before?.());
    // Until the send returns our message id, no reply can be ours: a menu read meanwhile (another
    // track's history read after a restart) answers an older request. Replies that find nobody
    // are routed again once the id is known.
    conv.expect('request', Number.MAX_SAFE_INTEGER);
    conv.sending(query);
    const sent = await callGateway(this.o.pacer, () => {
      this.o.pacer.sending?.('message');
      return this.o.gateway.sendText(query);
    }).catch(unexpect(conv));
    conv.sent(sent.id);
    conv.answerAfter(sent.id);
    await persist.after?.(sent.id);
  }

  /**
   * Follows the bot's replies from `first` to an outcome. `redo` repeats the action `first`
   * answers (the request), for a throttle reply; null when it is not ours to repeat (a resume).
   */
  private async drive(
    request: AcquireRequest,
    conv: Conversation,
    first: Routed,
    redo: (() => Promise<AcquireOutcome | null>) | null = null,
    waitingFor = 'the search results',
  ): Promise<AcquireOutcome> {
    const { track, signal } = request;
    const { replyMs, fileMs } = this.o.timeouts;
    const now = () => this.o.router.clock.now();
    let routed: Routed | null = first;
    let pages = 1;
    let steps = 0;
    let updates = 0;
    let throttles = 0;
    let fileDeadline: number | null = null;
    let replyDeadline = now() + replyMs;
    let again = redo;
    let expecting = waitingFor;
    /** The last interim / unknown / promo reply of this action: what an empty wait ends on. */
    let pending: Routed | null = null;
    const waitFile = () => waitForFile(this.o, request, conv, fileDeadline ?? now() + fileMs, now);
    /** The next reply of the current action; null when its time is up. */
    const next = async (): Promise<Routed | AcquireOutcome | null> => {
      if (fileDeadline !== null) {
        try {
          return await waitFile();
        } catch (err) {
          if (isReplyTimeout(err) && pending) return null;
          throw err;
        }
      }
      try {
        return await conv.next({ timeoutMs: replyDeadline - now(), signal });
      } catch (err) {
        if (isReplyTimeout(err) && pending) return null;
        throw err;
      }
    };
    const acted = (what: string, repeat: () => Promise<AcquireOutcome | null>) => {
      steps += 1;
      pending = null;
      expecting = what;
      again = repeat;
      replyDeadline = now() + replyMs;
    };

    for (;;) {
      signal.throwIfAborted();
      if (routed === null) {
        // Time is up and the last word was interim: say what it was, never retry in silence.
        const last: Routed = pending!;
        if (last.reply.kind === 'promo') throw promoStop(last.reply.text);
        const reason = this.o.unanswered.note({ trackId: track.id, message: last.message, waitingFor: expecting });
        this.o.logger.warn({ trackId: track.id, messageId: last.message.id, text: clip(last.message.text) }, 'the bot\'s reply never became a result');
        return { kind: 'failed', reason, retryable: true };
      }
      if (steps > MAX_STEPS) return { kind: 'failed', reason: `the bot kept answering without a file after ${MAX_STEPS} steps`, retryable: true };
      const { message, reply } = routed;
      switch (reply.kind) {
        case 'safety':
          throw new SafetyStopError(reply.signal, `@LosslessRobot says: "${clip(reply.text)}"`);
        case 'gate':
          throw gateStop(message, reply.links, `its answer while Crate waited for ${expecting}`);
        case 'promo':
          // With its "limit spent" text it replaced the result; a bare offer may sit beside one.
          if (reply.quota) throw promoStop(reply.text);
          pending = routed;
          conv.keepWaiting(message.id);
          break;
        case 'document':
          return takeFile(this.o, request, conv, message);
        case 'not_found':
          return { kind: 'not_found', reason: reply.text ? `the bot found nothing ("${clip(reply.text)}")` : 'the bot found nothing' };
        case 'unavailable':
          return unavailable(reply.text);
        case 'throttle': {
          if (!again || throttles >= MAX_THROTTLES) {
            return { kind: 'failed', reason: `the bot asked to slow down ("${clip(reply.text)}")`, retryable: true };
          }
          throttles += 1;
          await this.actions.waitOutThrottle(request, reply.seconds, throttles);
          const repeat = again;
          const decided = await repeat();
          if (decided) return decided;
          acted(expecting, repeat);
          steps -= 1;
          break;
        }
        case 'own':
          break;
        case 'wait':
          fileDeadline ??= now() + fileMs;
          break;
        case 'interim':
        case 'unknown':
          // Not a result yet: a placeholder ("🔍 Ищу трек…"), progress, or words we do not know.
          // Its edit or the next message may be the answer, until the action's time is up.
          if (reply.kind === 'unknown') this.o.logger.info({ trackId: track.id, messageId: message.id, text: clip(reply.text) }, 'unknown reply from the bot; waiting for what follows');
          pending = routed;
          updates += 1;
          if (updates > MAX_UPDATES) routed = null;
          conv.keepWaiting(message.id);
          break;
        case 'menu': {
          conv.own(message.id);
          await request.record({ menuMessageId: message.id });
          const texts = reply.buttons.map((b) => b.text);
          const choice = this.o.matcher.pickRow(track, texts, { preferredRowText: track.rememberedChoice });
          const button = choice.index === null ? undefined : reply.buttons[choice.index];
          if (!button) {
            if (reply.next?.data && pages < this.maxPages) {
              pages += 1;
              const data = reply.next.data;
              const repeat = () => this.actions.clickToast(request, conv, 'page', message.id, data);
              const toast = await this.actions.clickToast(request, conv, 'page', message.id, data);
              if (toast) return toast;
              acted('the next page of results', repeat);
              break;
            }
            return { kind: 'not_found', reason: `no menu row fits (${choice.reason}; ${pages} page${pages === 1 ? '' : 's'} looked at)` };
          }
          if (!button.data) return { kind: 'failed', reason: `the row "${button.text}" cannot be pressed`, retryable: false };
          conv.pickedRow = button.text;
          if (track.rememberedChoice && button.text.trim() === track.rememberedChoice.trim()) conv.expected = rowAsTrack(button.text, track);
          await request.record({ state: 'picked', menuMessageId: message.id, pickedRow: button.text });
          const data = button.data;
          const toast = await this.actions.clickToast(request, conv, 'row', message.id, data);
          if (toast) return toast;
          acted(`the quality menu after pressing "${clip(button.text, 80)}"`, () => this.actions.clickToast(request, conv, 'row', message.id, data));
          break;
        }
        case 'quality': {
          conv.own(message.id);
          const button = chooseQuality(reply, request.quality);
          if (!button?.data) {
            return { kind: 'failed', reason: `the bot offered no lossless quality (${describeReply(routed)})`, retryable: false };
          }
          // Persisted (and the engine's watchdog touched) before the file wait starts.
          await request.record({ state: 'picked', menuMessageId: message.id });
          // 'downloading' (the bot's own "Загрузка началась") is written the moment the click goes
          // out, and confirmed once Telegram took it: after a restart a confirmed click's file is
          // waited for, never asked again; an unconfirmed one (killed right before or while it
          // went out) is given a short grace, then clicked again.
          const sendingAfterId = this.o.router.newestSeenId;
          const data = button.data;
          const toast = await this.actions.clickToast(request, conv, 'quality', message.id, data, {
            before: () => request.record({ state: 'downloading', sendingAfterId }),
            after: () => request.record({ sendingAfterId: null }),
            failed: () => request.record({ state: 'picked' }),
          });
          if (toast) return toast;
          conv.fileAskedAfterId = sendingAfterId;
          acted(`the file after choosing "${clip(button.text, 40)}"`, () => this.actions.clickToast(request, conv, 'quality', message.id, data));
          fileDeadline = now() + fileMs;
          break;
        }
        default:
          return { kind: 'failed', reason: `unhandled reply ${(reply as { kind: string }).kind}`, retryable: true };
      }
      if (routed === null) continue;
      const got = await next();
      if (got !== null && 'kind' in got) return got;
      routed = got;
    }
  }
}

/** The configured quality, else the other lossless one; never the lossy "Low". */
export function chooseQuality(reply: QualityReply, quality: 'high' | 'max'): QualityReply['high'] {
  return quality === 'max' ? (reply.max ?? reply.high) : (reply.high ?? reply.max);
}

/** Promo (replacing a result), quota, restriction and gates stop the whole job, not just this track. */
function stopOn({ message, reply }: Routed): void {
  if (reply.kind === 'promo') throw promoStop(reply.text);
  if (reply.kind === 'safety') throw new SafetyStopError(reply.signal, `@LosslessRobot says: "${clip(reply.text)}"`);
  if (reply.kind === 'gate') throw gateStop(message, reply.links, 'its answer to a request');
}

export function echoOf(track: Pick<TrackRecord, 'artists' | 'title'>): string[] {
  return [`${track.artists.join(', ')} - ${track.title}`, track.title, ...track.artists];
}

function describeReply(routed: { message: BotMessage }): string {
  const m = routed.message;
  return clip([m.text, ...m.buttons.map((b) => `[${b.text}]`)].filter(Boolean).join(' '));
}
