/**
 * The resume steps both strategies share: the breadcrumb written before a message goes out, and
 * after a restart finding that message in the chat when its id was never recorded, and waiting out
 * what the last action before the restart may still bring.
 */
import type { TrackRecord } from '../domain/job.js';
import type { BotMessage } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest } from '../engine/ports.js';
import { callGateway, waitForFile, type StepDeps } from './file-step.js';
import { isReplyTimeout, type Conversation, type ReplyRouter, type Routed } from './reply-router.js';

/** Messages read back on resume (a window of 50 tracks leaves a few hundred). */
export const RESUME_HISTORY_LIMIT = 1000;
/** Our clock against Telegram's message dates, when a request is looked for by time alone. */
export const CLOCK_SKEW_MS = 10_000;

/**
 * The `sendingAfterId` to write right before a message goes out: every id known now is older than
 * it (0 when none is known; then the intent's time bounds the search).
 */
export function newestKnownId(router: ReplyRouter, track: TrackRecord): number {
  return Math.max(router.newestSeenId, track.requestMessageId ?? 0, track.menuMessageId ?? 0, track.fileMessageId ?? 0);
}

/**
 * Killed after recording the intent to send (`sendingAfterId`) but before recording the sent
 * message's id: the message may have reached the bot. Looks for our own message that `isOurs`
 * accepts, newer than every id known at the intent (or, when none was known, sent after the
 * intent's time), and records it as the request. Returns it with the messages after it; null when
 * it never went out.
 */
export async function adoptUnrecordedSend(
  deps: StepDeps,
  request: AcquireRequest,
  isOurs: (message: BotMessage) => boolean,
  /** Where the message went (inline results may go to Saved Messages); default the bot chat. */
  read: (options: { minId: number; limit: number }) => Promise<BotMessage[]> = (options) => deps.gateway.history(options),
): Promise<{ message: BotMessage; after: BotMessage[] } | null> {
  const t = request.track;
  if (t.sendingAfterId === null || t.sendingAfterId === undefined) return null;
  const afterId = t.sendingAfterId;
  const notBefore = afterId > 0 ? 0 : Math.floor((t.updatedAt - CLOCK_SKEW_MS) / 1000);
  const history = await callGateway(deps.pacer, () => read({ minId: afterId, limit: RESUME_HISTORY_LIMIT }));
  const ours = history.find((m) => m.out && m.id > afterId && m.date >= notBefore && isOurs(m));
  if (!ours) return null;
  await request.record({ requestMessageId: ours.id, sendingAfterId: null });
  return { message: ours, after: history.filter((m) => m.id > ours.id) };
}

/**
 * Waits after a restart, until `deadline`, for what the last action before it may still bring:
 * a file (`file`: a file that never fits ends as the mismatch it explains) or the answer to a
 * request. Null: nothing came in time (or the deadline had already passed).
 */
export async function awaitAfterRestart(
  deps: StepDeps & { router: ReplyRouter },
  request: AcquireRequest,
  conv: Conversation,
  deadline: number,
  file: boolean,
): Promise<AcquireOutcome | Routed | null> {
  const now = () => deps.router.clock.now();
  if (deadline <= now()) return null;
  try {
    return file ? await waitForFile(deps, request, conv, deadline, now) : await conv.next({ timeoutMs: deadline - now(), signal: request.signal });
  } catch (err) {
    if (isReplyTimeout(err)) return null;
    throw err;
  }
}
