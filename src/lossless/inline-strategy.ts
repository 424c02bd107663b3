/**
 * Inline mode (`LOSSLESS_MODE=inline`): `@LosslessRobot Artist - Title` returns results; we pick
 * one with the same picker as the chat menus (results shown as "Performer - Title [m:ss]" rows),
 * send it into the bot chat, and wait for that message to turn from "wait" into the document.
 */
import { IN_FLIGHT_TRACK_STATES, type TrackRecord } from '../domain/job.js';
import { SafetyStopError, errorMessage } from '../domain/errors.js';
import type { BotMessage, InlineResultInfo } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest, TrackAcquirer } from '../engine/ports.js';
import { echoOf, type LosslessTimeouts } from './chat-strategy.js';
import { beforeSend, callGateway, refuseDocument, rowAsTrack, takeFile, waitForFile, type StepDeps } from './file-step.js';
import { classifyReply, documentLabel, isAudioDocument } from './protocol.js';
import { classifyText } from './reply-texts.js';
import type { FirstContact } from './first-contact.js';
import { clip, gateStop, promoStop } from './stops.js';
import type { UnansweredReplies } from './unanswered.js';
import { relatedness } from './relatedness.js';
import { isReplyTimeout, type Conversation, type ReplyRouter, type Routed } from './reply-router.js';
import { adoptUnrecordedSend, awaitAfterRestart, newestKnownId } from './resume-step.js';

export interface InlineStrategyOptions extends StepDeps {
  router: ReplyRouter;
  timeouts: LosslessTimeouts;
  unanswered: UnansweredReplies;
  firstContact?: FirstContact;
}

export class InlineStrategy implements TrackAcquirer {
  constructor(private readonly o: InlineStrategyOptions) {}

  async acquire(request: AcquireRequest): Promise<AcquireOutcome> {
    const conv = this.o.router.open(request.track, echoOf(request.track), request.track.id);
    try {
      const resumed = await this.resume(request, conv);
      if (resumed) return resumed;
      return await this.ask(request, conv);
    } catch (err) {
      if (isReplyTimeout(err)) return { kind: 'failed', reason: `timeout: ${errorMessage(err)}`, retryable: true };
      throw err;
    } finally {
      conv.close();
    }
  }

  private async ask(request: AcquireRequest, conv: Conversation): Promise<AcquireOutcome> {
    const { track, signal } = request;
    const query = `${track.artists.join(', ')} - ${track.title}`;
    await this.o.firstContact?.ensure(signal, track.id);
    await this.o.pacer.acquire('inline', { signal, trackId: track.id });
    // An inline query puts nothing in the chat: asking it again after a restart costs nothing there.
    await beforeSend(this.o.pacer, 'inline', () =>
      request.record({ state: 'requested', requestMessageId: null, menuMessageId: null, pickedRow: null, fileMessageId: null, sendingAfterId: null }),
    );
    const results = await callGateway(this.o.pacer, () => {
      this.o.pacer.sending?.('inline');
      return this.o.gateway.inlineQuery(query);
    });
    if (results.length === 0) return { kind: 'not_found', reason: 'the inline search found nothing' };

    // Only results that can be the FLAC: a lossy copy listed beside it is never a candidate.
    const candidates = losslessResults(results.slice(0, MAX_RESULTS));
    if (candidates.length === 0) return { kind: 'not_found', reason: 'the inline search found no lossless result' };
    const labels = candidates.map(inlineLabel);
    const choice = this.o.matcher.pickRow(track, labels, { preferredRowText: track.rememberedChoice });
    const picked = choice.index === null ? undefined : candidates[choice.index];
    if (!picked) return { kind: 'not_found', reason: `no inline result fits (${choice.reason})` };
    const pickedRow = labels[choice.index!]!;
    this.expectRow(conv, track, pickedRow);
    await request.record({ state: 'picked', pickedRow });

    await this.o.pacer.acquire('message', { signal, trackId: track.id });
    // Intent right before sending: a crash after it leaves 'picked' without a request id, and the
    // next run looks for our inline message newer than `sendingAfterId` before sending again.
    await beforeSend(this.o.pacer, 'message', () => request.record({ sendingAfterId: newestKnownId(this.o.router, request.track) }));
    conv.sending(null);
    conv.fileAskedAfterId = this.o.router.newestSeenId;
    const sent = await callGateway(this.o.pacer, () => {
      this.o.pacer.sending?.('message');
      return this.o.gateway.sendInlineResult(picked);
    }).catch((err: unknown) => {
      conv.sendFailed();
      throw err;
    });
    conv.sent(sent.id);
    await request.record({ requestMessageId: sent.id, sendingAfterId: null });
    // A document that still shows the wait button (or says it is pending) is a stand-in: its edit brings the file.
    if (classifyReply(sent).kind === 'document' && this.o.router.claim(sent.id)) return await takeFile(this.o, request, conv, sent);
    return await this.waitForDocument(request, conv, this.o.router.clock.now() + this.o.timeouts.fileMs);
  }

