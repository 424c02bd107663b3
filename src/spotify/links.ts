/**
 * Spotify links in every form people paste: open.spotify.com URLs (with ?si=, /intl-xx/, /embed/,
 * /user/NAME/playlist/ID), spotify: URIs, and short links resolved by following their redirect.
 */
import { parse as parseSpotifyUri } from 'spotify-uri';
import { UserError } from '../domain/errors.js';
import type { SourceType } from '../domain/track.js';
import type { SpotifyHttp } from './http.js';

export interface SpotifyLink {
  type: SourceType;
  /** Base62 Spotify id (22 characters). */
  id: string;
  /** Canonical form, e.g. https://open.spotify.com/playlist/ID (what jobs store and fingerprint). */
  url: string;
}

export type ParsedInput = { kind: 'link'; link: SpotifyLink } | { kind: 'short'; url: string };

export const ACCEPTED_LINKS = [
  'https://open.spotify.com/playlist/… (also /intl-xx/…, /embed/…, /user/NAME/playlist/…, with or without ?si=…)',
  'https://open.spotify.com/album/…',
  'https://open.spotify.com/track/…',
  'spotify:playlist:…, spotify:album:…, spotify:track:…',
  'short links: https://spotify.link/… and https://open.spotify.com/s/…',
];

const ACCEPTED_HINT = `Links Crate accepts:\n${ACCEPTED_LINKS.map((l) => `  ${l}`).join('\n')}\nIn Spotify: ••• → Share → Copy link.`;

const WEB_HOSTS = new Set(['open.spotify.com', 'play.spotify.com', 'embed.spotify.com']);
const SHORT_HOSTS = new Set(['spotify.link', 'spotify.app.link']);
const ID = /^[0-9A-Za-z]{22}$/;
const WANTED: readonly string[] = ['playlist', 'album', 'track'];

/** Spotify-owned editorial and algorithmic playlists: the Web API answers 404 to apps since Nov 2024. */
export function isSpotifyOwnedPlaylist(id: string): boolean {
  return id.startsWith('37i9dQZ');
}

export function canonicalUrl(type: SourceType, id: string): string {
  return `https://open.spotify.com/${type}/${id}`;
}

function badLink(message: string): UserError {
  return new UserError(message, ACCEPTED_HINT);
}

/**
 * Pure: recognises a link without any network. Short links come back as `{kind:'short'}` for
 * `resolveSpotifyLink` to follow. `extraWebHosts` lets a configured SPOTIFY_WEB_URL (proxy, fake)
 * count as open.spotify.com.
 */
export function parseSpotifyLink(input: string, options: { extraWebHosts?: string[] } = {}): ParsedInput {
  const text = pickLinkToken(input);
  if (text === '') throw badLink('No link given.');

  if (/^spotify:/i.test(text)) return { kind: 'link', link: fromSpotifyUri(text, text) };

  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw badLink(`"${shorten(text)}" is not a Spotify link.`);
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const webHosts = new Set([...WEB_HOSTS, ...(options.extraWebHosts ?? []).map((h) => h.toLowerCase())]);
  const hostWithPort = url.port ? `${host}:${url.port}` : host;

  if (SHORT_HOSTS.has(host)) return { kind: 'short', url: url.toString() };
  if (!webHosts.has(host) && !webHosts.has(hostWithPort)) {
    throw badLink(`"${shorten(text)}" is not a Spotify link (host ${url.host}).`);
  }

  const path = url.pathname.replace(/\/+$/, '');
  if (/^\/s\/[^/]+$/.test(path)) return { kind: 'short', url: url.toString() };
  if (host === 'embed.spotify.com') {
    const uri = url.searchParams.get('uri');
    if (uri) return { kind: 'link', link: fromSpotifyUri(uri, text) };
  }
  if (path === '') throw badLink(`"${shorten(text)}" has no playlist, album or track in it.`);
  // spotify-uri understands the path forms (intl-xx, embed, user/NAME/playlist); the host is ours to check.
  return { kind: 'link', link: fromSpotifyUri(`https://open.spotify.com${path}`, text) };
}

