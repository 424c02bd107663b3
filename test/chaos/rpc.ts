/**
 * The IPC protocol between a chaos child (the Crate process that gets SIGKILLed) and the parent
 * that hosts the simulated @LosslessRobot. Messages go over child_process.fork's channel with
 * `serialization: 'advanced'`, so Buffers and plain objects pass as they are.
 */
import type { BotMessage } from '../../src/domain/telegram.js';

/** Gateway methods the parent serves, plus the child's checkpoints (where a kill may land). */
export type RpcMethod =
  | 'status'
  | 'resolveBot'
  | 'sendText'
  | 'clickButton'
  | 'inlineQuery'
  | 'sendInlineResult'
  | 'history'
  | 'getMessages'
  | 'documentBytes'
  | 'checkpoint';

export interface RpcCall {
  t: 'call';
  id: number;
  method: RpcMethod;
  args: unknown[];
}

export type RpcError = { kind: 'flood'; seconds: number } | { kind: 'error'; message: string };

export type ParentMessage =
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: RpcError }
  | { t: 'event'; message: BotMessage; kind: 'new' | 'edited' };

/** Checkpoints the child reports (and waits on) so the parent can kill at an exact step. */
export type CheckpointName =
  /** The downloader renamed `.part` to the download path; the library has not touched it yet. */
  | 'downloaded'
  /** The library verified the file and is about to link it to its final name. */
  | 'link'
  /** The final name exists (hard link); the download path is about to be unlinked. */
  | 'unlink'
  /** The download path is gone, only the final name is left; the track's row does not say so yet. */
  | 'unlinked';

export interface CheckpointDetail {
  /** The file the step is about (the download path in `.crate-partial`). */
  path: string;
  /** The other name (link target), if any. */
  other?: string;
  documentId?: string;
}
