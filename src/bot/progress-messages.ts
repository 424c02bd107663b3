/**
 * Keeps one edited progress message per job. Events only mark a job dirty; each job is
 * re-rendered at most once per interval and edited only when the text or buttons changed, so
 * Telegram's edit limits (about one per second per chat) are never approached.
 */
import { GrammyError, type Api } from 'grammy';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { JobEvent, PacerState } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import { isReady } from './job-state.js';
import { inlineKeyboard } from './keyboards.js';
import type { ProgressMessageRef, ProgressMessageStore } from './ports.js';
import { renderProgress, type MessageView } from './progress-view.js';

export interface ProgressMessagesOptions {
  api: Api;
  service: JobServiceApi;
  /** Where new progress messages go (the owner's private chat). */
  chatId: number;
  store?: ProgressMessageStore;
  /** Minimum time between two edits of the same message. */
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}

interface JobView {
  timer: ReturnType<typeof setTimeout> | null;
  flushing: Promise<void> | null;
  dirtyWhileFlushing: boolean;
  lastKey: string | null;
  lastEditAt: number;
  trackBytes: Map<number, { receivedBytes: number; totalBytes: number }>;
  /** The owner pressed Start here: from now on the card shows progress, even while still queued. */
  startRequested: boolean;
  /** The next publish sends a new message instead of editing the known one. */
  sendNew: boolean;
}

export function memoryProgressStore(): ProgressMessageStore {
  const refs = new Map<number, ProgressMessageRef>();
  return { get: (id) => refs.get(id) ?? null, set: (id, ref) => void refs.set(id, ref) };
}

export function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

function isMessageGone(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message to edit not found|message can't be edited/i.test(err.description);
}

