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

export function renderTraktorNml(doc: DjDocument, o: { uuid?: () => string } = {}): string {
  const uuid = o.uuid ?? (() => randomUUID().replace(/-/g, ''));
  const byId = new Map(doc.tracks.map((t) => [t.id, t]));
  const playlistNode = (p: DjDocument['playlists'][number], indent: string) => {
    const keys = p.trackIds.map((id) => byId.get(id)).filter((t): t is DjTrack => t !== undefined);
    return [
      `${indent}<NODE${attrs({ TYPE: 'PLAYLIST', NAME: p.name })}>`,
      `${indent}  <PLAYLIST${attrs({ ENTRIES: keys.length, TYPE: 'LIST', UUID: uuid() })}>`,
      ...keys.map((t) => `${indent}    <ENTRY><PRIMARYKEY${attrs({ TYPE: 'TRACK', KEY: traktorLocation(t.location).key })}></PRIMARYKEY></ENTRY>`),
      `${indent}  </PLAYLIST>`,
      `${indent}</NODE>`,
    ];
  };
  const inner = doc.folder
    ? [
        `        <NODE${attrs({ TYPE: 'FOLDER', NAME: doc.folder })}>`,
        `          <SUBNODES COUNT="${doc.playlists.length}">`,
        ...doc.playlists.flatMap((p) => playlistNode(p, '            ')),
        '          </SUBNODES>',
        '        </NODE>',
      ]
    : doc.playlists.flatMap((p) => playlistNode(p, '        '));
  return `${[
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>',
    '<NML VERSION="19">',
    '  <HEAD COMPANY="www.native-instruments.com" PROGRAM="Traktor"></HEAD>',
    '  <MUSICFOLDERS></MUSICFOLDERS>',
    `  <COLLECTION ENTRIES="${doc.tracks.length}">`,
    ...doc.tracks.map(entryElement),
    '  </COLLECTION>',
    '  <PLAYLISTS>',
    '    <NODE TYPE="FOLDER" NAME="$ROOT">',
    `      <SUBNODES COUNT="${doc.folder ? 1 : doc.playlists.length}">`,
    ...inner,
    '      </SUBNODES>',
    '    </NODE>',
    '  </PLAYLISTS>',
    '</NML>',
  ].join('\n')}\n`;
}
