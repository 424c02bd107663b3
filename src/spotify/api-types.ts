/**
 * Web API shapes as Spotify sends them in 2026, built on the SDK's own types where those still
 * hold (Track, SimplifiedTrack, Album, Page, AccessToken...). What changed in Feb/Mar 2026 is
 * modelled here: playlist rows carry `item` (the old `track` is deprecated and may be absent),
 * and the playlist object's `tracks` became `items` (metadata-only for playlists you do not own).
 */
import type { AccessToken, Album, Episode, Page, SimplifiedTrack, Track, UserReference } from '@spotify/web-api-ts-sdk';

export type { AccessToken, Album, Page, SimplifiedTrack, Track };

export interface PlaylistItemRow {
  added_at?: string | null;
  is_local?: boolean;
  /** Since Feb 2026: the track (or episode); null for tracks no longer available. */
  item?: Track | Episode | null;
  /** Deprecated spelling, still sent by some deployments during the transition. */
  track?: Track | Episode | null;
}

/** GET /v1/playlists/{id}. For playlists the user does not own, `items` holds no rows (or is absent). */
export interface PlaylistObject {
  id: string;
  name: string;
  description?: string | null;
  collaborative?: boolean;
  public?: boolean | null;
  owner?: Partial<UserReference> | null;
  items?: (Partial<Page<PlaylistItemRow>> & { total?: number }) | null;
  /** Pre-2026 name of `items`; read only for its total. */
  tracks?: { total?: number } | null;
}

/** Token endpoint answer (authorization_code, refresh_token and client_credentials grants). */
export interface TokenResponse extends Partial<AccessToken> {
  access_token: string;
  expires_in: number;
  scope?: string;
}
