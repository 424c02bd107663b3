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
import { callGateway, rowAsTrack, takeFile, waitForFile, type StepDeps } from './file-step.js';
import { classifyCallbackAnswer, classifyReply, type QualityReply } from './protocol.js';
import { isReplyTimeout, type Conversation, type Expectation, type ReplyRouter, type Routed } from './reply-router.js';
import { adoptUnrecordedSend, awaitAfterRestart, newestKnownId, RESUME_HISTORY_LIMIT } from './resume-step.js';

export interface LosslessTimeouts {
  /** How long to wait for a menu or a quality menu after an action. */
  replyMs: number;
  /** How long to wait for the document after choosing the quality (the bot fetches big files first). */
  fileMs: number;
}

export interface ChatStrategyOptions extends StepDeps {
  router: ReplyRouter;
  timeouts: LosslessTimeouts;
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

/** A reply to go on from after a restart; `query` when the request it answers is known. */
type ResumedReply = Routed & { query?: string };

/** Actions per attempt before we call it a loop (menus answered with menus...). */
const MAX_STEPS = 12;
const RESUMABLE_MENU_STATES = new Set(['requested', 'picked', 'downloading']);

export class ChatStrategy implements TrackAcquirer {
  private readonly maxPages: number;
  private readonly trackUrlBase: string;
  private readonly unconfirmedClickGraceMs: number;

  constructor(private readonly o: ChatStrategyOptions) {
    this.maxPages = o.maxPages ?? 3;
    this.unconfirmedClickGraceMs = Math.min(o.unconfirmedClickGraceMs ?? Math.min(o.timeouts.replyMs, 60_000), o.timeouts.fileMs);
    this.trackUrlBase = (o.trackUrlBase ?? 'https://open.spotify.com/track/').replace(/\/?$/, '/');
  }

