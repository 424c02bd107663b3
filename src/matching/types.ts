/**
 * Plain inputs of the matcher. They mirror the `crate-match-eval/1` shapes (requests, files with
 * tags, menu buttons) so the product and `crate debug match` feed the same functions.
 */

/** The Spotify side: what the owner asked for. */
export interface RequestedTrack {
  id: string;
  artists: string[];
  title: string;
  album?: string | null;
  durationMs?: number | null;
  isrc?: string | null;
}

/**
 * A request still waiting for its file. `pickedRow` is the menu row clicked for it (if any): the
 * file may carry that row's artist (an alias such as Mr. Fingers for Larry Heard).
 */
export interface PendingRequest extends RequestedTrack {
  pickedRow?: string | null;
}

/**
 * What is known of a received file: its name and whatever tags exist (Telegram's
 * DocumentAttributeAudio before download, Vorbis comments and STREAMINFO after). Any may be missing.
 */
export interface FileFacts {
  fileName?: string | null;
  artist?: string | null;
  title?: string | null;
  album?: string | null;
  isrc?: string | null;
  durationMs?: number | null;
}

export interface IncomingFile extends FileFacts {
  id: string;
}

/** fileId → requestId, or null when the file answers none of the pending requests. */
export type Assignments = Record<string, string | null>;
