/**
 * Before anything that would ask the external bot (Start, Resume, Pick from menu): is there a
 * Telegram user session at all? Without one, the owner gets one message with a Log in button —
 * not a job that starts, pauses at once and rings the phone three times.
 */
import type { Context } from 'grammy';
import type { SessionStatus } from '../domain/telegram.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import { truncate } from './format.js';
import { inlineKeyboard, loginButtons } from './keyboards.js';
import type { LoginNoticeThrottle } from './notifications.js';

/** Longer than this and the session is taken as "not known" (offline): the job may start and wait. */
const STATUS_TIMEOUT_MS = 5000;

/** The session when it is missing or expired; null when it is there (or offline, which passes by itself). */
export async function sessionProblem(service: JobServiceApi, timeoutMs = STATUS_TIMEOUT_MS): Promise<SessionStatus | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    const session = await Promise.race([service.status().then((s) => s.session, () => null), timeout]);
    return session && (session.state === 'no_session' || session.state === 'expired') ? session : null;
  } finally {
    clearTimeout(timer);
  }
}

/** Telegram's reason in an expiry detail ("… (AUTH_KEY_UNREGISTERED) …"), or the detail cut short. */
export function expiryReason(detail: string | null): string | null {
  if (!detail) return null;
  return /\b([A-Z][A-Z0-9_]{3,})\b/.exec(detail)?.[1] ?? truncate(detail, 80);
}

/** Only an expired session is called expired. */
export function loginNeededText(session: SessionStatus, what: string): string {
  const reason = expiryReason(session.detail);
  const why =
    session.state === 'expired'
      ? `Your Telegram session expired${reason ? ` (${reason})` : ''}`
      : 'Crate is not logged in to Telegram yet';
  return `🔑 ${why}, so ${what} cannot start.\nTap Log in (or send /login); the job waits, nothing is sent meanwhile.`;
}

/**
 * Tells the owner to log in: one message with the button, then (within the throttle) a short
 * answer only, so pressing again does not ring the phone again. Returns that short answer (the
 * toast of a button press) and whether the message went out.
 */
export async function askToLogIn(
  ctx: Context,
  throttle: LoginNoticeThrottle,
  session: SessionStatus,
  what: string,
): Promise<{ sent: boolean; toast: string }> {
  const short = session.state === 'expired' ? 'Session expired' : 'Not logged in yet';
  if (throttle.due()) {
    await ctx.reply(loginNeededText(session, what), { reply_markup: inlineKeyboard(loginButtons()) });
    return { sent: true, toast: `${short}: log in first` };
  }
  return { sent: false, toast: `${short}: tap Log in or send /login` };
}
