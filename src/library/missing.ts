/**
 * Which playlist tracks are not in a folder yet, judged from the FLACs' own tags and names with
 * the matcher's rules (src/matching: ISRC first, then title, artist, version and length, file
 * names when tags are missing), and which FLACs there the playlist does not know.
 *
 * The matcher's all-pairs attribution is O(n³); a library has thousands of files, so pairs are
 * only judged where they can match: same ISRC, or same normalised title key. Whatever is left on
 * both sides is compared all-pairs when that stays small (cut-off file names, one-letter slips).
 */
import { assess, fileSide, requestSide, type RequestSide, type TrackSide } from '../matching/compare.js';
import { judgeFile } from '../matching/file-rules.js';
import type { FileFacts } from '../matching/types.js';
import { stat } from 'node:fs/promises';
import { UserError } from '../domain/errors.js';
import type { TrackInfo } from '../domain/track.js';
import { scanFolder, type ScanOptions, type ScannedFile } from './scan.js';

export interface PresentTrack {
  track: TrackInfo;
  file: ScannedFile;
  /** What matched: the ISRC, the tags (artist/title/length) or, without tags, the file name. */
  by: 'isrc' | 'tags' | 'file name';
  reason: string;
}

export interface MissingReport {
  present: PresentTrack[];
  /** Playlist tracks with no file, in playlist order. */
  missing: TrackInfo[];
  /** Readable FLACs in the folder that no playlist track claims. */
  extra: ScannedFile[];
  /** Files that are not usable (not FLAC, truncated): their tracks count as missing. */
  unreadable: ScannedFile[];
}

/** All-pairs comparison of the leftovers only below this many pairs (a few ms each 10k). */
const LEFTOVER_PAIR_LIMIT = 250_000;

export function factsOf(file: ScannedFile): FileFacts {
  const name = file.path.replace(/^.*[\\/]/, '');
  const t = file.tags;
  return {
    fileName: name,
    artist: t?.artist ?? null,
    title: t?.title ?? null,
    album: t?.album ?? null,
    isrc: t?.isrc ?? null,
    durationMs: t?.durationMs ?? null,
  };
}

/** Pure: playlist tracks + scanned files → present / missing / extra. */
export function findMissing(tracks: TrackInfo[], files: ScannedFile[]): MissingReport {
  const usable = files.filter((f) => f.error === null);
  const unreadable = files.filter((f) => f.error !== null);
  const reqs = tracks.map((t) =>
    requestSide({ id: String(t.position), artists: t.artists, title: t.title, album: t.album, durationMs: t.durationMs, isrc: t.isrc }),
  );
  const sides = usable.map((f) => fileSide(factsOf(f)));

  type Pair = { t: number; f: number; score: number; reason: string };
  const pairs: Pair[] = [];
  const judged = new Set<string>();
  const judge = (t: number, f: number) => {
    const key = `${t}:${f}`;
    if (judged.has(key)) return;
    judged.add(key);
    const side = sides[f] as TrackSide;
    if (!side.title && !side.isrc) return;
    const j = judgeFile(assess(reqs[t] as RequestSide, side));
    if (j.ok) pairs.push({ t, f, score: j.score, reason: j.reason });
  };

  const byIsrc = groupBy(sides, (s) => s.isrc);
  const byKey = groupBy(sides, (s) => s.title?.key ?? null);
  reqs.forEach((r, t) => {
    for (const f of (r.isrc ? byIsrc.get(r.isrc) : undefined) ?? []) judge(t, f);
    for (const f of byKey.get(r.title.key) ?? []) judge(t, f);
  });

  const takenT = new Set<number>();
  const takenF = new Set<number>();
  const present: PresentTrack[] = [];
  const assign = (list: Pair[]) => {
    // Highest score first: an ISRC match (1000+) beats any tag match; ties keep playlist order.
    list.sort((a, b) => b.score - a.score || a.t - b.t || a.f - b.f);
    for (const p of list) {
      if (takenT.has(p.t) || takenF.has(p.f)) continue;
      takenT.add(p.t);
      takenF.add(p.f);
      const file = usable[p.f] as ScannedFile;
      const by = p.reason === 'same ISRC' ? 'isrc' : file.tags?.title ? 'tags' : 'file name';
      present.push({ track: tracks[p.t] as TrackInfo, file, by, reason: p.reason });
    }
  };
  assign(pairs);

  const leftT = reqs.map((_, t) => t).filter((t) => !takenT.has(t));
  const leftF = sides.map((_, f) => f).filter((f) => !takenF.has(f));
  if (leftT.length > 0 && leftF.length > 0 && leftT.length * leftF.length <= LEFTOVER_PAIR_LIMIT) {
    const before = pairs.length;
    for (const t of leftT) for (const f of leftF) judge(t, f);
    assign(pairs.slice(before));
  }

  present.sort((a, b) => a.track.position - b.track.position);
  return {
    present,
    missing: tracks.filter((_, t) => !takenT.has(t)),
    extra: usable.filter((_, f) => !takenF.has(f)),
    unreadable,
  };
}

function groupBy<T>(items: T[], key: (item: T) => string | null): Map<string, number[]> {
  const map = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === null || k === '') return;
    const list = map.get(k);
    if (list) list.push(i);
    else map.set(k, [i]);
  });
  return map;
}

export interface FolderCheck extends MissingReport {
  dir: string;
  /** False when the folder does not exist yet (then every track is missing). */
  exists: boolean;
  scanned: number;
  cacheHits: number;
}

/** Scans `dir` (tags cached by path+size+mtime) and compares it with the tracks. */
export async function checkFolder(tracks: TrackInfo[], dir: string, options: ScanOptions = {}): Promise<FolderCheck> {
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  if (!st) return { ...findMissing(tracks, []), dir, exists: false, scanned: 0, cacheHits: 0 };
  if (!st.isDirectory()) throw new UserError(`${dir} is not a folder.`, 'Give the folder that holds the FLAC files with --dir.');
  const { files, cacheHits } = await scanFolder(dir, options);
  return { ...findMissing(tracks, files), dir, exists: true, scanned: files.length, cacheHits };
}
