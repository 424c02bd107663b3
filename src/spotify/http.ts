/**
 * A small HTTP client for Spotify's Web API, accounts service and web pages.
 *
 * Why not the SDK's `makeRequest`: @spotify/web-api-ts-sdk 1.2.0 hard-codes its API root in a
 * static field (no proxy, no fake server without mutating a process-wide global), its response
 * validator turns 429 into a bare "exceeded its rate limits" Error that drops Retry-After and
 * `reason`, and its client-credentials call ignores the custom fetch. We keep its types.
 */
import type { Logger } from '../logger.js';
import type { Clock } from '../engine/ports.js';
import { UserError } from '../domain/errors.js';
import { SpotifyApiError, SpotifyRateLimitError, formatDuration } from './errors.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Credentials for the Web API: the owner's login ('user') or the app's own ('app'). */
export interface AccessTokenSource {
  readonly kind: 'user' | 'app';
  token(signal?: AbortSignal): Promise<string>;
  /** Spotify refused the token (401): drop it so the next call gets a fresh one. */
  invalidate(): void;
}

export interface SpotifyHttpDeps {
  fetch?: FetchLike;
  clock?: Clock;
  logger: Logger;
  /** 0 ≤ x < 1; the jitter added on top of Retry-After. */
  random?: () => number;
  /** Longest Retry-After we sit out ourselves (default 180 s); longer ones stop with a message. */
  maxWaitSeconds?: number;
  /** Attempts per request across 429s, 5xx and network errors (default 6). */
  maxAttempts?: number;
}

export const DEFAULT_MAX_WAIT_SECONDS = 180;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

const PREMIUM_HINT =
  'Since March 2026 Spotify serves Development Mode apps only while the account that owns the app has an active Premium subscription. ' +
  'Renew Premium on that account (it can take a few hours to take effect), or use a Spotify app owned by a Premium account. ' +
  'Public playlists still work without any Spotify app: remove SPOTIFY_CLIENT_ID / the stored login and Crate reads the public page (first 100 tracks).';

export class SpotifyHttp {
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly maxWaitSeconds: number;
  private readonly maxAttempts: number;
  private readonly logger: Logger;

  constructor(deps: SpotifyHttpDeps) {
    this.fetchImpl = deps.fetch ?? ((input, init) => fetch(input, init));
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.maxWaitSeconds = deps.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
    this.maxAttempts = deps.maxAttempts ?? 6;
    this.logger = deps.logger;
  }

  /** GET a Web API resource as JSON. Non-2xx answers throw SpotifyApiError (or a UserError for Premium/quota). */
  async getJson<T>(url: string, options: { auth: AccessTokenSource; signal?: AbortSignal }): Promise<T> {
    let refreshed = false;
    for (;;) {
      const token = await options.auth.token(options.signal);
      const res = await this.send(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, options.signal);
      if (res.status === 401 && !refreshed) {
        // Access tokens live an hour; a long listing can outlive one.
        refreshed = true;
        await res.body?.cancel();
        options.auth.invalidate();
        continue;
      }
      if (!res.ok) throw await this.failure(res, url);
      return (await readJson(res, url)) as T;
    }
  }