  /**
   * The sent message shows "wait…" and is edited into the document (or the bot sends a new one).
   * `first`: a reply already read (after a restart) to handle before waiting.
   */
  private async waitForDocument(request: AcquireRequest, conv: Conversation, deadline: number, first?: Routed): Promise<AcquireOutcome> {
    const now = () => this.o.router.clock.now();
    let next = first;
    /** The last interim / unknown / bare promo reply: what an empty wait ends on. */
    let pending: Routed | null = null;
    for (let updates = 0; updates <= MAX_UPDATES; updates++) {
      let got: Routed | AcquireOutcome;
      try {
        got = next ?? (await waitForFile(this.o, request, conv, deadline, now));
      } catch (err) {
        if (!isReplyTimeout(err) || !pending) throw err;
        return this.unanswered(request, pending);
      }
      next = undefined;
      if ('kind' in got) return got;
      const outcome = await this.handle(request, conv, got);
      if (outcome) return outcome;
      const k = got.reply.kind;
      if (k === 'unknown' || k === 'interim' || k === 'promo') pending = got;
    }
    return pending ? this.unanswered(request, pending) : { kind: 'failed', reason: 'the bot kept editing our inline message without a file', retryable: true };
  }

  /** Time is up and the last word was interim: say what it was. */
  private unanswered(request: AcquireRequest, last: Routed): AcquireOutcome {
    if (last.reply.kind === 'promo') throw promoStop(last.reply.text);
    const reason = this.o.unanswered.note({ trackId: request.track.id, message: last.message, waitingFor: 'the file of the inline result Crate sent' });
    return { kind: 'failed', reason, retryable: true };
  }

  /** What a reply to our inline message means; null: keep waiting. */
  private async handle(request: AcquireRequest, conv: Conversation, { message, reply }: Routed): Promise<AcquireOutcome | null> {
    switch (reply.kind) {
      case 'document':
        return await takeFile(this.o, request, conv, message);
      case 'promo':
        if (reply.quota) throw promoStop(reply.text);
        return null;
      case 'safety':
        throw new SafetyStopError(reply.signal, `@LosslessRobot says: "${clip(reply.text)}"`);
      case 'gate':
        throw gateStop(message, reply.links, 'its answer to an inline result');
      case 'not_found':
        return { kind: 'not_found', reason: 'the bot could not fetch the chosen inline result' };
      case 'unavailable':
        return { kind: 'not_found', reason: `the bot says this track is not available ("${clip(reply.text)}")` };
      case 'throttle':
        return { kind: 'failed', reason: `the bot asked to slow down ("${clip(reply.text)}")`, retryable: true };
      case 'unknown':
        this.o.logger.info({ trackId: request.track.id, messageId: message.id, text: clip(reply.text) }, 'unknown reply from the bot; waiting for what follows');
        return null;
      default:
        // wait, interim, own: the file is still coming.
        return null;
    }
  }

  /**
   * After a restart: our inline message (recorded, or found in the chat when the kill came between
   * sending it and recording its id) may already be the document — downloaded, nothing sent again —
   * or still say "wait": then its edit is waited for until the file timeout counted from when it
   * was sent. Null: nothing to go on from (send afresh).
   */
  private async resume(request: AcquireRequest, conv: Conversation): Promise<AcquireOutcome | null> {
    const t = request.track;
    if (!IN_FLIGHT_TRACK_STATES.includes(t.state)) return null;
    const log = this.o.logger.child({ trackId: t.id });
    if (t.pickedRow) this.expectRow(conv, t, t.pickedRow);
    let requestId = t.requestMessageId;
    let ours: BotMessage | null = null;
    if (requestId === null) {
      // The intent to send is written in 'picked' (after the inline query, which sends nothing).
      if (t.state !== 'picked') return null;
      const gateway = this.o.gateway;
      // Sent to Saved Messages (INLINE_SEND_TO=saved), it is looked for there.
      const read = (options: { minId: number; limit: number }) => (gateway.inlineHistory ? gateway.inlineHistory(options) : gateway.history(options));
      const adopted = await adoptUnrecordedSend(this.o, request, (m) => this.isOurInlineMessage(conv, t, m), read);
      if (!adopted) return null;
      log.info({ messageId: adopted.message.id }, 'resuming: our inline result went out before the restart; not sending it again');
      requestId = adopted.message.id;
      ours = adopted.message;
    }
    conv.sent(requestId);

    const ids = [...new Set([t.fileMessageId, ours ? null : requestId].filter((id): id is number => id !== null))];
    const read = ids.length > 0 ? await callGateway(this.o.pacer, () => this.o.gateway.getMessages(ids)) : [];
    const messages = [...read, ours].filter((m): m is BotMessage => m !== null && m !== undefined);
    for (const m of messages) {
      if (m.document && isAudioDocument(m.document) && this.o.router.claim(m.id)) {
        log.info({ messageId: m.id }, 'resuming: the file is already in the chat');
        conv.own(m.id);
        return takeFile(this.o, request, conv, m);
      }
    }
    // Tracks resume side by side: another one's history read may already have routed our file to us.
    const routed = conv.takeDocument();
    if (routed) return takeFile(this.o, request, conv, routed.message);

    const message = messages.find((m) => m.id === requestId);
    const reply = message ? classifyReply(message, { echo: conv.echo }) : null;
    if (!message || !reply || !(reply.kind === 'wait' || (reply.kind === 'own' && saysPending(message.text)))) {
      log.info({ messageId: requestId, kind: reply?.kind ?? 'gone' }, 'resuming: our inline message is no longer waiting for a file; sending again');
      return null;
    }
    // Sent when recorded (or when Telegram dated it, whichever is later: skew only lengthens the wait).
    const sentAt = Math.max(t.updatedAt, message.date * 1000);
    const got = await awaitAfterRestart(this.o, request, conv, sentAt + this.o.timeouts.fileMs, true);
    if (got && 'kind' in got) return got;
    if (got) return this.waitForDocument(request, conv, sentAt + this.o.timeouts.fileMs, got);
    log.info({ messageId: requestId }, 'resuming: the file of our inline message never came; sending again');
    return null;
  }

