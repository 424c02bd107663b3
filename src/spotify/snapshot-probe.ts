/**
 * The playlist watch's cheap "has it changed?" question: Spotify's snapshot_id, which changes with
 * every edit of a playlist. Asked only with the owner's login and only for playlists that login can
 * list (own or collaborative): for anyone else's playlist the tracks come from the public page,
 * and the watch compares that listing instead. One small request (`fields=` keeps the answer tiny).
 */
import type { Logger } from '../logger.js';
import { SpotifyLoginInvalidError } from './auth.js';
import { SpotifyApiError, SpotifyRateLimitError } from './errors.js';
import { apiUrl, type AccessTokenSource, type SpotifyHttp } from './http.js';

interface SnapshotAnswer {
  snapshot_id?: unknown;
  /** Present only when the login may list the rows (2026: absent for others' playlists). */
  items?: unknown;
}

export interface SnapshotProbeDeps {
  http: SpotifyHttp;
  apiUrl: string;
  logger: Logger;
}

/**
 * The playlist's snapshot_id, or null when there is none to trust (no login, not the owner's,
 * unknown, login refused). A quota 429 is thrown: the watch postpones its next check after it.
 */
export async function readPlaylistSnapshot(deps: SnapshotProbeDeps, auth: AccessTokenSource | null, playlistId: string, signal?: AbortSignal): Promise<string | null> {
  if (!auth) return null;
  const url = apiUrl(deps.apiUrl, `/v1/playlists/${playlistId}?fields=${encodeURIComponent('snapshot_id,items(total)')}`);
  let answer: SnapshotAnswer;
  try {
    answer = await deps.http.getJson<SnapshotAnswer>(url, { auth, signal });
  } catch (err) {
    if (err instanceof SpotifyRateLimitError || signal?.aborted) throw err;
    if (err instanceof SpotifyApiError || err instanceof SpotifyLoginInvalidError) {
      deps.logger.debug({ playlist: playlistId, status: err instanceof SpotifyApiError ? err.status : null }, 'no snapshot for this playlist');
      return null;
    }
    throw err;
  }
  if (answer.items === undefined || answer.items === null) return null;
  const id = answer.snapshot_id;
  // Bounded: a snapshot id is a short opaque token; anything else is not one we compare.
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? `spotify:${id}` : null;
}
