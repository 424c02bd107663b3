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
  'short links: https://spotify.link/…, https://spoti.fi/…, https://link.tospotify.com/… and https://open.spotify.com/s/…',
];

const ACCEPTED_HINT = `Links Crate accepts:\n${ACCEPTED_LINKS.map((l) => `  ${l}`).join('\n')}\nIn Spotify: ••• → Share → Copy link.`;

const WEB_HOSTS = new Set(['open.spotify.com', 'play.spotify.com', 'embed.spotify.com']);
/** Short-link services Spotify's share sheet and old campaigns use (Branch.io behind spotify.link). */
const SHORT_HOSTS = new Set(['spotify.link', 'spotify.app.link', 'spoti.fi', 'link.tospotify.com']);
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

  // A bare id (what "Copy Spotify URI" leaves after its prefix is cut) is no link: the kind is missing.
  if (ID.test(text)) {
    throw badLink(
      `"${text}" is a Spotify id without its kind: Crate cannot tell a playlist from an album or a track by the id alone. Give the whole link, e.g. https://open.spotify.com/playlist/${text} or spotify:playlist:${text}.`,
    );
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    throw badLink(`"${shorten(text)}" is not a Spotify link.`);
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  // Without a scheme, a word with no dot in it was never meant as an address ("playlist", a name).
  if (!hasScheme && !host.includes('.')) {
    throw badLink(`"${shorten(text)}" is not a link: a Spotify link starts with https://open.spotify.com/ or spotify:.`);
  }
  const webHosts = new Set([...WEB_HOSTS, ...(options.extraWebHosts ?? []).map((h) => h.toLowerCase())]);
  const hostWithPort = url.port ? `${host}:${url.port}` : host;

  if (SHORT_HOSTS.has(host)) return { kind: 'short', url: url.toString() };
  if (!webHosts.has(host) && !webHosts.has(hostWithPort)) {
    throw badLink(`"${shorten(text)}" is not a Spotify link: it points to ${shorten(url.host, 60)}, not open.spotify.com.`);
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
  return tokens.find((t) => /(?:open|play|embed)\.spotify\.com|spotify\.(?:app\.)?link|spoti\.fi|link\.tospotify\.com|^spotify:[a-z]+:/i.test(t)) ?? trimmed;
}

/** What of the input a message echoes: at most `max` characters (a pasted page can be 10 KB). */
function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface ResolveDeps {
  http: SpotifyHttp;
  /** SPOTIFY_WEB_URL: open.spotify.com short links are fetched from here (a proxy or a test's fake). */
  webUrl: string;
  signal?: AbortSignal;
}

const MAX_HOPS = 5;
/**
 * Short-link hops go out with a curl-like user agent: Branch.io (spotify.link) answers browsers with a
 * 200 interstitial page and command-line clients with the plain redirect.
 */
const HOP_HEADERS = { 'User-Agent': 'curl/8.5.0 (compatible; Crate)', Accept: '*/*' };

/** Parses a link, following short-link redirects (at most five) until a playlist/album/track link appears. */
export async function resolveSpotifyLink(input: string, deps: ResolveDeps): Promise<SpotifyLink> {
  const webHost = new URL(deps.webUrl).host;
  const extraWebHosts = [webHost];
  let parsed = parseSpotifyLink(input, { extraWebHosts });
  for (let hop = 0; parsed.kind === 'short'; hop++) {
    if (hop >= MAX_HOPS) throw badLink('The short link redirects too many times; open it in a browser and paste the final link.');
    const target = rebaseWeb(parsed.url, deps.webUrl);
    const page = await deps.http.getPage(target, { signal: deps.signal, headers: HOP_HEADERS });
    if (page.status >= 300 && page.status < 400 && page.location) {
      parsed = parseRedirectTarget(page.location, target, extraWebHosts);
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

/**
 * A redirect's Location as a link. open.spotify.com/s/… has been seen redirecting with the target
 * percent-encoded (`https%3A%2F%2Fopen.spotify.com%2F…`), or to an app page that carries it in a query
 * parameter: look through the decoded forms before giving up.
 */
function parseRedirectTarget(location: string, base: string, extraWebHosts: string[]): ParsedInput {
  const found = findLinkInPage(location);
  if (found) return parseSpotifyLink(found, { extraWebHosts });
  let absolute: string;
  try {
    absolute = new URL(location, base).toString();
  } catch {
    throw badLink('The short link redirects to an address that is not a link; open it in a browser and paste the final link.');
  }
  return parseSpotifyLink(absolute, { extraWebHosts });
}

/** open.spotify.com/s/… short links go through the configured web base; others are fetched as they are. */
function rebaseWeb(url: string, webUrl: string): string {
  const u = new URL(url);
  if (u.hostname === 'open.spotify.com') return `${webUrl}${u.pathname}${u.search}`;
  return url;
}

/** Pages are read up to this many characters: an interstitial is a few KB, the target is in its head. */
const MAX_PAGE_SCAN = 512 * 1024;
const WEB_LINK = /https?:\/\/open\.spotify\.com\/(?:intl-[a-z-]+\/)?(?:user\/[^/\s"'<>]+\/)?(playlist|album|track)\/([0-9A-Za-z]{22})/;
const URI_LINK = /spotify:(playlist|album|track):([0-9A-Za-z]{22})/;

/**
 * Pure: the target of a short-link interstitial (Branch.io answers browsers with a 200 page). Looks
 * first at `og:url`, then anywhere in the page, each time in the forms the target has been seen in:
 * plain, HTML-entity-escaped, JSON-escaped (`https:\/\/…`, `\u002F`), percent-encoded once or twice,
 * and as a `spotify:` URI. Returns a canonical open.spotify.com link or null.
 */
export function findLinkInPage(html: string): string | null {
  const page = html.length > MAX_PAGE_SCAN ? html.slice(0, MAX_PAGE_SCAN) : html;
  const og = /<meta[^>]+(?:property|name)=["']og:url["'][^>]*>/i.exec(page)?.[0];
  const ogContent = og ? /content=["']([^"']*)["']/i.exec(og)?.[1] : undefined;
  for (const text of ogContent !== undefined ? [ogContent, page] : [page]) {
    for (const form of decodedForms(text)) {
      const web = WEB_LINK.exec(form);
      if (web) return canonicalUrl(web[1] as SourceType, web[2]!);
      const uri = URI_LINK.exec(form);
      if (uri) return canonicalUrl(uri[1] as SourceType, uri[2]!);
    }
  }
  return null;
}

/** The text as it is, then unescaped step by step (each form is tried in order; at most a few copies). */
function decodedForms(text: string): string[] {
  const forms: string[] = [];
  let current = text;
  for (let round = 0; round < 4; round++) {
    if (!forms.includes(current)) forms.push(current);
    const next = percentDecode(unescapeJson(unescapeHtml(current)));
    if (next === current) break;
    current = next;
  }
  return forms;
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, hex: string) => safeCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d{1,7});/g, (_, dec: string) => safeCodePoint(parseInt(dec, 10)))
    .replace(/&(?:amp|quot|apos|lt|gt|sol|colon);/g, (m) => HTML_ENTITIES[m] ?? m);
}

const HTML_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&apos;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&sol;': '/',
  '&colon;': ':',
};

function unescapeJson(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/\\\//g, '/');
}

/** Decodes %XX sequences one level, leaving malformed ones as they are (never throws). */
function percentDecode(s: string): string {
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function safeCodePoint(cp: number): string {
  return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
}
