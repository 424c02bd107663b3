/**
 * Traktor's NML (VERSION="19", Traktor Pro 3/4): COLLECTION of ENTRY elements with LOCATION
 * (VOLUME, DIR "/:a/:b/:", FILE), and PLAYLISTS with a $ROOT folder whose playlist nodes list
 * PRIMARYKEY TYPE="TRACK" KEY="VOLUME/:dir/:file". Traktor imports it with Import Playlist. Pure.
 */
import { randomUUID } from 'node:crypto';
import { bitRateKbps, type DjDocument, type DjTrack } from './dj-track.js';
import { traktorLocation } from './locate.js';
import { attrs } from './xml-text.js';

/** Traktor writes dates as yyyy/m/d. */
function traktorDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
}

function releaseDate(t: DjTrack): string | null {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(t.releaseDate ?? '');
  if (m) return `${m[1]}/${Number(m[2] ?? 1)}/${Number(m[3] ?? 1)}`;
  return t.year !== null ? `${t.year}/1/1` : null;
}

function entryElement(t: DjTrack): string {
  const loc = traktorLocation(t.location);
  const kbps = bitRateKbps(t);
  return [
    `    <ENTRY${attrs({ MODIFIED_DATE: traktorDate(t.addedAt), TITLE: t.title, ARTIST: t.artists.join(', ') })}>`,
    `      <LOCATION${attrs({ DIR: loc.dir, FILE: loc.file, VOLUME: loc.volume, VOLUMEID: loc.volume })}></LOCATION>`,
    `      <ALBUM${attrs({ TRACK: t.trackNumber, TITLE: t.album })}></ALBUM>`,
    `      <INFO${attrs({
      BITRATE: kbps !== null ? kbps * 1000 : null,
      PLAYTIME: t.durationMs !== null ? Math.round(t.durationMs / 1000) : null,
      PLAYTIME_FLOAT: t.durationMs !== null ? (t.durationMs / 1000).toFixed(6) : null,
      IMPORT_DATE: traktorDate(t.addedAt),
      RELEASE_DATE: releaseDate(t),
      FILESIZE: t.sizeBytes !== null ? Math.ceil(t.sizeBytes / 1024) : null,
      COMMENT: t.isrc ? `ISRC ${t.isrc}` : null,
    })}></INFO>`,
    '    </ENTRY>',
  ].join('\n');
}

/** The document line by line (a whole library is tens of thousands of lines: never one string). */
export function* traktorNmlLines(doc: DjDocument, o: { uuid?: () => string } = {}): Generator<string> {
  const uuid = o.uuid ?? (() => randomUUID().replace(/-/g, ''));
  const byId = new Map(doc.tracks.map((t) => [t.id, t]));
  function* playlistNode(p: DjDocument['playlists'][number], indent: string): Generator<string> {
    const keys = p.trackIds.map((id) => byId.get(id)).filter((t): t is DjTrack => t !== undefined);
    yield `${indent}<NODE${attrs({ TYPE: 'PLAYLIST', NAME: p.name })}>`;
    yield `${indent}  <PLAYLIST${attrs({ ENTRIES: keys.length, TYPE: 'LIST', UUID: uuid() })}>`;
    for (const t of keys) yield `${indent}    <ENTRY><PRIMARYKEY${attrs({ TYPE: 'TRACK', KEY: traktorLocation(t.location).key })}></PRIMARYKEY></ENTRY>`;
    yield `${indent}  </PLAYLIST>`;
    yield `${indent}</NODE>`;
  }
  yield '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>';
  yield '<NML VERSION="19">';
  yield '  <HEAD COMPANY="www.native-instruments.com" PROGRAM="Traktor"></HEAD>';
  yield '  <MUSICFOLDERS></MUSICFOLDERS>';
  yield `  <COLLECTION ENTRIES="${doc.tracks.length}">`;
  for (const t of doc.tracks) yield entryElement(t);
  yield '  </COLLECTION>';
  yield '  <PLAYLISTS>';
  yield '    <NODE TYPE="FOLDER" NAME="$ROOT">';
  yield `      <SUBNODES COUNT="${doc.folder ? 1 : doc.playlists.length}">`;
  if (doc.folder) {
    yield `        <NODE${attrs({ TYPE: 'FOLDER', NAME: doc.folder })}>`;
    yield `          <SUBNODES COUNT="${doc.playlists.length}">`;
    for (const p of doc.playlists) yield* playlistNode(p, '            ');
    yield '          </SUBNODES>';
    yield '        </NODE>';
  } else {
    for (const p of doc.playlists) yield* playlistNode(p, '        ');
  }
  yield '      </SUBNODES>';
  yield '    </NODE>';
  yield '  </PLAYLISTS>';
  yield '</NML>';
}
