import type { TrackProgressPatch } from './ports.js';

/**
 * A track that will be asked for again forgets its previous exchange with the bot, so the next
 * attempt neither reads stale replies as its own nor adopts an old request. One definition, so a
 * new breadcrumb in the track row is cleared everywhere a track is queued again.
 */
export const FORGET_EXCHANGE = {
  requestMessageId: null,
  menuMessageId: null,
  pickedRow: null,
  fileMessageId: null,
  sendingAfterId: null,
} as const satisfies TrackProgressPatch;