export class ProgressMessages {
  private readonly views = new Map<number, JobView>();
  private readonly store: ProgressMessageStore;
  private readonly now: () => number;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: ProgressMessagesOptions) {
    this.store = options.store ?? memoryProgressStore();
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe ??= this.options.service.events.subscribe((event) => this.onEvent(event));
  }

  /** Stops listening; throttled edits still pending are made now (the last state is shown), then it waits for them. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    const pending: Promise<void>[] = [];
    for (const [jobId, view] of this.views) {
      if (view.timer || view.dirtyWhileFlushing) pending.push(this.flushNow(jobId));
      else if (view.flushing) pending.push(view.flushing);
    }
    this.stopped = true;
    await Promise.allSettled(pending);
  }

  /** Makes `ref` the job's progress message (the link preview after Start) and renders progress there now. */
  async attach(jobId: number, ref: ProgressMessageRef): Promise<void> {
    this.store.set(jobId, ref);
    const view = this.view(jobId);
    view.startRequested = true;
    view.lastKey = null;
    view.lastEditAt = 0;
    await this.flushNow(jobId);
  }

  /**
   * Uses `ref` as the job's message unless it already has one (the preview, sent when the link
   * was read; a button pressed on it). A job that is ready but not started keeps its preview as
   * it is: only a state change (Start, Cancel) turns it into the progress card.
   */
  adopt(jobId: number, ref: ProgressMessageRef): void {
    if (!this.store.get(jobId)) this.store.set(jobId, ref);
  }

  /** The job's one card, if it has one. */
  messageOf(jobId: number): ProgressMessageRef | null {
    return this.store.get(jobId);
  }

  /** Sends the job's card as a new message (its old one is gone or unknown) and follows it from now on. */
  async sendNew(jobId: number): Promise<void> {
    const view = this.view(jobId);
    view.sendNew = true;
    view.lastKey = null;
    await this.flushNow(jobId);
  }

  /** Re-render soon (after a button press changed the job). */
  touch(jobId: number): void {
    this.schedule(jobId);
  }

  /** Renders and edits right away, waiting for it (used by handlers and on job end). */
  async flushNow(jobId: number): Promise<void> {
    const view = this.view(jobId);
    if (view.timer) {
      clearTimeout(view.timer);
      view.timer = null;
    }
    while (view.flushing) await view.flushing;
    if (view.timer) {
      clearTimeout(view.timer);
      view.timer = null;
    }
    await this.flush(jobId);
  }

  private onEvent(event: JobEvent): void {
    switch (event.type) {
      case 'bytes':
        this.view(event.jobId).trackBytes.set(event.trackId, {
          receivedBytes: event.receivedBytes,
          totalBytes: event.totalBytes,
        });
        this.schedule(event.jobId);
        return;
      case 'track_changed':
        if (event.track.state !== 'downloading') this.view(event.job.id).trackBytes.delete(event.track.id);
        this.schedule(event.job.id);
        return;
      case 'job_started':
      case 'job_paused':
        this.schedule(event.job.id);
        return;
      case 'job_finished':
        this.view(event.job.id).trackBytes.clear();
        void this.flushNow(event.job.id);
        return;
      case 'pacer_waiting':
        for (const jobId of this.views.keys()) this.schedule(jobId);
        return;
      case 'session_expired':
        return;
    }
  }

  private view(jobId: number): JobView {
    let view = this.views.get(jobId);
    if (!view) {
      view = {
        timer: null,
        flushing: null,
        dirtyWhileFlushing: false,
        lastKey: null,
        lastEditAt: 0,
        trackBytes: new Map(),
        startRequested: false,
        sendNew: false,
      };
      this.views.set(jobId, view);
    }
    return view;
  }

  private schedule(jobId: number): void {
    if (this.stopped) return;
    const view = this.view(jobId);
    if (view.flushing) {
      view.dirtyWhileFlushing = true;
      return;
    }
    if (view.timer) return;
    const delay = Math.max(0, view.lastEditAt + this.options.intervalMs - this.now());
    view.timer = setTimeout(() => {
      view.timer = null;
      void this.flush(jobId);
    }, delay);
  }

  private async flush(jobId: number): Promise<void> {
    const view = this.view(jobId);
    view.dirtyWhileFlushing = false;
    const run = this.render(jobId)
      .then((rendered) => (rendered ? this.publish(jobId, view, rendered) : undefined))
      .catch((err: unknown) => this.options.logger.warn({ err, jobId }, 'could not update the progress message'));
    view.flushing = run;
    try {
      await run;
    } finally {
      view.flushing = null;
      if (view.dirtyWhileFlushing && !this.stopped) this.schedule(jobId);
    }
  }

  private async render(jobId: number): Promise<MessageView | null> {
    let progress;
    try {
      progress = this.options.service.progress(jobId);
    } catch (err) {
      this.options.logger.debug({ err, jobId }, 'no progress for job (deleted?)');
      return null;
    }
    let pacer: PacerState | null = null;
    if (progress.job.status === 'running' || progress.job.status === 'pending') {
      pacer = await this.options.service.status().then(
        (s) => s.pacer,
        () => null,
      );
    }
    const view = this.view(jobId);
    // A ready job's message is its preview (Start, List tracks): nothing to render until it starts.
    if (isReady(progress.job) && !view.startRequested && !view.sendNew) return null;
    return renderProgress({ ...progress, pacer, trackBytes: view.trackBytes, now: this.now() });
  }

  private async publish(jobId: number, view: JobView, rendered: MessageView): Promise<void> {
    const key = JSON.stringify(rendered);
    if (key === view.lastKey) return;
    const reply_markup = inlineKeyboard(rendered.buttons);
    const ref = view.sendNew ? null : this.store.get(jobId);
    view.sendNew = false;
    view.lastEditAt = this.now();
    if (ref) {
      try {
        await this.options.api.editMessageText(ref.chatId, ref.messageId, rendered.text, { reply_markup });
        view.lastKey = key;
        return;
      } catch (err) {
        if (isNotModified(err)) {
          view.lastKey = key;
          return;
        }
        if (!isMessageGone(err)) throw err;
        this.options.logger.debug({ jobId }, 'progress message is gone; sending a new one');
      }
    }
    const sent = await this.options.api.sendMessage(this.options.chatId, rendered.text, { reply_markup });
    this.store.set(jobId, { chatId: sent.chat.id, messageId: sent.message_id });
    view.lastKey = key;
  }
}
