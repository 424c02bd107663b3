/**
 * Pure: the public embed page's HTML → what it lists. Spotify has served this page in more than one
 * shape (other tools broke on each switch), so each is read, newest first:
 *   1. `<script id="__NEXT_DATA__">` JSON: props.pageProps.state.data.entity.trackList (today);
 *   2. `<script id="resource">` base64 JSON: a Web API–like playlist object (`tracks.items[].track`, `tracks.total`);
 *   3. `<script id="initial-state">` base64 JSON: `entities.items["spotify:playlist:ID"]` in the same Web API shape.
 * Every input is bounded before it is decoded: the page is a few hundred KB at most.
 */

import { get, isObject } from './json-shape.js';

/** Longest page accepted (the real one is ~150–400 KB for 100 tracks). */
export const MAX_EMBED_PAGE_CHARS = 8 * 1024 * 1024;
const MAX_ROWS = 10_000;

export type EmbedRowKind = 'track' | 'episode' | 'local' | 'other';

export interface EmbedTrack {
  uri: string | null;
  title: string;
  artists: string[];
  durationMs: number | null;
  /** What the row is: podcast episodes and local files are not downloadable music. */
  entityType: EmbedRowKind;
  /** False when the page says the track cannot be played (region, licence): it is listed but flagged. */
  playable: boolean;
}

export type EmbedPage =
  | {
      kind: 'found';
      type: string;
      id: string | null;
      name: string;
      tracks: EmbedTrack[];
      /** The real number of rows when the page says so (the older shapes carry `tracks.total`). */
      total: number | null;
      /** Which page shape was read. */
      shape: 'next-data' | 'resource' | 'initial-state';
      /** The page's anonymous access token (state.settings.session.accessToken), for the opt-in web backend. */
      anonymousToken: string | null;
    }
  | { kind: 'not_found'; status: number | null };

export class EmbedPageChangedError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`The Spotify embed page has changed: ${detail}`, options);
    this.name = 'EmbedPageChangedError';
  }
}

export function parseEmbedPage(html: string): EmbedPage {
  if (html.length > MAX_EMBED_PAGE_CHARS) throw new EmbedPageChangedError(`the page is ${html.length} characters long`);
  const next = scriptText(html, '__NEXT_DATA__');
  if (next !== null) return fromNextData(parseJson(next, '__NEXT_DATA__'));
  const resource = scriptText(html, 'resource');
  if (resource !== null) return fromWebApiPlaylist(parseBase64Json(resource, 'resource'), 'resource');
  const initial = scriptText(html, 'initial-state');
  if (initial !== null) {
    const state = parseBase64Json(initial, 'initial-state');
    const items = get(state, 'entities', 'items');
    const entity = isObject(items) ? Object.entries(items).find(([k]) => /^spotify:(playlist|album):/.test(k))?.[1] : undefined;
    if (!isObject(entity)) return { kind: 'not_found', status: null };
    return fromWebApiPlaylist(entity, 'initial-state');
  }
  throw new EmbedPageChangedError('no __NEXT_DATA__, resource or initial-state script found');
}

function fromNextData(data: unknown): EmbedPage {
  const pageProps = get(data, 'props', 'pageProps');
  const entity = get(pageProps, 'state', 'data', 'entity');
  if (!isObject(entity)) {
    const status = get(pageProps, 'status');
    return { kind: 'not_found', status: typeof status === 'number' ? status : null };
  }
  const list = entity.trackList;
  if (!Array.isArray(list)) throw new EmbedPageChangedError('the entity has no trackList');
  const tracks = list
    .slice(0, MAX_ROWS)
    .filter(isObject)
    .map(
      (t): EmbedTrack => ({
        uri: typeof t.uri === 'string' ? t.uri : null,
        title: typeof t.title === 'string' ? t.title : '',
        artists: artistsOf(t),
        durationMs: typeof t.duration === 'number' ? t.duration : null,
        entityType: rowKind(t.entityType, t.uri),
        playable: t.isPlayable !== false,
      }),
    );
  const token = get(pageProps, 'state', 'settings', 'session', 'accessToken');
  const total = numberOr(entity.trackCount) ?? numberOr(get(entity, 'tracks', 'totalCount'));
  return {
    kind: 'found',
    type: typeof entity.type === 'string' ? entity.type : 'playlist',
    id: typeof entity.id === 'string' ? entity.id : null,
    name: typeof entity.name === 'string' ? entity.name : typeof entity.title === 'string' ? entity.title : '',
    tracks,
    total,
    shape: 'next-data',
    anonymousToken: typeof token === 'string' && token.length <= 4096 ? token : null,
  };
}

