/**
 * Checks a Rekordbox XML against the structure Pioneer publishes ("rekordbox xml format",
 * xml_format_list.pdf) and a Traktor NML against the VERSION 19 layout, after parsing it back with
 * fast-xml-parser (a well-kept parser, pinned): required elements and attributes, counts that agree,
 * playlist keys that point at collection entries, and files that exist on disk.
 */
import { existsSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, isArray: (name) => ['TRACK', 'NODE', 'ENTRY'].includes(name) });

const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v === undefined ? [] : [v as Node]);

export interface RekordboxRead {
  tracks: { id: string; name: string; artist: string; location: string; path: string; attrs: Node }[];
  playlists: { name: string; keys: string[] }[];
  folders: string[];
}

/** file://localhost/<percent-encoded path> → the path. */
export function pathOfLocation(location: string): string {
  expect(location.startsWith('file://localhost/')).toBe(true);
  return decodeURIComponent(location.slice('file://localhost'.length));
}

export function validateRekordbox(xml: string, options: { filesExist?: boolean } = {}): RekordboxRead {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const doc = parser.parse(xml) as Node;
  const root = doc.DJ_PLAYLISTS as Node;
  expect(root['@Version']).toBe('1.0.0');
  const product = root.PRODUCT as Node;
  for (const a of ['@Name', '@Version', '@Company']) expect(typeof product[a]).toBe('string');
  const collection = root.COLLECTION as Node;
  const tracks = arr(collection.TRACK);
  expect(Number(collection['@Entries'])).toBe(tracks.length);
  const ids = new Set<string>();
  const out: RekordboxRead = { tracks: [], playlists: [], folders: [] };
  for (const t of tracks) {
    for (const a of ['@TrackID', '@Name', '@Artist', '@Album', '@Genre', '@Kind', '@TotalTime', '@DateAdded', '@BitRate', '@SampleRate', '@Location']) {
      expect(t[a], `TRACK ${String(t['@TrackID'])} ${a}`).toBeDefined();
    }
    expect(String(t['@TrackID'])).toMatch(/^\d+$/);
    expect(ids.has(String(t['@TrackID']))).toBe(false);
    ids.add(String(t['@TrackID']));
    expect(String(t['@Kind'])).toMatch(/^(FLAC|AIFF|WAV) File$/);
    expect(String(t['@TotalTime'])).toMatch(/^\d+$/);
    expect(String(t['@DateAdded'])).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(String(t['@SampleRate'])).toMatch(/^\d+$/);
    const location = String(t['@Location']);
    expect(location).not.toMatch(/[ #?]/); // percent-encoded
    const file = pathOfLocation(location);
    if (options.filesExist !== false) expect(existsSync(file), `Location ${location} exists`).toBe(true);
    out.tracks.push({ id: String(t['@TrackID']), name: String(t['@Name']), artist: String(t['@Artist']), location, path: file, attrs: t });
  }
  const playlists = root.PLAYLISTS as Node;
  const top = arr(playlists.NODE);
  expect(top).toHaveLength(1);
  expect(top[0]!['@Type']).toBe('0');
  expect(top[0]!['@Name']).toBe('ROOT');
  const walk = (node: Node) => {
    const children = arr(node.NODE);
    if (node['@Type'] === '0') {
      expect(Number(node['@Count'])).toBe(children.length);
      if (node['@Name'] !== 'ROOT') out.folders.push(String(node['@Name']));
      children.forEach(walk);
      return;
    }
    expect(node['@Type']).toBe('1');
    expect(node['@KeyType']).toBe('0');
    const keys = arr(node.TRACK).map((k) => String(k['@Key']));
    expect(Number(node['@Entries'])).toBe(keys.length);
    for (const k of keys) expect(ids.has(k), `playlist key ${k} is a TrackID`).toBe(true);
    out.playlists.push({ name: String(node['@Name']), keys });
  };
  walk(top[0]!);
  return out;
}

export interface NmlRead {
  entries: { key: string; path: string; title: string; artist: string }[];
  playlists: { name: string; keys: string[] }[];
}

export function validateNml(xml: string, options: { filesExist?: boolean; volumeRoot?: (volume: string) => string } = {}): NmlRead {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as Node;
  const nml = doc.NML as Node;
  expect(nml['@VERSION']).toBe('19');
  expect((nml.HEAD as Node)['@PROGRAM']).toBe('Traktor');
  const collection = nml.COLLECTION as Node;
  const entries = arr(collection.ENTRY);
  expect(Number(collection['@ENTRIES'])).toBe(entries.length);
  const out: NmlRead = { entries: [], playlists: [] };
  const keys = new Set<string>();
  for (const e of entries) {
    const loc = e.LOCATION as Node;
    const dir = String(loc['@DIR']);
    expect(dir).toMatch(/^\/:(?:[^/]+\/:)*$/);
    const file = String(loc['@FILE']);
    const volume = String(loc['@VOLUME'] ?? '');
    const key = `${volume}${dir}${file}`;
    const fsPath = (options.volumeRoot?.(volume) ?? '') + dir.replace(/\/:/g, '/') + file;
    if (options.filesExist !== false) expect(existsSync(fsPath), `NML entry ${fsPath} exists`).toBe(true);
    keys.add(key);
    expect(e.INFO).toBeDefined();
    out.entries.push({ key, path: fsPath, title: String(e['@TITLE']), artist: String(e['@ARTIST']) });
  }
  const root = arr((nml.PLAYLISTS as Node).NODE);
  expect(root).toHaveLength(1);
  expect(root[0]!['@TYPE']).toBe('FOLDER');
  expect(root[0]!['@NAME']).toBe('$ROOT');
  const walk = (node: Node) => {
    if (node['@TYPE'] === 'FOLDER') {
      const sub = node.SUBNODES as Node;
      const children = arr(sub.NODE);
      expect(Number(sub['@COUNT'])).toBe(children.length);
      children.forEach(walk);
      return;
    }
    expect(node['@TYPE']).toBe('PLAYLIST');
    const pl = node.PLAYLIST as Node;
    expect(pl['@TYPE']).toBe('LIST');
    const list = arr(pl.ENTRY).map((en) => {
      const pk = en.PRIMARYKEY as Node;
      expect(pk['@TYPE']).toBe('TRACK');
      return String(pk['@KEY']);
    });
    expect(Number(pl['@ENTRIES'])).toBe(list.length);
    for (const k of list) expect(keys.has(k), `NML playlist key ${k} is a collection entry`).toBe(true);
    out.playlists.push({ name: String(node['@NAME']), keys: list });
  };
  walk(root[0]!);
  return out;
}
