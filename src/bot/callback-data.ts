/**
 * Inline-button payloads. Telegram allows 64 bytes; ours are a version, a two-letter action and
 * one or two small numbers ("1|pa|12"), so they fit, can be validated strictly, and buttons left
 * in old messages after an upgrade are recognised as outdated instead of doing something else.
 */

export const CALLBACK_VERSION = '1';

export const CALLBACK_ACTIONS = {
  start: 'st',
  // "List tracks" (was "Dry run": same code, so buttons in old messages still work).
  listTracks: 'dr',
  /** Another page of a paged list: id = job, arg = page. */
  listPage: 'lp',
  missingPage: 'mp',
  notes: 'nt',
  login: 'lg',
  cancel: 'cx',
  pause: 'pa',
  resume: 're',
  retryFailed: 'rf',
  missing: 'ms',
  trackDetail: 'td',
  retryTrack: 'rt',
  acceptFile: 'ac',
  menuRows: 'mr',
  chooseRow: 'cr',
  quality: 'sq',
  /** /acceptbot's button: id = the waiting account's user id modulo 1e9 (a check it is still the one shown). */
  acceptBot: 'ab',
  // Playlist watch: the id is the watch's, except watchAdd and watchJob (a job's).
  watchAdd: 'wa',
  watchCheck: 'wc',
  watchPause: 'wp',
  watchResume: 'wr',
  watchStop: 'wx',
  watchJob: 'wj',
} as const;

export type CallbackAction = keyof typeof CALLBACK_ACTIONS;

export interface CallbackPayload {
  action: CallbackAction;
  /** A job id, track id, or (for `quality`) 0 = high, 1 = max. */
  id: number;
  /** Second number, e.g. the row index for `chooseRow`. */
  arg: number | null;
}

const BY_CODE = new Map<string, CallbackAction>(
  Object.entries(CALLBACK_ACTIONS).map(([action, code]) => [code, action as CallbackAction]),
);
const PATTERN = /^(\d+)\|([a-z]{2})\|(\d{1,10})(?:\|(\d{1,3}))?$/;

export function encodeCallback(action: CallbackAction, id: number, arg?: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`callback id must be a non-negative integer, got ${id}`);
  const base = `${CALLBACK_VERSION}|${CALLBACK_ACTIONS[action]}|${id}`;
  return arg === undefined ? base : `${base}|${arg}`;
}

/** Null for anything we did not make (or made in another version). */
export function decodeCallback(data: string | undefined): CallbackPayload | null {
  if (!data || data.length > 64) return null;
  const m = PATTERN.exec(data);
  if (!m || m[1] !== CALLBACK_VERSION) return null;
  const action = BY_CODE.get(m[2] ?? '');
  if (!action) return null;
  const id = Number(m[3]);
  if (!Number.isSafeInteger(id)) return null;
  return { action, id, arg: m[4] === undefined ? null : Number(m[4]) };
}
