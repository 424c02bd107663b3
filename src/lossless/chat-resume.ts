/**
 * Chat mode after a restart: the file may already be in the chat (download it, ask nothing), the
 * answer to a request may be there or still coming, or the menu we were on may still be there (go
 * on from it). Nothing is asked again that the chat already answers.
 */
import type { BotMessage } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest } from '../engine/ports.js';
import { callGateway, rowAsTrack, takeFile, type StepDeps } from './file-step.js';
import { classifyReply } from './protocol.js';
import type { Conversation, ReplyRouter, Routed } from './reply-router.js';
import { adoptUnrecordedSend, awaitAfterRestart, RESUME_HISTORY_LIMIT } from './resume-step.js';
import type { LosslessTimeouts } from './chat-strategy.js';

export interface ChatResumeDeps extends StepDeps {
  router: ReplyRouter;
  timeouts: LosslessTimeouts;
}

/** A reply to go on from after a restart; `query` when the request it answers is known. */
export type ResumedReply = Routed & { query?: string };

const RESUMABLE_MENU_STATES = new Set(['requested', 'picked', 'downloading']);

/**
 * After a restart: the file may already be in the chat (download it, ask nothing), or the menu
 * we were on may still be there (go on from it). Returns an outcome, a reply to go on from (with
 * the query it answers when known), or null.
 */
export async function resumeChat(
o: ChatResumeDeps,
request: AcquireRequest,
conv: Conversation,
queries: string[],
unconfirmedClickGraceMs: number,
): Promise<AcquireOutcome | ResumedReply | null> {
  const t = request.track;
  if (t.state === 'done' || t.state === 'skipped') return null;
  const log = o.logger.child({ trackId: t.id });
  let requestId = t.requestMessageId;
  // When our request went out: its answer is waited for until a reply timeout after that.
  let sentAt = t.updatedAt;
  let query: string | undefined;
  let history: BotMessage[] | null = null;
  if (requestId === null) {
    const adopted = await adoptUnrecordedRequest(o, request, queries);
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
    const [known] = await callGateway(o.pacer, () => o.gateway.getMessages([t.fileMessageId!]));
    if (known?.document && o.router.claim(known.id)) {
      log.info({ messageId: known.id }, 'resuming: the file is already in the chat');
      return takeFile(o, request, conv, known);
    }
  }
  // Everything since our request: files come after menus, so the newest messages matter most
  // (the gateway walks back to minId anyway; a smaller limit would keep only the oldest).
  const since = requestId;
  history ??= await callGateway(o.pacer, () => o.gateway.history({ minId: since, limit: RESUME_HISTORY_LIMIT }));
  // Tracks resume side by side: another one's history read may already have routed our file to us.
  const found = o.router.claimFromHistory(conv, history) ?? conv.takeDocument();
  if (found) {
    log.info({ messageId: found.message.id }, 'resuming: found the file in the chat history');
    return takeFile(o, request, conv, found.message);
  }
  if (menuUnseen) {
    // Not in the chat yet: the answer may still be coming (the restart was quick).
    const answer = conv.takeReply() ?? (await awaitAfterRestart(o, request, conv, sentAt + o.timeouts.replyMs, false));
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
    const waitMs = unconfirmed ? unconfirmedClickGraceMs : o.timeouts.fileMs;
    const waited = await awaitAfterRestart(o, request, conv, t.updatedAt + waitMs, true);
    if (waited) return waited;
    log.info(
      unconfirmed
        ? 'resuming: the quality click before the restart was never confirmed and no file came; choosing again'
        : 'resuming: the file chosen before the restart never came; choosing again',
    );
  }
  if (t.menuMessageId !== null && RESUMABLE_MENU_STATES.has(t.state)) {
    const [menu] = await callGateway(o.pacer, () => o.gateway.getMessages([t.menuMessageId!]));
    const reply = menu ? classifyReply(menu, { echo: conv.echo }) : null;
    if (menu && reply && (reply.kind === 'menu' || reply.kind === 'quality')) {
      log.info({ messageId: menu.id, kind: reply.kind }, 'resuming from the menu already in the chat');
      conv.own(menu.id);
      conv.handledAlready(menu);
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
async function adoptUnrecordedRequest(o: ChatResumeDeps, request: AcquireRequest, queries: string[]): Promise<{ message: BotMessage; after: BotMessage[] } | null> {
  const t = request.track;
  if (t.state !== 'requested') return null;
  const ours = new Set(queries.map((q) => q.trim()));
return adoptUnrecordedSend(o, request, (m) => ours.has(m.text.trim()));
}
