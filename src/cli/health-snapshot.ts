/**
 * What a running `crate serve` says about itself: served as JSON on GET /healthz (HEALTH_PORT),
 * and written to SQLite every few seconds so that `crate status` and `crate doctor`, run beside
 * it, can show the session's state without opening a second Telegram connection on the account.
 */
import type { SessionStatus } from '../domain/telegram.js';
import type { PacerState } from '../engine/ports.js';

export type UserSessionState = 'online' | 'offline' | 'not_logged_in' | 'expired' | 'flood_wait' | 'starting';

export interface HealthSnapshot {
  /** True when the service works: the bot polls and the user session can send (a FloodWait is fine). */
  ok: boolean;
  /** ISO time this was taken. */
  at: string;
  pid: number;
  bot: {
    /** Polling runs and a getUpdates answered recently. */
    polling: boolean;
    lastUpdateCheckAt: string | null;
    detail: string | null;
  };
  userSession: {
    state: UserSessionState;
    user: string | null;
    /** Since when the session is in this state (ISO), when known. */
    since: string | null;
    /** ISO end of a FloodWait in force. */
    floodWaitUntil: string | null;
    detail: string | null;
  };
  jobs: { running: number; queued: number; paused: number };
  lastError: { at: string; message: string } | null;
}

/** The settings key serve writes its snapshot under. */
export const SERVE_HEALTH_KEY = 'serve.health';
/** A recorded snapshot older than this is not trusted (serve writes one every few seconds). */
export const RECORDED_HEALTH_MAX_AGE_MS = 60_000;

export function userSessionState(s: SessionStatus, pacer: Pick<PacerState, 'floodUntil'> | null): UserSessionState {
  if (s.state === 'ready') return pacer?.floodUntil != null ? 'flood_wait' : 'online';
  if (s.state === 'no_session') return 'not_logged_in';
  return s.state;
}

export function isHealthy(bot: HealthSnapshot['bot'], session: UserSessionState): boolean {
  return bot.polling && (session === 'online' || session === 'flood_wait');
}

/** The session part of a recorded snapshot in the shape `crate status` and doctor print. */
export function recordedSessionStatus(snapshot: HealthSnapshot, holder: string, now = Date.now()): SessionStatus {
  const age = Math.max(0, Math.round((now - Date.parse(snapshot.at)) / 1000));
  const seen = `as seen by ${holder} ${age} s ago`;
  const s = snapshot.userSession;
  const detail = [s.detail, seen].filter(Boolean).join('; ');
  switch (s.state) {
    case 'online':
      return { state: 'ready', user: s.user, detail: seen };
    case 'flood_wait':
      return { state: 'ready', user: s.user, detail: `flood wait until ${s.floodWaitUntil ?? '?'}; ${seen}` };
    case 'not_logged_in':
      return { state: 'no_session', user: null, detail };
    case 'expired':
      return { state: 'expired', user: s.user, detail };
    default:
      return { state: 'offline', user: s.user, detail };
  }
}

export function parseSnapshot(text: string | null): HealthSnapshot | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as HealthSnapshot;
    return typeof v.at === 'string' && v.userSession && v.bot ? v : null;
  } catch {
    return null;
  }
}