function fromSpotifyUri(uri: string, original: string): SpotifyLink {
  let parsed: ReturnType<typeof parseSpotifyUri>;
  try {
    parsed = parseSpotifyUri(uri);
  } catch (err) {
    throw new UserError(`"${shorten(original)}" is not a Spotify playlist, album or track link.`, ACCEPTED_HINT, { cause: err });
  }
  const type = parsed.type as string;
  if (!WANTED.includes(type)) {
    const names: Record<string, string> = {
      artist: 'an artist link',
      user: 'a profile link',
      episode: 'a podcast episode link',
      show: 'a podcast link',
      search: 'a search link',
      local: 'a local-file link',
    };
    throw badLink(`That is ${names[type] ?? `a ${type} link`}, not a playlist, album or track: Crate downloads those three.`);
  }
  if (type === 'playlist' && parsed.id === 'starred') {
    throw badLink('"Starred" (Liked Songs) links cannot be read by apps. Add the songs to a playlist of your own and use its link.');
  }
  if (!ID.test(parsed.id)) {
    throw badLink(`"${shorten(parsed.id)}" does not look like a Spotify ${type} id (22 letters and digits): the link may be cut off.`);
  }
  const t = type as SourceType;
  return { type: t, id: parsed.id, url: canonicalUrl(t, parsed.id) };
}

/** Accepts a message that has text around the link ("Listen to X on Spotify: https://…"). */
function pickLinkToken(input: string): string {
  const trimmed = input.trim().replace(/^[<"'(]+|[>"')]+$/g, '');
  if (!/\s/.test(trimmed)) return trimmed;
  const tokens = trimmed.split(/\s+/).map((t) => t.replace(/^[<"'(]+|[>"'),.]+$/g, ''));
  return tokens.find((t) => /(?:open|play|embed)\.spotify\.com|spotify\.(?:app\.)?link|^spotify:[a-z]+:/i.test(t)) ?? trimmed;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export interface ResolveDeps {
  http: SpotifyHttp;
  /** SPOTIFY_WEB_URL: open.spotify.com short links are fetched from here (a proxy or a test's fake). */
  webUrl: string;
  signal?: AbortSignal;
}

const MAX_HOPS = 5;

/** Parses a link, following short-link redirects (at most five) until a playlist/album/track link appears. */
export async function resolveSpotifyLink(input: string, deps: ResolveDeps): Promise<SpotifyLink> {
  const webHost = new URL(deps.webUrl).host;
  const extraWebHosts = [webHost];
  let parsed = parseSpotifyLink(input, { extraWebHosts });
  for (let hop = 0; parsed.kind === 'short'; hop++) {
    if (hop >= MAX_HOPS) throw badLink('The short link redirects too many times; open it in a browser and paste the final link.');
    const target = rebaseWeb(parsed.url, deps.webUrl);
    const page = await deps.http.getPage(target, { signal: deps.signal });
    if (page.status >= 300 && page.status < 400 && page.location) {
      parsed = parseSpotifyLink(new URL(page.location, target).toString(), { extraWebHosts });
      continue;
    }
    const found = page.status === 200 ? findLinkInPage(page.text) : null;
    if (found) {
      parsed = parseSpotifyLink(found, { extraWebHosts });
      continue;
    }
    throw new UserError(
      page.status === 404
        ? 'That short link does not exist (Spotify answered 404): it may be mistyped or expired.'
        : `That short link did not lead to a Spotify playlist, album or track (HTTP ${page.status}).`,
      'Open it in a browser and paste the link of the page it opens.',
    );
  }
  return parsed.link;
}

/** open.spotify.com/s/… short links go through the configured web base; others are fetched as they are. */
function rebaseWeb(url: string, webUrl: string): string {
  const u = new URL(url);
  if (u.hostname === 'open.spotify.com') return `${webUrl}${u.pathname}${u.search}`;
  return url;
}

/** Some short-link pages answer 200 with HTML that names the target (og:url, canonical, or a plain link). */
function findLinkInPage(html: string): string | null {
  const m = html.match(/https?:\/\/open\.spotify\.com\/(?:intl-[a-z-]+\/)?(?:playlist|album|track)\/[0-9A-Za-z]{22}/);
  return m ? m[0] : null;
}
