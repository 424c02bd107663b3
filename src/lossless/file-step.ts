/**
 * The steps both strategies share: calling the gateway (FloodWait goes to the pacer), and the
 * last step — check the document's own facts against the track and the picked row, then download.
 */
import type { Logger } from '../logger.js';
import type { BotMessage, DocumentFacts, TelegramGateway } from '../domain/telegram.js';
import {
  FloodWaitError,
  SafetyStopError,
  SessionExpiredError,
  TelegramUnreachableError,
  TurnLostError,
  errorMessage,
  storageErrorOf,
} from '../domain/errors.js';
import type { AcquireOutcome, AcquireRequest, MessagePacer, OutgoingKind } from '../engine/ports.js';
import type { ProtocolMatcher } from './matcher.js';
import { isReplyTimeout, type Conversation, type Routed } from './reply-router.js';
import { describeDocument, documentLabel } from './protocol.js';
import { parseTrackRow } from './menu-row.js';
import type { TrackInfo } from '../domain/track.js';

export interface StepDeps {
  gateway: TelegramGateway;
  pacer: MessagePacer;
  matcher: ProtocolMatcher;
  logger: Logger;
}

/**
 * Runs what comes between a pacer grant and its send (writing the intent): when it fails, the
 * action will not go out, so the grant is given back at once instead of holding the turn.
 */
export async function beforeSend<T>(pacer: MessagePacer, kind: OutgoingKind, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    pacer.release?.(kind);
    throw err;
  }
}

/** Runs a gateway call; a FloodWait is told to the pacer (so nothing else is sent) and rethrown. */
export async function callGateway<T>(pacer: MessagePacer, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FloodWaitError && !err.alreadyKnown) pacer.noteFloodWait(err.seconds);
    throw err;
  }
}

/** Errors that must reach the engine as they are: they stop more than this track. */
export function isFatal(err: unknown, signal: AbortSignal): boolean {
  return (
    err instanceof FloodWaitError ||
    err instanceof SessionExpiredError ||
    err instanceof SafetyStopError ||
    err instanceof TelegramUnreachableError ||
    // Nothing was sent: the engine has the track ask again at its next turn.
    err instanceof TurnLostError ||
    // A full or read-only disk fails every next download too: the engine pauses the job.
    storageErrorOf(err) !== null ||
    (signal.aborted && (err === signal.reason || (err instanceof Error && err.name === 'AbortError')))
  );
}

export function fileFacts(doc: DocumentFacts, messageId: number): Record<string, unknown> {
  return {
    messageId,
    documentId: doc.id,
    fileName: doc.fileName,
    mimeType: doc.mimeType,
    size: doc.size,
    performer: doc.performer,
    title: doc.title,
    durationSec: doc.durationSec,
  };
}

/** No single track comes near this (a 20-minute 24/192 FLAC is about 600 MB). */
export const MAX_TRACK_BYTES = 1024 * 1024 * 1024;
const AUDIO_MIME = /^audio\/|^application\/octet-stream$/i;

/**
 * A document that cannot be a FLAC track, judged from its facts alone (before any byte is
 * downloaded): not audio by MIME type, a file name that is not .flac, empty, or too big. Returns
 * what it is in words, or null when it may be a track.
 */
