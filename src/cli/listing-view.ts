/** How a Spotify listing is shown by `crate download --dry-run` and `crate missing`: text or JSON. */
import type { SourceBackend, SourceListing, TrackInfo } from '../domain/track.js';

const BACKEND_TEXT: Record<SourceBackend, string> = {
  user: 'read with your Spotify login',
  embed: "read from Spotify's public embed page",
  web: "read through Spotify's web player API (SPOTIFY_WEB_PLAYLISTS=on)",
  file: 'read from a track list file',
  catalog: 'read from the Spotify catalogue',
};

/** The `--json` shape: exactly these keys, in this order. */
export function listingJson(listing: SourceListing) {
  return {
    source: {
      type: listing.source.type,
      id: listing.source.id,
      name: listing.source.name,
      total: listing.source.total,
      backend: listing.source.backend,
    },
    tracks: listing.tracks.map(trackJson),
    warnings: listing.warnings,
  };
}

export function trackJson(t: TrackInfo) {
  return {
    position: t.position,
    spotifyId: t.spotifyId,
    artists: t.artists,
    title: t.title,
    album: t.album,
    durationMs: t.durationMs,
    isrc: t.isrc,
  };
}

/** --start-from N (1-based playlist position) and --limit N, applied to a listing. */
export function selectTracks(listing: SourceListing, options: { startFrom?: number; limit?: number }): SourceListing {
  const from = options.startFrom ?? 1;
  let tracks = listing.tracks.filter((t) => t.position >= from);
  if (options.limit !== undefined) tracks = tracks.slice(0, options.limit);
  return { ...listing, tracks };
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '?:??';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function trackLine(t: TrackInfo, width: number): string {
  const who = t.artists.length > 0 ? t.artists.join(', ') : 'Unknown artist';
  const extra = [t.album, t.isrc ? `ISRC ${t.isrc}` : null].filter(Boolean).join(' · ');
  return `${String(t.position).padStart(width)}. ${who} - ${t.title} [${formatDuration(t.durationMs)}]${extra ? `  (${extra})` : ''}`;
}

export function headerLine(listing: SourceListing): string {
  const { type, name, total, backend } = listing.source;
  const kind = type === 'playlist' ? 'Playlist' : type === 'album' ? 'Album' : 'Track';
  const listed = listing.tracks.length;
  // A cut list (the public page stops at 100) must not read as if all of them were there.
  const count = listed < total ? `listed ${listed} of ${total} tracks` : `${listed} track${listed === 1 ? '' : 's'}`;
  return `${kind} "${name}": ${count}, ${BACKEND_TEXT[backend]}`;
}

export function listingText(full: SourceListing, shown: SourceListing): string {
  const width = String(Math.max(1, ...shown.tracks.map((t) => t.position))).length;
  const lines = [headerLine(full), ...shown.tracks.map((t) => `  ${trackLine(t, width)}`)];
  if (shown.tracks.length !== full.tracks.length) lines.push(`Shown: ${shown.tracks.length} of ${full.tracks.length} listed.`);
  for (const w of full.warnings) lines.push(`! ${w}`);
  return `${lines.join('\n')}\n`;
}
