/**
 * The real matcher behind the protocol: the picker (picker.ts), file verification and global file
 * attribution (src/matching; `explainAttribution` is what `attributeFiles` runs, plus the reasons). Only shapes are converted here; every decision is theirs, so the
 * product and `crate debug match` judge alike.
 */
import type { DocumentFacts } from '../domain/telegram.js';
import type { TrackInfo } from '../domain/track.js';
import { explainAttribution } from '../matching/attribute.js';
import type { FileFacts, IncomingFile, PendingRequest, RequestedTrack } from '../matching/types.js';
import { verifyFile } from '../matching/verify.js';
import type { ProtocolMatcher } from './matcher.js';
import { pickMenuRow } from './picker.js';

export function createMatcher(): ProtocolMatcher {
  return {
    pickRow: (track, buttons, { preferredRowText }) => pickMenuRow(requested(track, 'track'), buttons, { preferredRowText }),
    verify: (track, pickedRow, file) => {
      const verdict = verifyFile(requested(track, 'track'), pickedRow, fileFacts(file));
      return verdict.ok ? { ok: true, reason: 'file matches' } : { ok: false, reason: verdict.reason };
    },
    attribute: (candidates, files) => {
      const requests: PendingRequest[] = candidates.map((c) => ({ ...requested(c.track, c.key), pickedRow: c.pickedRow }));
      // Document ids are unique per file; the index keeps two copies of one document apart.
      const incoming: IncomingFile[] = files.map((f, i) => ({ id: `${i}:${f.id}`, ...fileFacts(f) }));
      const explained = explainAttribution(requests, incoming, { closest: true });
      return incoming.map((f) => {
        const a = explained.find((x) => x.fileId === f.id);
        return { key: a?.requestId ?? null, closest: a?.closest?.requestId ?? null, reason: a?.reason ?? 'not judged' };
      });
    },
  };
}

function requested(track: TrackInfo, id: string): RequestedTrack {
  return { id, artists: track.artists, title: track.title, album: track.album, durationMs: track.durationMs, isrc: track.isrc };
}

/** What Telegram tells of a document before it is downloaded. */
export function fileFacts(doc: DocumentFacts): FileFacts {
  return {
    fileName: doc.fileName,
    artist: doc.performer,
    title: doc.title,
    durationMs: doc.durationSec === null ? null : doc.durationSec * 1000,
  };
}