  async acquire(request: AcquireRequest): Promise<AcquireOutcome> {
    const conv = this.o.router.open(request.track, echoOf(request.track));
    const log = this.o.logger.child({ trackId: request.track.id });
    try {
      const resumed = await this.resume(request, conv);
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
        if (outcome.kind !== 'not_found' || i === queries.length - 1) return outcome;
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
        const routed = await this.send(conv, track.id, query, signal);
        const reply = routed.reply;
        stopOn(reply);
        if (reply.kind === 'menu') {
          return {
            query,
            messageId: routed.message.id,
            rows: reply.trackIndexes.map((index) => ({ index, text: reply.buttons[index]!.text })),
            buttons: reply.buttons.map((b) => b.text),
          };
        }
        if (reply.kind !== 'not_found') throw new Error(`the bot answered "${describeReply(routed)}" instead of a menu`);
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
    const sendingAfterId = newestKnownId(this.o.router, t);
    const routed = await this.send(conv, t.id, query, request.signal, {
      // Intent right before sending: a crash after it leaves 'requested' without a request id, and
      // the next run looks for our message newer than `sendingAfterId` before asking again.
      before: () =>
        request.record({ state: 'requested', requestMessageId: null, menuMessageId: null, pickedRow: null, fileMessageId: null, sendingAfterId }),
      after: (id) => request.record({ requestMessageId: id, sendingAfterId: null }),
    });
    return this.drive(request, conv, routed);
  }

  private async send(
    conv: Conversation,
    trackId: number,
    query: string,
    signal: AbortSignal,
    persist: { before?: () => Promise<void>; after?: (messageId: number) => Promise<void> } = {},
  ): Promise<Routed> {
    await this.o.pacer.acquire('message', { signal, trackId });
    await persist.before?.();
    // Until the send returns our message id, no reply can be ours: a menu read meanwhile (another
    // track's history read after a restart) answers an older request. Replies that find nobody
    // are routed again once the id is known.
    conv.expect('request', Number.MAX_SAFE_INTEGER);
    const sent = await callGateway(this.o.pacer, () => {
      this.o.pacer.sending?.('message');
      return this.o.gateway.sendText(query);
    }).catch(unexpect(conv));
    conv.sent(sent.id);
    conv.answerAfter(sent.id);
    await persist.after?.(sent.id);
    return conv.next({ timeoutMs: this.o.timeouts.replyMs, signal });
  }

  /** Follows the bot's replies from `first` to an outcome. */
  private async drive(request: AcquireRequest, conv: Conversation, first: Routed): Promise<AcquireOutcome> {
    const { track, signal } = request;
    const { replyMs, fileMs } = this.o.timeouts;
    let routed = first;
    let pages = 1;
    let fileDeadline: number | null = null;
    const now = () => this.o.router.clock.now();
    const waitFile = () => waitForFile(this.o, request, conv, fileDeadline ?? now() + fileMs, now);

    for (let step = 0; step < MAX_STEPS; step++) {
      signal.throwIfAborted();
      const { message, reply } = routed;
      stopOn(reply);
      switch (reply.kind) {
        case 'document':
          return takeFile(this.o, request, conv, message);
        case 'not_found':
          return { kind: 'not_found', reason: reply.text ? `the bot found nothing ("${clip(reply.text)}")` : 'the bot found nothing' };
        case 'unknown':
          this.o.logger.warn({ trackId: track.id, messageId: message.id, text: reply.text }, 'unexpected reply from the bot');
          return { kind: 'failed', reason: `unexpected reply from the bot: "${clip(reply.text)}"`, retryable: true };
        case 'own':
          routed = await conv.next({ timeoutMs: replyMs, signal });
          break;
        case 'wait': {
          fileDeadline ??= now() + fileMs;
          const got = await waitFile();
          if ('kind' in got) return got;
          routed = got;
          break;
        }
        case 'menu': {
          conv.own(message.id);
          await request.record({ menuMessageId: message.id });
          const texts = reply.buttons.map((b) => b.text);
          const choice = this.o.matcher.pickRow(track, texts, { preferredRowText: track.rememberedChoice });
          const button = choice.index === null ? undefined : reply.buttons[choice.index];
          if (!button) {
            if (reply.next?.data && pages < this.maxPages) {
              pages += 1;
              await this.click(request, conv, 'page', message.id, reply.next.data);
              routed = await conv.next({ timeoutMs: replyMs, signal });
              break;
            }
            return { kind: 'not_found', reason: `no menu row fits (${choice.reason}; ${pages} page${pages === 1 ? '' : 's'} looked at)` };
          }
          if (!button.data) return { kind: 'failed', reason: `the row "${button.text}" cannot be pressed`, retryable: false };
          conv.pickedRow = button.text;
          if (track.rememberedChoice && button.text.trim() === track.rememberedChoice.trim()) conv.expected = rowAsTrack(button.text, track);
          await request.record({ state: 'picked', menuMessageId: message.id, pickedRow: button.text });
          await this.click(request, conv, 'row', message.id, button.data);
          routed = await conv.next({ timeoutMs: replyMs, signal });
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
          await this.click(request, conv, 'quality', message.id, button.data, {
            before: () => request.record({ state: 'downloading', sendingAfterId }),
            after: () => request.record({ sendingAfterId: null }),
            failed: () => request.record({ state: 'picked' }),
          });
          fileDeadline = now() + fileMs;
          const got = await waitFile();
          if ('kind' in got) return got;
          routed = got;
          break;
        }
        default:
          return { kind: 'failed', reason: `unhandled reply ${reply.kind}`, retryable: true };
      }
    }
    return { kind: 'failed', reason: `the bot kept answering without a file after ${MAX_STEPS} steps`, retryable: true };
  }

  private async click(
    request: AcquireRequest,
    conv: Conversation,
    kind: Expectation,
    messageId: number,
    data: string,
    persist: { before?: () => Promise<void>; after?: () => Promise<void>; failed?: () => Promise<void> } = {},
  ): Promise<void> {
    await this.o.pacer.acquire('click', { signal: request.signal, trackId: request.track.id });
    await persist.before?.();
    conv.expect(kind, messageId);
    const answer = await callGateway(this.o.pacer, () => {
      this.o.pacer.sending?.('click');
      return this.o.gateway.clickButton(messageId, data);
    }).catch(async (err: unknown) => {
      await persist.failed?.().catch(() => undefined);
      return unexpect(conv)(err);
    });
    await persist.after?.();
    const stop = classifyCallbackAnswer(answer.message, { echo: conv.echo });
    if (stop === 'promo') throw new SafetyStopError('promo', `@LosslessRobot answered with its Premium offer: "${clip(answer.message ?? '')}"`);
    if (stop) throw new SafetyStopError(stop, `@LosslessRobot says: "${clip(answer.message ?? '')}"`);
  }

  /**
   * After a restart: the file may already be in the chat (download it, ask nothing), or the menu
   * we were on may still be there (go on from it). Returns an outcome, a reply to go on from (with
   * the query it answers when known), or null.
   */
  private async resume(request: AcquireRequest, conv: Conversation): Promise<AcquireOutcome | ResumedReply | null> {
    const t = request.track;
    if (t.state === 'done' || t.state === 'skipped') return null;
    const log = this.o.logger.child({ trackId: t.id });
    let requestId = t.requestMessageId;
    // When our request went out: its answer is waited for until a reply timeout after that.
    let sentAt = t.updatedAt;
    let query: string | undefined;
    let history: BotMessage[] | null = null;
    if (requestId === null) {
      const adopted = await this.adoptUnrecordedRequest(request);
      if (!adopted) return null;
      log.info({ messageId: adopted.message.id }, 'resuming: our request went out before the restart; not asking again');
      requestId = adopted.message.id;
      sentAt = adopted.message.date * 1000;
      query = adopted.message.text.trim();
      history = adopted.after;
    }
    conv.pickedRow = t.pickedRow;
    if (t.pickedRow && t.rememberedChoice && t.pickedRow.trim() === t.rememberedChoice.trim()) conv.expected = rowAsTrack(t.pickedRow, t);
    conv.wantFile(requestId);
    // Killed before the menu came (or before we saw it): the history read below may hold it.
    const menuUnseen = t.state === 'requested' && t.menuMessageId === null;
    if (menuUnseen) conv.expect('request', requestId);

    if (t.fileMessageId !== null) {
      const [known] = await callGateway(this.o.pacer, () => this.o.gateway.getMessages([t.fileMessageId!]));
      if (known?.document && this.o.router.claim(known.id)) {
        log.info({ messageId: known.id }, 'resuming: the file is already in the chat');
        return takeFile(this.o, request, conv, known);
      }
    }
    // Everything since our request: files come after menus, so the newest messages matter most
    // (the gateway walks back to minId anyway; a smaller limit would keep only the oldest).
    const since = requestId;
    history ??= await callGateway(this.o.pacer, () => this.o.gateway.history({ minId: since, limit: RESUME_HISTORY_LIMIT }));
    // Tracks resume side by side: another one's history read may already have routed our file to us.
    const found = this.o.router.claimFromHistory(conv, history) ?? conv.takeDocument();
    if (found) {
      log.info({ messageId: found.message.id }, 'resuming: found the file in the chat history');
      return takeFile(this.o, request, conv, found.message);
    }
    if (menuUnseen) {
      // Not in the chat yet: the answer may still be coming (the restart was quick).
      const answer = conv.takeReply() ?? (await awaitAfterRestart(this.o, request, conv, sentAt + this.o.timeouts.replyMs, false));
      conv.expectation = null;
      if (answer && 'kind' in answer) return answer;
      if (answer) {
        log.info({ messageId: answer.message.id, kind: answer.reply.kind }, 'resuming from the answer already in the chat');
        return query === undefined ? answer : { ...answer, query };
      }
    }
    if (t.state === 'downloading' && t.fileMessageId === null) {
      // A click never confirmed may not have reached the bot: a short grace, then it is clicked again.
      const unconfirmed = t.sendingAfterId !== null && t.sendingAfterId !== undefined;
      const waitMs = unconfirmed ? this.unconfirmedClickGraceMs : this.o.timeouts.fileMs;
      const waited = await awaitAfterRestart(this.o, request, conv, t.updatedAt + waitMs, true);
      if (waited) return waited;
      log.info(
        unconfirmed
          ? 'resuming: the quality click before the restart was never confirmed and no file came; choosing again'
          : 'resuming: the file chosen before the restart never came; choosing again',
      );
    }
    if (t.menuMessageId !== null && RESUMABLE_MENU_STATES.has(t.state)) {
      const [menu] = await callGateway(this.o.pacer, () => this.o.gateway.getMessages([t.menuMessageId!]));
      const reply = menu ? classifyReply(menu, { echo: conv.echo }) : null;
      if (menu && reply && (reply.kind === 'menu' || reply.kind === 'quality')) {
        log.info({ messageId: menu.id, kind: reply.kind }, 'resuming from the menu already in the chat');
        conv.own(menu.id);
        return { message: menu, reply, how: 'history' };
      }
    }
    return null;
  }

  /**
   * Killed after recording the intent to ask but before recording the sent message's id: the
   * request may have reached the bot. Looks for our own message with exactly one of this track's
   * queries, newer than every id known at the intent (or, when none was known, sent after the
   * intent's time), and records it as the request. Null: it never went out.
   */
  private async adoptUnrecordedRequest(request: AcquireRequest): Promise<{ message: BotMessage; after: BotMessage[] } | null> {
    const t = request.track;
    if (t.state !== 'requested') return null;
    const queries = new Set(this.queries(t).map((q) => q.trim()));
    return adoptUnrecordedSend(this.o, request, (m) => queries.has(m.text.trim()));
  }
}

/** The configured quality, else the other lossless one; never the lossy "Low". */
export function chooseQuality(reply: QualityReply, quality: 'high' | 'max'): QualityReply['high'] {
  return quality === 'max' ? (reply.max ?? reply.high) : (reply.high ?? reply.max);
}

/**
 * The action did not go out (FloodWait, dropped connection): no reply is coming, so the
 * conversation must not stay "waiting for a menu" — closed like that it would leave a ghost that
 * takes the next menu of this track (the retry's) as a late answer.
 */
function unexpect(conv: Conversation): (err: unknown) => never {
  return (err) => {
    conv.expectation = null;
    throw err;
  };
}

/** Promo, quota and restriction stop the whole job, not just this track. */
function stopOn(reply: Routed['reply']): void {
  if (reply.kind === 'promo') {
    throw new SafetyStopError('promo', `@LosslessRobot answered with its Premium offer ("${clip(reply.text)}"): its free quota is probably spent`);
  }
  if (reply.kind === 'safety') throw new SafetyStopError(reply.signal, `@LosslessRobot says: "${clip(reply.text)}"`);
}

export function echoOf(track: Pick<TrackRecord, 'artists' | 'title'>): string[] {
  return [`${track.artists.join(', ')} - ${track.title}`, track.title, ...track.artists];
}

function describeReply(routed: { message: BotMessage }): string {
  const m = routed.message;
  return clip([m.text, ...m.buttons.map((b) => `[${b.text}]`)].filter(Boolean).join(' '));
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