export function refuseDocument(doc: DocumentFacts): string | null {
  const name = doc.fileName ?? '';
  const ext = /\.([^./\\]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? null;
  if (doc.mimeType && !AUDIO_MIME.test(doc.mimeType)) return `a ${doc.mimeType} file ("${name || 'no name'}"), not audio`;
  if (ext !== null && ext !== 'flac') return `a .${ext} file ("${name}"), not FLAC`;
  if (doc.size <= 0) return `an empty file ("${name || 'no name'}")`;
  if (doc.size > MAX_TRACK_BYTES) return `a ${Math.round(doc.size / 1024 / 1024)} MB file ("${name || 'no name'}"), too big for one track`;
  return null;
}

/** Verifies the document (before spending bandwidth on it), then downloads it to `request.downloadPath`. */
export async function takeFile(
  deps: StepDeps,
  request: AcquireRequest,
  conv: Conversation,
  message: BotMessage,
): Promise<AcquireOutcome> {
  const doc = message.document;
  if (!doc) return { kind: 'failed', reason: `message ${message.id} has no document`, retryable: true };
  conv.doneWithFiles();
  const pickedRow = conv.pickedRow ?? request.track.pickedRow;
  const receivedFile = fileFacts(doc, message.id);
  await request.record({ fileMessageId: message.id, receivedFile });

  const refused = refuseDocument(doc);
  if (refused) {
    deps.logger.warn({ trackId: request.track.id, file: describeDocument(doc), reason: refused }, 'the bot sent a file that is not a track; not downloaded');
    return { kind: 'mismatch', reason: `the bot sent ${refused}; not downloaded`, pickedRow, receivedFile };
  }
  const verdict = deps.matcher.verify(conv.expected, pickedRow, doc);
  if (!verdict.ok) {
    deps.logger.warn(
      { trackId: request.track.id, pickedRow, file: describeDocument(doc), performer: doc.performer, title: doc.title, reason: verdict.reason },
      'the bot sent a file that is not this track; not downloaded',
    );
    return { kind: 'mismatch', reason: verdict.reason, pickedRow, receivedFile };
  }

  await request.record({ state: 'downloading', fileMessageId: message.id });
  request.signal.throwIfAborted();
  try {
    const result = await callGateway(deps.pacer, () =>
      deps.gateway.downloadDocument(message.id, request.downloadPath, {
        signal: request.signal,
        onProgress: (p) => request.onBytes(p.receivedBytes, p.totalBytes),
        onQueued: (queued) => request.onDownloadQueued?.(queued),
      }),
    );
    return { kind: 'downloaded', path: result.path, sizeBytes: result.sizeBytes, pickedRow, receivedFile };
  } catch (err) {
    if (isFatal(err, request.signal)) throw err;
    deps.logger.warn({ trackId: request.track.id, err: errorMessage(err) }, 'download failed');
    return { kind: 'failed', reason: `download failed: ${errorMessage(err)}`, retryable: true };
  }
}

/**
 * Waits for the file. When it never comes but a file nobody fitted looks most like ours (the bot
 * sent the wrong recording), the track ends as a mismatch naming that file instead of a blind
 * timeout. Such a file is never downloaded.
 */
export async function waitForFile(
  deps: StepDeps,
  request: AcquireRequest,
  conv: Conversation,
  deadline: number,
  now: () => number,
): Promise<Routed | AcquireOutcome> {
  try {
    return await conv.next({ timeoutMs: deadline - now(), signal: request.signal });
  } catch (err) {
    if (!isReplyTimeout(err)) throw err;
    const pickedRow = conv.pickedRow ?? request.track.pickedRow;
    for (const suspect of [...conv.suspects].reverse()) {
      const doc = suspect.document;
      if (!doc) continue;
      const verdict = deps.matcher.verify(conv.expected, pickedRow, doc);
      if (verdict.ok) continue;
      const receivedFile = fileFacts(doc, suspect.id);
      await request.record({ fileMessageId: suspect.id, receivedFile });
      deps.logger.warn({ trackId: request.track.id, pickedRow, file: describeDocument(doc), reason: verdict.reason }, 'only a wrong file came; not downloaded');
      return { kind: 'mismatch', reason: `the bot sent "${documentLabel(doc)}": ${verdict.reason}`, pickedRow, receivedFile };
    }
    throw err;
  }
}

/** A menu row as the recording to expect (the owner chose it by hand: it is the track now). */
export function rowAsTrack(row: string, track: TrackInfo): TrackInfo {
  const parsed = parseTrackRow(row);
  if (!parsed) return track;
  return { ...track, artists: [parsed.artist], title: parsed.title, durationMs: parsed.durationMs, isrc: null, album: null };
}
