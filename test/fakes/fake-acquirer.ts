import type { TrackRecord } from '../../src/domain/job.js';
import { abortError } from '../../src/engine/clock.js';
import type { AcquireOutcome, AcquireRequest, Clock, MessagePacer, TrackAcquirer } from '../../src/engine/ports.js';

/** What the fake bot does for one attempt at one track. */
export type FakeStep =
  /**
   * `queuedMs`: after the file came, it waits that long for a download slot (other downloads run);
   * `stalledMs`: then the download hangs that long with no byte before its bytes flow.
   */
  | { kind: 'downloaded'; latencyMs?: number; sizeBytes?: number; queuedMs?: number; stalledMs?: number }
  | { kind: 'not_found'; latencyMs?: number; reason?: string }
  | { kind: 'mismatch'; latencyMs?: number; reason?: string }
  | { kind: 'failed'; latencyMs?: number; reason?: string; retryable?: boolean }
  | { kind: 'throw'; latencyMs?: number; error: () => Error; afterSend?: boolean }
  /** Never answers: only the runner's timeout (or a stop) ends it. */
  | { kind: 'silent' };

export interface FakeAcquirerOptions {
  clock: Clock;
  pacer: MessagePacer;
  /** The step for this attempt (attempt 1 = first call for the track); default: downloaded after `latencyMs`. */
  script?: (track: TrackRecord, attempt: number) => FakeStep | undefined;
  /** Default bot latency from message to file (ms), or a function of the track. */
  latencyMs?: number | ((track: TrackRecord) => number);
  /** Button clicks per track (row, then quality), each through the pacer. */
  clicks?: number;
  /** Writes the downloaded file (real bytes for FsLibrary tests); returns its size. */
  writeFile?: (track: TrackRecord, path: string) => Promise<number>;
  /** Bytes progress callbacks per download. */
  progressSteps?: number;
}

export interface FakeCall {
  trackId: number;
  position: number;
  attempt: number;
  stateAtStart: TrackRecord['state'];
  /** True when the track came back with a request already sent: the fake "read history" and sent nothing new. */
  resumedFromHistory: boolean;
  startedAt: number;
}

/**
 * A scripted @LosslessRobot behind the TrackAcquirer port: it paces every send through the real
 * pacer, records each step before acting (as the real acquirer must), models the bot's latency
 * on the injected clock, and can answer late, not at all, or with safety signals.
 */
export class FakeAcquirer implements TrackAcquirer {
  readonly calls: FakeCall[] = [];
  private readonly attempts = new Map<number, number>();
  private nextMessageId = 1000;
  inFlight = 0;
  maxInFlight = 0;
  messagesSent = 0;

  constructor(private readonly o: FakeAcquirerOptions) {}

  async acquire(req: AcquireRequest): Promise<AcquireOutcome> {
    const { clock, pacer } = this.o;
    const { track, signal } = req;
    const attempt = (this.attempts.get(track.id) ?? 0) + 1;
    this.attempts.set(track.id, attempt);
    const resumed = track.state !== 'queued' && track.requestMessageId !== null;
    this.calls.push({
      trackId: track.id,
      position: track.position,
      attempt,
      stateAtStart: track.state,
      resumedFromHistory: resumed,
      startedAt: clock.now(),
    });
    const step = this.o.script?.(track, attempt) ?? { kind: 'downloaded' as const };
    const latency = 'latencyMs' in step && step.latencyMs !== undefined ? step.latencyMs : this.defaultLatency(track);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (step.kind === 'throw' && !step.afterSend) throw step.error();
      if (!resumed) {
        await pacer.acquire('message', { signal, trackId: track.id });
        const id = this.nextMessageId++;
        this.messagesSent++;
        await req.record({ state: 'requested', requestMessageId: id });
      }
      if (step.kind === 'silent') {
        await clock.sleep(365 * 24 * 3600 * 1000, signal);
        throw abortError(signal);
      }
      const clicks = this.o.clicks ?? 2;
      const slice = latency / (clicks + 1);
      for (let c = 0; c < clicks; c++) {
        await clock.sleep(slice, signal);
        await pacer.acquire('click', { signal, trackId: track.id });
        if (c === 0) await req.record({ state: 'picked', menuMessageId: this.nextMessageId++, pickedRow: `${track.artists.join(', ')} - ${track.title}` });
      }
      await clock.sleep(slice, signal);
      switch (step.kind) {
        case 'throw':
          throw step.error();
        case 'not_found':
          return { kind: 'not_found', reason: step.reason ?? 'the bot found nothing' };
        case 'failed':
          return { kind: 'failed', reason: step.reason ?? 'unknown reply', retryable: step.retryable ?? true };
        case 'mismatch':
          return { kind: 'mismatch', reason: step.reason ?? 'wrong performer', pickedRow: null, receivedFile: { fileName: 'other.flac' } };
        case 'downloaded': {
          const fileMessageId = this.nextMessageId++;
          await req.record({ state: 'downloading', fileMessageId });
          if (step.queuedMs !== undefined) {
            req.onDownloadQueued?.(true);
            try {
              await clock.sleep(step.queuedMs, signal);
            } finally {
              req.onDownloadQueued?.(false);
            }
          }
          if (step.stalledMs !== undefined) await clock.sleep(step.stalledMs, signal);
          let size = step.sizeBytes ?? 40_000_000;
          const steps = this.o.progressSteps ?? 2;
          for (let i = 1; i <= steps; i++) req.onBytes(Math.round((size * i) / steps), size);
          if (this.o.writeFile) size = await this.o.writeFile(track, req.downloadPath);
          return {
            kind: 'downloaded',
            path: req.downloadPath,
            sizeBytes: size,
            pickedRow: `${track.artists.join(', ')} - ${track.title}`,
            receivedFile: { fileName: `${track.title}.flac`, performer: track.artists[0], title: track.title, size },
          };
        }
      }
    } finally {
      this.inFlight--;
    }
  }

  private defaultLatency(track: TrackRecord): number {
    const l = this.o.latencyMs ?? 10_000;
    return typeof l === 'function' ? l(track) : l;
  }
}
