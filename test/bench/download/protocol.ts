/** Messages between the download bench (download.ts) and its two processes, over Node's IPC channel. */

/** Orchestrator → Telegram side. */
export type TelegramSideCommand = { type: 'deliver' } | { type: 'stats' };
/** Telegram side → orchestrator. */
export type TelegramSideReply =
  | { type: 'listening'; ports: Record<string, number>; session: string; botUsername: string }
  | { type: 'delivered'; messageId: number; size: number }
  | { type: 'stats'; lastPartBytes: number };

/** Orchestrator → Crate side. */
export type CrateSideCommand =
  | { type: 'start'; ports: Record<string, number>; session: string }
  | { type: 'download'; botUsername: string; messageId: number; targetPath: string }
  | { type: 'downloadMedia'; sliceBytes: number; targetPath: string }
  | { type: 'quit' };
/** Crate side → orchestrator. */
export type CrateSideReply =
  | { type: 'ready' }
  | { type: 'downloaded'; seconds: number; bytes: number; baselineRss: number; peakRss: number; peakFrom: 'download' | 'process start' }
  | { type: 'downloadMedia'; seconds: number; bytes: number };