  /**
   * Whether an outgoing message after the intent is the inline result this track sent: a file
   * that fits it, or a "wait" message whose words (when it has any) are this track's. The search
   * starts right after the newest id known at the intent, so the first fitting one is ours.
   */
  private isOurInlineMessage(conv: Conversation, t: TrackRecord, m: BotMessage): boolean {
    const reply = classifyReply(m, { echo: conv.echo });
    if (reply.kind === 'document') return this.o.matcher.verify(conv.expected, t.pickedRow, reply.document).ok;
    if (reply.kind !== 'wait' && !(reply.kind === 'own' && saysPending(m.text))) return false;
    const text = m.text.trim();
    if (text === '') return true;
    const row = t.pickedRow ? rowAsTrack(t.pickedRow, t) : null;
    return relatedness(conv.expected, [text]) === 1 || (row !== null && relatedness(row, [text]) === 1);
  }

  private expectRow(conv: Conversation, track: TrackRecord, row: string): void {
    conv.pickedRow = row;
    if (track.rememberedChoice && row.trim() === track.rememberedChoice.trim()) conv.expected = rowAsTrack(row, track);
  }
}

/** Inline results read per query (the bot returns a few dozen at most). */
const MAX_RESULTS = 50;
const MAX_UPDATES = 200;
const LOSSY = /(?<![\p{L}\d])(mp3|aac|m4a|ogg|opus|\d{2,3}\s*kbps)(?![\p{L}\d])/iu;
const FLAC = /(?<!\p{L})(flac|lossless|hi-?res|24\s*bit|16\s*bit)(?!\p{L})/iu;

/** The words of a result's own message: "FLAC" marks the real file, "MP3 320" a lossy copy. */
function resultWords(r: InlineResultInfo): string {
  return [r.title, r.description, r.text, ...(r.buttons ?? []).slice(0, 20).map((b) => b.text), r.document?.fileName, r.document?.mimeType]
    .filter((x): x is string => typeof x === 'string')
    .join(' ')
    .slice(0, 4000);
}

/**
 * Results that can be the FLAC: a result carrying a document that is not one (MP3…) is dropped,
 * and one whose own words say lossy and not lossless too. A pending result (no file yet) stays.
 */
export function losslessResults(results: InlineResultInfo[]): InlineResultInfo[] {
  return results.filter((r) => {
    if (r.document && !isPendingResult(r) && refuseDocument(r.document)) return false;
    const words = resultWords(r);
    return !(LOSSY.test(words) && !FLAC.test(words));
  });
}

/** A result whose own message still waits for the file (a wait button, or words that say so). */
function isPendingResult(r: InlineResultInfo): boolean {
  return (r.buttons ?? []).slice(0, 20).some((b) => /подождите|скоро скачается|please wait/i.test(b.text)) || saysPending(r.text ?? '');
}

/** Our sent inline message whose text says the file is being prepared (no wait button). */
function saysPending(text: string): boolean {
  const c = classifyText(text);
  return c?.kind === 'wait' || c?.kind === 'interim';
}

/** An inline result as a menu-like row, so the same picker can judge it. */
export function inlineLabel(result: InlineResultInfo): string {
  // A pending result's document is a stand-in (a preview): its title and description say what comes.
  if (result.document && !isPendingResult(result) && (result.document.performer || result.document.title)) return documentLabel(result.document);
  // Results without a file show their length in the description ("6:11 · скачать").
  const length = /(?<![\d:])(\d{1,2}:\d{2}(?::\d{2})?)(?![\d:])/.exec(result.description ?? '')?.[1];
  const title = result.title ?? result.description ?? '';
  return length ? `${title} [${length}]` : title;
}
