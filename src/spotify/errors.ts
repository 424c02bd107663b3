import { RateLimitedError, UserError } from '../domain/errors.js';

/** A non-2xx answer from the Spotify Web API or accounts service, with what Spotify said. */
export class SpotifyApiError extends Error {
  override readonly name = 'SpotifyApiError';
  constructor(
    readonly status: number,
    /** Spotify's `error.reason` (e.g. QUOTA_EXCEEDED) when it sent one. */
    readonly reason: string | null,
    /** Spotify's own message (JSON `error.message`, `error_description`, or the plain-text body). */
    readonly apiMessage: string,
    /** Path of the request, never its query or headers (no secrets). */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`Spotify answered ${status} for ${path}${apiMessage ? `: ${apiMessage}` : ''}`, options);
  }
}

/**
 * Spotify wants us to come back later than we are willing to wait. A UserError (the CLI and bot
 * show it as is) whose `cause` is the domain's RateLimitedError, so the engine can tell it apart.
 */
export class SpotifyRateLimitError extends UserError {
  readonly retryAfterSeconds: number;
  readonly retryAt: number;
  constructor(retryAfterSeconds: number, now: number, quota: boolean) {
    const retryAt = now + retryAfterSeconds * 1000;
    const when = describeWhen(retryAfterSeconds, retryAt);
    const message = quota
      ? `Spotify says this app's request quota is used up (QUOTA_EXCEEDED); it will accept requests again ${when}.`
      : `Spotify is rate-limiting this app and asks to wait ${formatDuration(retryAfterSeconds)}; try again ${when}.`;
    super(
      message,
      quota
        ? 'The quota is rolling (it frees up gradually over the following hours, not at a fixed time) and, since July 2026, shared by ' +
          'every app (Client ID) of your Spotify developer account: another app or script of yours spends it too. ' +
          'Nothing is lost: run the same command again after that time (finished work is kept).'
        : 'Nothing is lost: run the same command again after that time.',
      { cause: new RateLimitedError(retryAfterSeconds, message) },
    );
    this.retryAfterSeconds = retryAfterSeconds;
    this.retryAt = retryAt;
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function describeWhen(seconds: number, at: number): string {
  // ISO time in UTC: unambiguous in a log, a terminal and a Telegram message alike.
  const stamp = new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `in about ${formatDuration(seconds)} (after ${stamp})`;
}
