/**
 * New messages (so the phone rings) for what the owner must know without looking: a job
 * finished, a safety stop paused a job, the user session expired, a long FloodWait.
 * Progress itself is an edited message (progress-messages.ts) and never rings.
 */
import path from 'node:path';
import type { Api } from 'grammy';
import { isSessionExpiredReason } from '../domain/errors.js';
import type { JobRecord, TrackCounts } from '../domain/job.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { JobEvent } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import { toChatWords } from './chat-words.js';
import { formatDuration, truncate } from './format.js';
import { inlineKeyboard } from './keyboards.js';
import type { ButtonSpec, MessageView } from './progress-view.js';

export interface NotificationsOptions {
  api: Api;
  service: JobServiceApi;
  chatId: number;
  logger: Logger;
  /** FloodWaits at least this long are announced (shorter ones only show in the progress message). */
  floodNoticeSeconds: number;
  /** Shared with the login prompts of buttons, so the phone rings once for a missing session. */
  loginNotice: LoginNoticeThrottle;
  now?: () => number;
  /** A job run by a playlist watch check: its watch sends the one notice of that check, not the job. */
  quietJob?: (jobId: number) => boolean;
  /** Buttons added under a finished job's notice (⏰ Watch for a playlist not watched yet). */
  finishedButtons?: (job: JobRecord) => ButtonSpec[];
  /** Notices for events this class does not know (the playlist watch's). */
  moreViews?: (event: JobEvent) => MessageView | null;
}

/** At most one "log in" message per interval, whoever asks for it. */
export class LoginNoticeThrottle {
  private last = -Infinity;
  constructor(
    private readonly intervalMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and remembered) when a notice may be sent now. */
  due(): boolean {
    if (this.now() - this.last < this.intervalMs) return false;
    this.last = this.now();
    return true;
  }
}

export function finishedView(job: JobRecord, counts: TrackCounts, playlistFile: string | null, elapsedMs: number, notes: string[] = []): MessageView {
  const found = counts.done + counts.skipped;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const head =
    job.status === 'cancelled' ? '✖️ Cancelled' : job.status === 'failed' ? '❌ Stopped with an error' : '✅ Finished';
  const lines = [
    `${head}: ${truncate(job.name, 80)} (job #${job.id})`,
    `Found ${found} of ${total}${counts.skipped > 0 ? ` (${counts.skipped} were already in your library)` : ''}`,
    // Two short lines: one long line wraps on a phone.
    `Not found: ${counts.not_found} · Mismatch: ${counts.mismatch}`,
    `Failed: ${counts.failed}`,
    `Time: ${formatDuration(elapsedMs / 1000)}`,
    `Folder: ${playlistFile ? path.dirname(playlistFile) : job.options.outputDir}`,
  ];
  if (playlistFile) lines.push(`Playlist: ${path.basename(playlistFile)}`);
  for (const note of notes) lines.push(`⚠️ ${note}`);
  const buttons: ButtonSpec[][] = [];
  // What /missing lists: not found, mismatch and failed.
  const missing = counts.not_found + counts.mismatch + counts.failed;
  if (missing > 0) {
    lines.push(`/missing ${job.id} shows the ${missing} track${missing === 1 ? ' that needs' : 's that need'} you.`);
    buttons.push([{ text: `🔎 Missing (${missing})`, action: 'missing', id: job.id }]);
  }
  if (counts.failed > 0) buttons.push([{ text: `🔁 Retry failed (${counts.failed})`, action: 'retryFailed', id: job.id }]);
  return { text: lines.join('\n'), buttons };
}

export function safetyStopView(job: JobRecord, reason: string): MessageView {
  return {
    text: [
      // The reason is shared with the terminal: CLI commands in it become the chat's own.
      `⏸ Paused ${truncate(job.name, 80)} (job #${job.id}): ${toChatWords(reason)}`,
      'Crate stopped asking the external bot to protect your account. Resume when you are ready.',
    ].join('\n'),
    buttons: [[{ text: '▶️ Resume', action: 'resume', id: job.id }]],
  };
}

export function telegramConnectionView(state: 'up' | 'down', detail: string | null): MessageView {
  return state === 'down'
    ? { text: `📡 Telegram cannot be reached${detail ? ` (${detail})` : ''}. Jobs are paused; Crate keeps retrying and tells you when it is back.`, buttons: [] }
    : { text: '📡 Telegram is reachable again: paused jobs go on.', buttons: [] };
}

/** Only a session that worked can expire; one that never existed is "not logged in yet". */
export function sessionExpiredView(event: { code?: string; notLoggedIn?: boolean }): MessageView {
  return {
    text: event.notLoggedIn
      ? '🔑 Crate is not logged in to Telegram yet. Jobs wait until you log in: tap Log in or send /login.'
      : `🔑 Your Telegram session expired${event.code ? ` (Telegram said ${truncate(event.code, 60)})` : ''}. Jobs wait until you log in again: tap Log in or send /login.`,
    buttons: [[{ text: '🔑 Log in', action: 'login', id: 0 }]],
  };
}

export function floodWaitView(seconds: number, reason: string, until: number): MessageView {
  const at = new Date(until).toISOString().slice(11, 16);
  return {
    text: `⏳ Telegram asked Crate to wait ${formatDuration(seconds)} (${reason}). Jobs continue by themselves at about ${at} UTC.`,
    buttons: [],
  };
}

export class Notifications {
  private unsubscribe: (() => void) | null = null;
  private readonly now: () => number;
  /** End of the last announced flood wait, so a long wait is announced once. */
  private floodAnnouncedUntil = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: NotificationsOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.unsubscribe ??= this.options.service.events.subscribe((event) => this.onEvent(event));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await Promise.allSettled([...this.pending]);
  }

  private onEvent(event: JobEvent): void {
    const view = this.viewFor(event);
    if (!view) return;
    const sending = this.options.api
      .sendMessage(this.options.chatId, view.text, view.buttons.length ? { reply_markup: inlineKeyboard(view.buttons) } : {})
      .then(
        () => undefined,
        (err: unknown) => this.options.logger.warn({ err, event: event.type }, 'could not send a notification'),
      );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  private viewFor(event: JobEvent): MessageView | null {
    switch (event.type) {
      case 'job_finished': {
        if (this.options.quietJob?.(event.job.id)) return null;
        const view = finishedView(event.job, event.counts, event.playlistFile, event.elapsedMs, event.notes);
        const extra = this.options.finishedButtons?.(event.job) ?? [];
        return extra.length > 0 ? { ...view, buttons: [...view.buttons, extra] } : view;
      }
      case 'job_paused':
        // A pause for the session is announced by the session notice (with Log in, not Resume).
        return event.safetyStop && !isSessionExpiredReason(event.reason) ? safetyStopView(event.job, event.reason) : null;
      case 'telegram_connection':
        return telegramConnectionView(event.state, event.detail);
      case 'session_expired': {
        // One notice per ten minutes is plenty: every job and retry may report the same expiry.
        if (!this.options.loginNotice.due()) return null;
        return sessionExpiredView(event);
      }
      case 'pacer_waiting': {
        if (event.seconds < this.options.floodNoticeSeconds) return null;
        const until = this.now() + event.seconds * 1000;
        if (until <= this.floodAnnouncedUntil + 60_000) return null;
        this.floodAnnouncedUntil = until;
        return floodWaitView(event.seconds, event.reason, until);
      }
      default:
        return this.options.moreViews?.(event) ?? null;
    }
  }
}
