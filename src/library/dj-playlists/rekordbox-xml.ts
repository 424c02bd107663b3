/**
 * Rekordbox XML ("rekordbox xml format", Pioneer DJ, xml_format_list.pdf): DJ_PLAYLISTS
 * Version="1.0.0" with PRODUCT, COLLECTION (one TRACK per file, Location a file://localhost/ URI)
 * and PLAYLISTS (a ROOT folder node, playlist nodes with KeyType="0" listing TrackIDs). Rekordbox
 * reads it under Preferences → Advanced → Database → rekordbox xml. Pure.
 */
import { bitRateKbps, kindOf, type DjDocument, type DjTrack } from './dj-track.js';
import { rekordboxLocation } from './locate.js';
import { attrs } from './xml-text.js';

export interface RekordboxOptions {
  productVersion?: string;
  /** Format of the DateAdded attribute: yyyy-mm-dd in the Pioneer document. */
  today?: number;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function trackElement(t: DjTrack): string {
  const kind = kindOf(t.location);
  return `    <TRACK${attrs({
    TrackID: t.id,
    Name: t.title,
    Artist: t.artists.join(', '),
    Album: t.album ?? '',
    Genre: '',
    Kind: kind ? `${kind} File` : null,
    Size: t.sizeBytes,
    TotalTime: t.durationMs !== null ? Math.round(t.durationMs / 1000) : null,
    DiscNumber: t.discNumber,
    TrackNumber: t.trackNumber,
    Year: t.year,
    DateAdded: day(t.addedAt),
    BitRate: bitRateKbps(t),
    SampleRate: t.sampleRate,
    Comments: t.isrc ? `ISRC ${t.isrc}` : null,
    Location: rekordboxLocation(t.location),
  })}/>`;
}

/** The document line by line (a whole library is tens of thousands of lines: never one string). */
export function* rekordboxXmlLines(doc: DjDocument, o: RekordboxOptions = {}): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>';
  yield '<DJ_PLAYLISTS Version="1.0.0">';
  yield `  <PRODUCT${attrs({ Name: 'Crate', Version: o.productVersion ?? '0.1.0', Company: 'Crate' })}/>`;
  yield `  <COLLECTION Entries="${doc.tracks.length}">`;
  for (const t of doc.tracks) yield trackElement(t);
  yield '  </COLLECTION>';
  yield '  <PLAYLISTS>';
  function* playlistNodes(indent: string): Generator<string> {
    for (const p of doc.playlists) {
      yield `${indent}<NODE${attrs({ Name: p.name, Type: 1, KeyType: 0, Entries: p.trackIds.length })}>`;
      for (const id of p.trackIds) yield `${indent}  <TRACK Key="${id}"/>`;
      yield `${indent}</NODE>`;
    }
  }
  if (doc.folder) {
    yield `    <NODE Type="0" Name="ROOT" Count="1">`;
    yield `      <NODE${attrs({ Name: doc.folder, Type: 0, Count: doc.playlists.length })}>`;
    yield* playlistNodes('        ');
    yield '      </NODE>';
    yield '    </NODE>';
  } else {
    yield `    <NODE Type="0" Name="ROOT" Count="${doc.playlists.length}">`;
    yield* playlistNodes('      ');
    yield '    </NODE>';
  }
  yield '  </PLAYLISTS>';
  yield '</DJ_PLAYLISTS>';
}
