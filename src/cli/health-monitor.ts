/**
 * What `crate serve` knows about its own health, gathered without waiting on Telegram: the bot's
 * polling (from run-bot), the user session (its status with a short deadline, and what the
 * session supervisor is doing), FloodWaits from the pacer, jobs from SQLite, and the last error.
 * A snapshot is written to SQLite every few seconds for `crate status` / `crate doctor` beside it,
 * and served on GET /healthz.
 */
import type { SessionStatus } from '../domain/telegram.js';
import { withDeadline } from '../engine/deadline.js';
import type { PacerState } from '../engine/ports.js';
import type { JobRecord } from '../domain/job.js';
import { isHealthy, userSessionState, type HealthSnapshot, type UserSessionState } from './health-snapshot.js';

export interface HealthSources {
  /** The bot's polling state (null until the bot is up). */
  bot(): { polling: boolean; lastUpdateCheckAt: number | null; detail: string | null } | null;
  sessionStatus(): Promise<SessionStatus>;
  pacer(): PacerState;
  jobs(): JobRecord[];
  /** Persists the snapshot (serve: the settings row other commands read). */
  record?(snapshot: HealthSnapshot): void;
  now?(): number;
}

/** The session status is asked with this deadline; past it, the session counts as offline. */
const SESSION_DEADLINE_MS = 3000;

export class HealthMonitor {
  private lastError: { at: number; message: string } | null = null;
  private phase: { state: UserSessionState; detail: string | null } | null = { state: 'starting', detail: 'starting' };
  private sessionSince = new Map<UserSessionState, number>();
  private lastState: UserSessionState | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private latest: Promise<HealthSnapshot> | null = null;

  constructor(private readonly sources: HealthSources) {}

  private now(): number {
    return (this.sources.now ?? Date.now)();
  }

  noteError(message: string): void {
    this.lastError = { at: this.now(), message };
  }

  /** What the session supervisor is doing: 'starting', 'offline' while retrying, or null once up. */
  sessionPhase(phase: { state: UserSessionState; detail: string | null } | null): void {
    this.phase = phase;
    // What status/doctor beside serve read should follow the change at once, not at the next tick.
    if (this.timer) this.tick(true);
  }

  /** `fresh`: a new snapshot even while one is being taken (that one may predate a change). */
  private tick(fresh = false): void {
    void (fresh ? this.snapshot() : this.current()).then(
      (s) => this.sources.record?.(s),
      () => undefined,
    );
  }

  async snapshot(): Promise<HealthSnapshot> {
    const now = this.now();
    const bot = this.sources.bot();
    let session: SessionStatus;
    if (this.phase) {
      session = { state: 'offline', user: null, detail: this.phase.detail };
    } else {
      session = await withDeadline(
        this.sources.sessionStatus().catch((err: unknown): SessionStatus => ({ state: 'offline', user: null, detail: err instanceof Error ? err.message : String(err) })),
        SESSION_DEADLINE_MS,
        () => ({ state: 'offline', user: null, detail: `Telegram did not answer within ${SESSION_DEADLINE_MS / 1000} s` }),
      );
    }
    let pacer: PacerState | null = null;
    try {
      pacer = this.sources.pacer();
    } catch {
      pacer = null;
    }
    const state = this.phase?.state ?? userSessionState(session, pacer);
    if (state !== this.lastState) {
      this.sessionSince.set(state, now);
      this.lastState = state;
    }
    const jobs = this.sources.jobs();
    const botPart = bot
      ? { polling: bot.polling, lastUpdateCheckAt: iso(bot.lastUpdateCheckAt), detail: bot.detail }
      : { polling: false, lastUpdateCheckAt: null, detail: 'the control bot is not polling yet' };
    return {
      ok: isHealthy(botPart, state),
      at: new Date(now).toISOString(),
      pid: process.pid,
      bot: botPart,
      userSession: {
        state,
        user: session.user,
        since: iso(this.sessionSince.get(state) ?? null),
        floodWaitUntil: iso(pacer?.floodUntil ?? null),
        detail: session.detail,
      },
      jobs: {
        running: jobs.filter((j) => j.status === 'running').length,
        queued: jobs.filter((j) => j.status === 'pending').length,
        paused: jobs.filter((j) => j.status === 'paused').length,
      },
      lastError: this.lastError ? { at: new Date(this.lastError.at).toISOString(), message: this.lastError.message } : null,
    };
  }

  /** One snapshot at a time: a health check arriving while one is taken shares it. */
  current(): Promise<HealthSnapshot> {
    this.latest ??= this.snapshot().finally(() => (this.latest = null));
    return this.latest;
  }

  /** Records a snapshot now and every `intervalMs`. */
  start(intervalMs = 5000): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
