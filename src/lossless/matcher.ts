/**
 * What the protocol needs from the matcher (src/matching + picker.ts), as one small interface, so
 * the strategies and the reply router depend on decisions rather than on how they are made.
 * `createMatcher()` wires the real functions; tests use the same ones.
 */
import type { TrackInfo } from '../domain/track.js';
import type { DocumentFacts } from '../domain/telegram.js';

export interface RowChoice {
  /** Index into the button texts given, or null when no row qualifies. */
  index: number | null;
  reason: string;
}

export interface FileVerdict {
  ok: boolean;
  reason: string;
}

/** A request waiting for a file, as the attribution sees it. */
export interface FileCandidate {
  key: string;
  track: TrackInfo;
  pickedRow: string | null;
}

export interface ProtocolMatcher {
  /** Chooses a row among the buttons of a bot reply (all buttons, in order; service buttons included). */
  pickRow(track: TrackInfo, buttons: string[], options: { preferredRowText: string | null }): RowChoice;
  /** Checks a document's own facts against the track and the row we picked, before downloading it. */
  verify(track: TrackInfo, pickedRow: string | null, file: DocumentFacts): FileVerdict;
  /**
   * Assigns files to pending requests, globally (never first-come): each file gets at most one
   * request key, each request at most one file; a file that fits nobody gets key null.
   */
  attribute(candidates: FileCandidate[], files: DocumentFacts[]): FileAttribution[];
}

export interface FileAttribution {
  key: string | null;
  /** For a file nobody fits: the request it resembles most (to explain a refusal, never to save it). */
  closest: string | null;
  reason: string;
}
