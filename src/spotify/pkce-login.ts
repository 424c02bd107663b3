/**
 * The owner's Spotify login: Authorization Code with PKCE on the owner's own app, loopback
 * redirect. Works on a headless box: the owner opens the link on any device, approves, and
 * pastes the address the browser ends on (it will not load; that is fine) back to the CLI or bot.
 * Both steps are plain functions over plain data, so the control bot can keep the pending
 * request between two messages.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { TokenResponse } from './api-types.js';
import { SpotifyApiError } from './errors.js';
import { loginRefused } from './pkce-source.js';
import { apiUrl, type SpotifyHttp } from './http.js';
import type { SpotifyTokenStore, StoredSpotifyLogin } from './token-store.js';

/** Reading the owner's own and collaborative playlists is all Crate needs. */
// The SDK's `Scopes.playlistRead`, written out: importing the SDK for two strings loads all of it at start.
export const LOGIN_SCOPES: string[] = ['playlist-read-private', 'playlist-read-collaborative'];

export interface PkceLoginRequest {
  authorizeUrl: string;
  state: string;
  /** Secret until the exchange; keep it where the pending request is kept, never log it. */
  codeVerifier: string;
  clientId: string;
  redirectUri: string;
  createdAt: number;
}

/** RFC 7636: 43-128 characters from the unreserved set; S256 challenge. */
export function startPkceLogin(
  config: Config,
  options: { randomBytes?: (n: number) => Buffer; now?: number } = {},
): PkceLoginRequest {
  const clientId = config.spotify.clientId;
  if (!clientId) {
    throw new UserError(
      'SPOTIFY_CLIENT_ID is not set: the login goes through your own Spotify app.',
      'developer.spotify.com/dashboard → Create app (Web API) → copy the Client ID into .env as SPOTIFY_CLIENT_ID. ' +
        `In the app's settings add this Redirect URI exactly: ${config.spotify.redirectUri}`,
    );
  }
  const rnd = options.randomBytes ?? randomBytes;
  const codeVerifier = base64url(rnd(64));
  const state = base64url(rnd(16));
  const challenge = base64url(createHash('sha256').update(codeVerifier).digest());
  const params = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: config.spotify.redirectUri,
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
    scope: LOGIN_SCOPES.join(' '),
  });
  return {
    authorizeUrl: `${config.spotify.accountsUrl}/authorize?${params.toString()}`,
    state,
    codeVerifier,
    clientId,
    redirectUri: config.spotify.redirectUri,
    createdAt: options.now ?? Date.now(),
  };
}

/** Pulls `code` and `state` out of what the owner pasted: the whole address, or just its query. */
export function parseRedirect(pasted: string): { code: string; state: string } {
  const text = pasted.trim();
  if (text === '') throw new UserError('Nothing was pasted.', 'Paste the whole address the browser ended on after you approved.');
  let params: URLSearchParams;
  try {
    params = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? new URL(text).searchParams : new URLSearchParams(text.replace(/^.*?\?/, ''));
  } catch (err) {
    throw new UserError('That is not the address Spotify sent you to.', 'Paste the whole address from the browser bar (it starts with the Redirect URI).', {
      cause: err,
    });
  }
  const error = params.get('error');
  if (error) {
    throw new UserError(
      error === 'access_denied' ? 'The login was cancelled on the Spotify page (access_denied).' : `Spotify refused the login: ${error}.`,
      'Start again and press "Agree". If Spotify says the redirect URI is invalid, add it exactly in the app settings on developer.spotify.com.',
    );
  }
  const code = params.get('code');
  const state = params.get('state');
  if (!code || !state) {
    throw new UserError(
      'That address has no login code in it.',
      'After pressing "Agree", copy the address the browser ends on: it contains "?code=…&state=…".',
    );
  }
  return { code, state };
}

export interface CompletePkceDeps {
  http: SpotifyHttp;
  store: SpotifyTokenStore;
  accountsUrl: string;
  apiUrl: string;
  now?: () => number;
  signal?: AbortSignal;
}

/** Checks the state, trades the code for tokens, stores the refresh token (0600). */
export async function completePkceLogin(
  request: PkceLoginRequest,
  pasted: string,
  deps: CompletePkceDeps,
): Promise<StoredSpotifyLogin> {
  const { code, state } = parseRedirect(pasted);
  if (state !== request.state) {
    throw new UserError(
      'That address belongs to a different login attempt (the state does not match).',
      'Use the link from this attempt, approve, and paste the address you land on.',
    );
  }
  let tokens: TokenResponse;
  try {
    tokens = await deps.http.postForm<TokenResponse>(
      `${deps.accountsUrl}/api/token`,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: request.redirectUri,
        client_id: request.clientId,
        code_verifier: request.codeVerifier,
      },
      { signal: deps.signal },
    );
  } catch (err) {
    if (err instanceof SpotifyApiError && err.status === 400) {
      throw new UserError(
        `Spotify did not accept the login code (${err.apiMessage || err.reason || 'invalid_grant'}).`,
        'Codes work once and only for a few minutes: start the login again and paste the new address right away. ' +
          'The Redirect URI in the app settings must match SPOTIFY_REDIRECT_URI exactly.',
        { cause: err },
      );
    }
    throw err;
  }
  if (!tokens.refresh_token) {
    throw new Error('Spotify answered the code exchange without a refresh token');
  }
  const user = await whoAmI(deps, tokens.access_token);
  const login: StoredSpotifyLogin = {
    refreshToken: tokens.refresh_token,
    clientId: request.clientId,
    scope: tokens.scope ?? LOGIN_SCOPES.join(' '),
    savedAt: (deps.now ?? Date.now)(),
    user,
  };
  deps.store.write(login);
  return login;
}

/**
 * Checks the login really works before it is stored: `/v1/me`. A 403 there is Spotify refusing this
 * user for this app (most often: not on the Development Mode allowlist), and a login that "succeeds"
 * but reads nothing is worse than a clear failure. Other failures (network, 5xx) only lose the name.
 */
async function whoAmI(deps: CompletePkceDeps, accessToken: string): Promise<StoredSpotifyLogin['user']> {
  try {
    const me = await deps.http.getJson<{ id?: string; display_name?: string | null }>(apiUrl(deps.apiUrl, '/v1/me'), {
      auth: { kind: 'user', token: async () => accessToken, invalidate: () => undefined },
      signal: deps.signal,
    });
    return typeof me.id === 'string' ? { id: me.id, displayName: me.display_name ?? null } : null;
  } catch (err) {
    const api = err instanceof SpotifyApiError ? err : err instanceof Error && err.cause instanceof SpotifyApiError ? err.cause : null;
    if (api && api.status === 403) throw loginRefused(api);
    if (err instanceof UserError && /premium/i.test(err.message)) throw err;
    return null;
  }
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