  /** POST a form to the accounts service (token endpoint). */
  async postForm<T>(
    url: string,
    form: Record<string, string>,
    options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    const res = await this.send(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...options.headers },
        body: new URLSearchParams(form).toString(),
      },
      options.signal,
    );
    if (!res.ok) throw await this.failure(res, url);
    return (await readJson(res, url)) as T;
  }

  /** GET a web page (embed page, short link) with the same 429/5xx handling; redirects are not followed. */
  async getPage(
    url: string,
    options: { signal?: AbortSignal; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string; location: string | null }> {
    const res = await this.send(
      url,
      {
        redirect: 'manual',
        headers: {
          // The embed page is made for browsers; a plain client UA gets the same HTML today, but say who we are.
          'User-Agent': 'Mozilla/5.0 (compatible; Crate) AppleWebKit/537.36 (KHTML, like Gecko)',
          'Accept-Language': 'en',
          Accept: 'text/html,application/xhtml+xml',
          ...options.headers,
        },
      },
      options.signal,
    );
    const location = res.headers.get('location');
    const text = await res.text();
    return { status: res.status, text, location };
  }

  /** One request with waits for 429 (Retry-After), retries for 5xx and network errors. */
  private async send(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const path = safePath(url);
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, { ...init, signal });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (attempt >= Math.min(3, this.maxAttempts)) {
          throw new UserError(
            `Cannot reach Spotify (${new URL(url).host}): ${describeNetworkError(err)}.`,
            'Check the internet connection (and SPOTIFY_API_URL / SPOTIFY_ACCOUNTS_URL / SPOTIFY_WEB_URL if you changed them), then try again.',
            { cause: err },
          );
        }
        const ms = 1000 * 2 ** (attempt - 1);
        this.logger.warn({ path, attempt, err: describeNetworkError(err) }, `Spotify unreachable, retrying in ${ms / 1000} s`);
        await this.clock.sleep(ms, signal);
        continue;
      }

      if (res.status === 429) {
        const body = await readErrorBody(res);
        const quota = body.reason === 'QUOTA_EXCEEDED';
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.clock.now()) ?? Math.min(60, 5 * attempt);
        if (retryAfter > this.maxWaitSeconds || attempt >= this.maxAttempts) {
          throw new SpotifyRateLimitError(retryAfter, this.clock.now(), quota);
        }
        // Never earlier than asked; a little later, spread out, so parallel callers do not return together.
        const waitMs = retryAfter * 1000 + Math.floor(this.random() * (250 + retryAfter * 100));
        this.logger.warn(
          { path, retryAfter, reason: body.reason ?? undefined },
          `Spotify rate limit${quota ? ' (quota)' : ''}: waiting ${formatDuration(waitMs / 1000)} before going on`,
        );
        await this.clock.sleep(waitMs, signal);
        continue;
      }

      if (res.status >= 500 && res.status <= 599 && attempt < Math.min(4, this.maxAttempts)) {
        await res.body?.cancel();
        const ms = 1000 * 2 ** (attempt - 1) + Math.floor(this.random() * 250);
        this.logger.warn({ path, status: res.status, attempt }, `Spotify server error, retrying in ${formatDuration(ms / 1000)}`);
        await this.clock.sleep(ms, signal);
        continue;
      }
      return res;
    }
  }

  private async failure(res: Response, url: string): Promise<Error> {
    const body = await readErrorBody(res);
    const path = safePath(url);
    if (res.status === 403 && /premium/i.test(body.message)) {
      return new UserError(`Spotify refused the request: "${body.message}"`, PREMIUM_HINT, {
        cause: new SpotifyApiError(res.status, body.reason, body.message, path),
      });
    }
    return new SpotifyApiError(res.status, body.reason, body.message, path);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v));
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Spotify errors come as `{error:{status,message,reason}}`, `{error, error_description}` or plain text. */
async function readErrorBody(res: Response): Promise<{ message: string; reason: string | null }> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    return { message: '', reason: null };
  }
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    // GraphQL (the web player's API) answers `{errors:[{message}]}`.
    if (Array.isArray(json.errors) && json.errors.length > 0) {
      const first = json.errors[0] as Record<string, unknown> | null;
      return { message: typeof first?.message === 'string' ? first.message.slice(0, 300) : '', reason: null };
    }
    const err = json.error;
    if (err && typeof err === 'object') {
      const e = err as Record<string, unknown>;
      return {
        message: typeof e.message === 'string' ? e.message : '',
        reason: typeof e.reason === 'string' ? e.reason : null,
      };
    }
    return {
      message:
        typeof json.error_description === 'string'
          ? json.error_description
          : typeof json.error === 'string'
            ? json.error
            : '',
      reason: typeof json.reason === 'string' ? json.reason : typeof json.error === 'string' ? json.error : null,
    };
  } catch {
    return { message: text.trim().slice(0, 300), reason: null };
  }
}

async function readJson(res: Response, url: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Spotify sent something that is not JSON for ${safePath(url)} (${text.slice(0, 80)}…)`, { cause: err });
  }
}

/** The path of a URL without query string: safe for logs and messages. */
export function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(bad url)';
  }
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}

/**
 * Joins a configured base URL (no trailing slash) and an API path. Absolute `next` links from
 * Spotify are re-based onto the configured base, so a proxy or fake server stays in the loop and
 * tokens are never sent to a host the owner did not configure.
 */
export function apiUrl(base: string, pathOrUrl: string): string {
  if (/^https?:\/\//i.test(pathOrUrl)) {
    const u = new URL(pathOrUrl);
    const v1 = u.pathname.indexOf('/v1/');
    return `${base}${v1 >= 0 ? u.pathname.slice(v1) : u.pathname}${u.search}`;
  }
  return `${base}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
}
