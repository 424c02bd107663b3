/**
 * Access tokens for the Web API: the app's own (client credentials) and the owner's (a refresh
 * token from `crate spotify-login`, or SPOTIFY_REFRESH_TOKEN). Both talk to the configured
 * accounts URL through our HTTP client, never the SDK's hard-coded one.
 */
import { Buffer } from 'node:buffer';
import { UserError } from '../domain/errors.js';
import type { Clock } from '../engine/ports.js';
import { SpotifyApiError } from './errors.js';
import type { AccessTokenSource, SpotifyHttp } from './http.js';
import type { TokenResponse } from './api-types.js';

/** Renew a minute early so a token never expires in the middle of a paged listing. */
const EARLY_MS = 60_000;

abstract class CachedTokenSource implements AccessTokenSource {
  abstract readonly kind: 'user' | 'app';
  private cached: { token: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(protected readonly clock: Clock) {}

  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt - EARLY_MS > this.clock.now()) return this.cached.token;
    // One refresh at a time, however many requests are waiting.
    this.pending ??= this.fetchToken(signal)
      .then((t) => {
        this.cached = { token: t.access_token, expiresAt: this.clock.now() + t.expires_in * 1000 };
        return t.access_token;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  invalidate(): void {
    this.cached = null;
  }

  protected abstract fetchToken(signal?: AbortSignal): Promise<TokenResponse>;
}

export class ClientCredentialsTokenSource extends CachedTokenSource {
  readonly kind = 'app' as const;
  constructor(
    private readonly http: SpotifyHttp,
    private readonly accountsUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    clock: Clock,
  ) {
    super(clock);
  }

  protected async fetchToken(signal?: AbortSignal): Promise<TokenResponse> {
    try {
      return await this.http.postForm<TokenResponse>(
        `${this.accountsUrl}/api/token`,
        { grant_type: 'client_credentials' },
        { headers: { Authorization: basicAuth(this.clientId, this.clientSecret) }, signal },
      );
    } catch (err) {
      if (err instanceof SpotifyApiError && (err.status === 400 || err.status === 401)) {
        throw new UserError(
          `Spotify did not accept SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET (${err.apiMessage || err.status}).`,
          'Copy both again from developer.spotify.com/dashboard → your app → Settings (the secret is behind "View client secret").',
          { cause: err },
        );
      }
      throw err;
    }
  }
}

/** The owner's login is gone (revoked, expired, or made for another app). */
export class SpotifyLoginInvalidError extends UserError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `Your Spotify login no longer works (${detail}).`,
      'Run `crate spotify-login` again (or send /spotify to the control bot).',
      options,
    );
  }
}

export class RefreshTokenSource extends CachedTokenSource {
  readonly kind = 'user' as const;
  private refreshToken: string;

  constructor(
    private readonly http: SpotifyHttp,
    private readonly accountsUrl: string,
    private readonly login: {
      refreshToken: string;
      clientId: string;
      /** Only for tokens issued by the classic code flow (not PKCE), which refresh with the secret. */
      clientSecret?: string;
    },
    /** Spotify may hand out a new refresh token on each refresh; the old one then stops working. */
    private readonly onRotate: (refreshToken: string, scope: string | undefined) => void,
    clock: Clock,
  ) {
    super(clock);
    this.refreshToken = login.refreshToken;
  }

  protected async fetchToken(signal?: AbortSignal): Promise<TokenResponse> {
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: this.refreshToken };
    const headers: Record<string, string> = {};
    if (this.login.clientSecret) headers.Authorization = basicAuth(this.login.clientId, this.login.clientSecret);
    else form.client_id = this.login.clientId;
    let res: TokenResponse;
    try {
      res = await this.http.postForm<TokenResponse>(`${this.accountsUrl}/api/token`, form, { headers, signal });
    } catch (err) {
      if (err instanceof SpotifyApiError && (err.status === 400 || err.status === 401)) {
        throw new SpotifyLoginInvalidError(err.apiMessage || err.reason || `HTTP ${err.status}`, { cause: err });
      }
      throw err;
    }
    if (res.refresh_token && res.refresh_token !== this.refreshToken) {
      this.refreshToken = res.refresh_token;
      this.onRotate(res.refresh_token, res.scope);
    }
    return res;
  }
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}