/** The older shapes: `{ name, id, type, tracks: { total, items: [{ track: { name, uri, duration_ms, artists } }] } }`. */
function fromWebApiPlaylist(entity: unknown, shape: 'resource' | 'initial-state'): EmbedPage {
  if (!isObject(entity)) throw new EmbedPageChangedError(`the ${shape} script is not an object`);
  const page = isObject(entity.tracks) ? entity.tracks : isObject(entity.items) ? entity.items : null;
  const items = page && Array.isArray(page.items) ? page.items : null;
  if (!items) throw new EmbedPageChangedError(`the ${shape} script has no track list`);
  const tracks = items
    .slice(0, MAX_ROWS)
    .filter(isObject)
    .map((row): EmbedTrack => {
      const t = isObject(row.track) ? row.track : isObject(row.item) ? row.item : row;
      const uri = typeof t.uri === 'string' ? t.uri : null;
      const local = row.is_local === true || t.is_local === true;
      return {
        uri,
        title: typeof t.name === 'string' ? t.name : '',
        artists: Array.isArray(t.artists) ? t.artists.map((a) => (isObject(a) && typeof a.name === 'string' ? a.name : '')).filter((n) => n !== '') : [],
        durationMs: numberOr(t.duration_ms),
        entityType: local ? 'local' : rowKind(t.type, uri),
        playable: t.is_playable !== false,
      };
    });
  return {
    kind: 'found',
    type: typeof entity.type === 'string' ? entity.type : 'playlist',
    id: typeof entity.id === 'string' ? entity.id : null,
    name: typeof entity.name === 'string' ? entity.name : '',
    tracks,
    total: page ? numberOr(page.total) : null,
    shape,
    anonymousToken: null,
  };
}

/** A row's kind from its declared type, or (older shape, no `entityType`) from its URI. */
function rowKind(declared: unknown, uri: unknown): EmbedRowKind {
  const u = typeof uri === 'string' ? uri : '';
  if (u.startsWith('spotify:local:')) return 'local';
  if (u.startsWith('spotify:episode:')) return 'episode';
  if (declared === 'track' || (declared === undefined && (u === '' || u.startsWith('spotify:track:')))) return 'track';
  if (declared === 'episode') return 'episode';
  return declared === undefined ? 'track' : 'other';
}

/**
 * `artists: [{name}]` when present. Otherwise the subtitle, which the real page joins with ",\u00a0"
 * (comma + no-break space): split there only, so "Tyler, The Creator" (an ordinary space) stays one
 * artist. A subtitle without any no-break space is taken as the older ", " join.
 */
export function artistsOf(t: Record<string, unknown>): string[] {
  if (Array.isArray(t.artists)) {
    const names = t.artists.map((a) => (isObject(a) && typeof a.name === 'string' ? a.name : '')).filter((n) => n !== '');
    if (names.length > 0) return names;
  }
  if (typeof t.subtitle !== 'string') return [];
  const subtitle = t.subtitle.slice(0, 2000);
  const parts = subtitle.includes('\u00a0') ? subtitle.split(/,\u00a0/) : subtitle.split(/\s*,\s+/);
  return parts.map((s) => s.replace(/\u00a0/g, ' ').trim()).filter((s) => s !== '');
}

function scriptText(html: string, id: string): string | null {
  const re = new RegExp(`<script[^>]*\\bid=["']${id}["'][^>]*>([\\s\\S]*?)</script>`);
  const m = re.exec(html);
  return m && m[1] !== undefined ? m[1] : null;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EmbedPageChangedError(`${what} is not JSON`, { cause: err });
  }
}

function parseBase64Json(text: string, what: string): unknown {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=_-]*$/.test(compact)) throw new EmbedPageChangedError(`${what} is not base64`);
  return parseJson(Buffer.from(compact, 'base64').toString('utf8'), what);
}

function numberOr(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}
