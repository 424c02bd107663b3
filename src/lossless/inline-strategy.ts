/**
 * Inline mode (`LOSSLESS_MODE=inline`): `@LosslessRobot Artist - Title` returns results; we pick
 * one with the same picker as the chat menus (results shown as "Performer - Title [m:ss]" rows),
 * send it into the bot chat, and wait for that message to turn from "wait" into the document.
 */
import { IN_FLIGHT_TRACK_STATES, type TrackRecord } from '../domain/job.js';
import { SafetyStopError, errorMessage } from '../domain/errors.js';
import type { InlineResultInfo } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest, TrackAcquirer } from '../engine/ports.js';
import { echoOf, type LosslessTimeouts } from './chat-strategy.js';
import { callGateway, rowAsTrack, takeFile, waitForFile, type StepDeps } from './file-step.js';
import { classifyReply, documentLabel } from './protocol.js';
import { isReplyTimeout, type Conversation, type ReplyRouter } from './reply-router.js';

export interface InlineStrategyOptions extends StepDeps {
  router: ReplyRouter;
  timeouts: LosslessTimeouts;
}

export class InlineStrategy implements TrackAcquirer {
  constructor(private readonly o: InlineStrategyOptions) {}

  async acquire(request: AcquireRequest): Promise<AcquireOutcome> {
    const { track, signal } = request;
    const conv = this.o.router.open(track, echoOf(track));
    try {
      const resumed = await this.resume(request, conv);
      if (resumed) return resumed;

      const query = `${track.artists.join(', ')} - ${track.title}`;
      await this.o.pacer.acquire('inline', { signal, trackId: track.id });
      await request.record({ state: 'requested', menuMessageId: null, pickedRow: null, fileMessageId: null });
      const results = await callGateway(this.o.pacer, () => {
        this.o.pacer.sending?.('inline');
        return this.o.gateway.inlineQuery(query);
      });
      if (results.length === 0) return { kind: 'not_found', reason: 'the inline search found nothing' };

      const labels = results.map(inlineLabel);
      const choice = this.o.matcher.pickRow(track, labels, { preferredRowText: track.rememberedChoice });
      const picked = choice.index === null ? undefined : results[choice.index];
      if (!picked) return { kind: 'not_found', reason: `no inline result fits (${choice.reason})` };
      const pickedRow = labels[choice.index!]!;
      this.expectRow(conv, track, pickedRow);
      await request.record({ state: 'picked', pickedRow });

      await this.o.pacer.acquire('message', { signal, trackId: track.id });
      const sent = await callGateway(this.o.pacer, () => {
        this.o.pacer.sending?.('message');
        return this.o.gateway.sendInlineResult(picked);
      });
      conv.sent(sent.id);
      await request.record({ requestMessageId: sent.id });
      if (sent.document && this.o.router.claim(sent.id)) return await takeFile(this.o, request, conv, sent);
      return await this.waitForDocument(request, conv);
    } catch (err) {
      if (isReplyTimeout(err)) return { kind: 'failed', reason: `timeout: ${errorMessage(err)}`, retryable: true };
      throw err;
    } finally {
      conv.close();
    }
  }

  /** The sent message shows "wait…" and is edited into the document (or the bot sends a new one). */
  private async waitForDocument(request: AcquireRequest, conv: Conversation): Promise<AcquireOutcome> {
    const now = () => this.o.router.clock.now();
    const deadline = now() + this.o.timeouts.fileMs;
    for (;;) {
      const got = await waitForFile(this.o, request, conv, deadline, now);
      if ('kind' in got) return got;
      const { message, reply } = got;
      if (reply.kind === 'document') return await takeFile(this.o, request, conv, message);
      if (reply.kind === 'promo') throw new SafetyStopError('promo', `@LosslessRobot answered with its Premium offer ("${reply.text}")`);
      if (reply.kind === 'safety') throw new SafetyStopError(reply.signal, `@LosslessRobot says: "${reply.text}"`);
      if (reply.kind === 'not_found') return { kind: 'not_found', reason: 'the bot could not fetch the chosen inline result' };
      if (reply.kind === 'unknown') {
        this.o.logger.warn({ trackId: request.track.id, messageId: message.id, text: reply.text }, 'unexpected reply from the bot');
        return { kind: 'failed', reason: `unexpected reply from the bot: "${reply.text}"`, retryable: true };
      }
    }
  }

  /** After a restart: our inline message may already be the document, or still be waiting. */
  private async resume(request: AcquireRequest, conv: Conversation): Promise<AcquireOutcome | null> {
    const t = request.track;
    if (t.requestMessageId === null || t.state === 'done' || t.state === 'skipped') return null;
    const ids = [t.fileMessageId, t.requestMessageId].filter((id): id is number => id !== null);
    const messages = await callGateway(this.o.pacer, () => this.o.gateway.getMessages(ids));
    if (t.pickedRow) this.expectRow(conv, t, t.pickedRow);
    for (const m of messages) {
      if (m?.document && this.o.router.claim(m.id)) {
        conv.sent(m.id);
        return takeFile(this.o, request, conv, m);
      }
    }
    const ours = messages.at(-1);
    if (ours && IN_FLIGHT_TRACK_STATES.includes(t.state) && classifyReply(ours).kind === 'wait') {
      conv.sent(ours.id);
      return this.waitForDocument(request, conv);
    }
    return null;
  }

  private expectRow(conv: Conversation, track: TrackRecord, row: string): void {
    conv.pickedRow = row;
    if (track.rememberedChoice && row.trim() === track.rememberedChoice.trim()) conv.expected = rowAsTrack(row, track);
  }
}

/** An inline result as a menu-like row, so the same picker can judge it. */
export function inlineLabel(result: InlineResultInfo): string {
  if (result.document && (result.document.performer || result.document.title)) return documentLabel(result.document);
  // Results without a file show their length in the description ("6:11 · скачать").
  const length = /(?<![\d:])(\d{1,2}:\d{2}(?::\d{2})?)(?![\d:])/.exec(result.description ?? '')?.[1];
  const title = result.title ?? result.description ?? '';
  return length ? `${title} [${length}]` : title;
}
