/**
 * The web player's internal GraphQL endpoint, as far as Crate's opt-in backend uses it:
 * GET /pathfinder/v1/query?operationName=fetchPlaylist&variables={uri,offset,limit}&extensions={persistedQuery}
 * with the embed page's anonymous token. Modelled on what other tools met through 2026:
 * - anonymous tokens are handed out by the embed page and expire (401 after);
 * - the persisted-query hash is rotated by Spotify: a stale one answers 200 `{errors:[PersistedQueryNotFound]}`;
 * - `content.totalCount` is the real total, rows are paged by offset/limit (at most 100 or 343, Spotify's own cap);
 * - a missing or private playlist is `playlistV2: {__typename: "NotFound"}`.
 */
import { randomBytes } from 'node:crypto';
import type { FakePlaylist } from './fake-spotify-server.js';

export interface FakeWebApiState {
  /** The hash the endpoint accepts now (rotate to make Crate's default stale). */
  hash: string;
  /** Seconds an anonymous token lives. */
  tokenLifetimeSeconds: number;
  /** Answer 403 to every query (Spotify blocking the route). */
  forbidden: boolean;
  readonly tokens: Map<string, number>;
}

export const FAKE_WEB_DEFAULT_HASH = 'e578eda4f77aae54294a48eac85e2a42ddb203faf6ea12b3fddaec5aa32918a3';

export function createWebApiState(options: { hash?: string; tokenLifetimeSeconds?: number } = {}): FakeWebApiState {
  return { hash: options.hash ?? FAKE_WEB_DEFAULT_HASH, tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600, forbidden: false, tokens: new Map() };
}

/** A fresh anonymous token, as each embed page load carries. */
export function issueAnonymousToken(state: FakeWebApiState): string {
  const token = `BQanon${randomBytes(16).toString('base64url')}`;
  state.tokens.set(token, Date.now() + state.tokenLifetimeSeconds * 1000);
  return token;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export function handleWebQuery(
  u: URL,
  authorization: string | undefined,
  state: FakeWebApiState,
  playlists: Map<string, FakePlaylist>,
  reply: Reply,
): void {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const expiresAt = token ? state.tokens.get(token) : undefined;
  if (expiresAt === undefined || expiresAt < Date.now()) {
    return reply(401, { error: { status: 401, message: 'Invalid access token' } });
  }
  if (state.forbidden) return reply(403, { error: { status: 403, message: 'Forbidden' } });
  if (u.searchParams.get('operationName') !== 'fetchPlaylist') return reply(400, { errors: [{ message: 'Unknown operation' }] });
  let variables: { uri?: string; offset?: number; limit?: number };
  let extensions: { persistedQuery?: { sha256Hash?: string } };
  try {
    variables = JSON.parse(u.searchParams.get('variables') ?? '{}') as typeof variables;
    extensions = JSON.parse(u.searchParams.get('extensions') ?? '{}') as typeof extensions;
  } catch {
    return reply(400, { errors: [{ message: 'Invalid JSON in query parameters' }] });
  }
  if (extensions.persistedQuery?.sha256Hash !== state.hash) {
    return reply(200, { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  }
  const id = /^spotify:playlist:([0-9A-Za-z]{22})$/.exec(variables.uri ?? '')?.[1];
  const p = id ? playlists.get(id) : undefined;
  if (!p || p.public === false) {
    return reply(200, { data: { playlistV2: { __typename: 'NotFound', message: 'Playlist not found' } } });
  }
  const offset = Math.max(0, Number(variables.offset ?? 0));
  const limit = Math.min(343, Math.max(1, Number(variables.limit ?? 25)));
  const items = p.rows.slice(offset, offset + limit).map((row, i) => {
    if (row === null) return { itemV2: { __typename: 'NotFound', data: null }, uid: `u${offset + i}` };
    if ('episode' in row) {
      return { itemV2: { __typename: 'EpisodeResponseWrapper', data: { __typename: 'Episode', uri: `spotify:episode:${'e'.repeat(22)}`, name: row.episode } }, uid: `u${offset + i}` };
    }
    return {
      uid: `u${offset + i}`,
      addedAt: { isoString: '2026-03-10T12:00:00Z' },
      itemV2: {
        __typename: 'TrackResponseWrapper',
        data: {
          __typename: 'Track',
          uri: `spotify:track:${row.id}`,
          name: row.name,
          trackDuration: { totalMilliseconds: row.durationMs },
          playability: { playable: true },
          artists: { items: row.artists.map((name) => ({ profile: { name }, uri: `spotify:artist:${'a'.repeat(22)}` })) },
          albumOfTrack: { name: row.album.name, uri: `spotify:album:${row.album.id}` },
        },
      },
    };
  });
  return reply(200, {
    data: {
      playlistV2: {
        __typename: 'Playlist',
        uri: `spotify:playlist:${p.id}`,
        name: p.name,
        ownerV2: { data: { __typename: 'User', name: p.ownerName ?? p.ownerId } },
        content: { __typename: 'PlaylistItemsPage', totalCount: p.rows.length, pagingInfo: { offset, limit }, items },
      },
    },
    extensions: {},
  });
}
