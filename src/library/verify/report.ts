/** What verifying one file found: plain data, the same for the library, `crate verify` and its JSON. */
import type { FlacTags } from '../scan.js';

/** Why a file was refused (or could not be looked at). */
export type RejectKind =
  /** Not FLAC at all (no signature, impossible metadata). */
  | 'not_flac'
  /** The audio stops before STREAMINFO's end, or the last frame is cut. */
  | 'truncated'
  /** A length field beyond our bounds (comment bomb, giant picture…): refused before parsing it. */
  | 'over_limit'
  /** Decoding found broken frames, or the decoded audio does not match STREAMINFO's MD5. */
  | 'damaged'
  /** The check took longer than its time limit (it was stopped). */
  | 'timeout'
  /** The check needed more memory than its limit (the worker was stopped). */
  | 'memory'
  /** The verification worker died without an answer. */
  | 'crashed'
  /** An earlier verification of this file never finished (Crate stopped during it): not run again. */
  | 'interrupted'
  /** The file cannot be opened (missing, permissions). */
  | 'unreadable';

export interface AudioFileFacts {
  format: 'FLAC';
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
  durationMs: number | null;
  totalSamples: number;
  sizeBytes: number;
  /** STREAMINFO's MD5 of the decoded audio (hex), or null when the encoder left it unset. */
  md5: string | null;
  pictures: number;
  tags: FlacTags;
}

/** What the deep check (decoding the whole file) said. */
export type DeepOutcome =
  /** Every frame decoded and the audio's MD5 equals STREAMINFO's. */
  | 'md5_match'
  /** Every frame decoded (CRCs good), but the file carries no MD5 to compare with. */
  | 'decoded_no_md5'
  | 'failed'
  /** Not asked for, or not reached (the file was refused earlier). */
  | 'not_run'
  /** Asked for but no decoder is installed. */
  | 'unavailable';

export interface VerifyReport {
  file: string;
  verdict: 'ok' | 'rejected';
  kind: RejectKind | null;
  reason: string | null;
  /** Known when the structure could be read (also for some rejected files, e.g. damaged audio). */
  facts: AudioFileFacts | null;
  deep: DeepOutcome;
  elapsedMs: number;
}

/** The structural check's answer from the worker (before any deep check). */
export type Inspection = { ok: true; facts: AudioFileFacts } | { ok: false; kind: RejectKind; reason: string };
