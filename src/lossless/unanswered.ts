/**
 * Replies Crate could not read, told to the owner instead of retried in silence. A reply that is
 * not a menu, a quality menu, a file or a known notice is waited out (its edit may still make it
 * one); when the same such reply ends the attempts of N tracks in a row, the bot has most likely
 * changed, and every further request would spend a message for nothing: the job pauses and the
 * owner gets the bot's reply verbatim with what Crate was waiting for.
 */
import { SafetyStopError } from '../domain/errors.js';
import type { BotMessage } from '../domain/telegram.js';
import { orderedButtons } from './protocol.js';

/** Bounds of what we quote back to the owner (a Telegram message holds 4096 characters). */
const QUOTE_TEXT_CHARS = 600;
const QUOTE_BUTTONS = 12;

export const DEFAULT_UNKNOWN_REPLY_LIMIT = 3;

/** The bot's message as the owner should see it: its text, its buttons (row/column, links), its media. */
export function verbatim(message: BotMessage): string {
  const text = message.text.trim();
  const parts = [text ? `text «${clip(text, QUOTE_TEXT_CHARS)}»` : 'no text'];
  const buttons = orderedButtons(message);
  if (buttons.length > 0) {
    const shown = buttons
      .slice(0, QUOTE_BUTTONS)
      .map((b) => `[${clip(b.text, 64)}${b.url ? ` → ${clip(b.url, 120)}` : ''}] (row ${b.row + 1}, column ${b.column + 1})`);
    if (buttons.length > QUOTE_BUTTONS) shown.push(`…and ${buttons.length - QUOTE_BUTTONS} more`);
    parts.push(`buttons ${shown.join(', ')}`);
  } else {
    parts.push('no buttons');
  }
  parts.push(message.document ? `media: document "${clip(message.document.fileName ?? 'no name', 120)}" (${message.document.mimeType ?? 'no type'})` : `media: ${message.media}`);
  return parts.join('; ');
}

/** A reply's identity for "the same reply again": its words and button labels, digits and case ignored. */
export function replySignature(message: BotMessage): string {
  const labels = orderedButtons(message).map((b) => b.text);
  return [message.media, message.text, ...labels]
    .join('|')
    .toLowerCase()
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}

export interface UnansweredNote {
  trackId: number;
  message: BotMessage;
  /** What Crate was waiting for, in words ("the search results for …"). */
  waitingFor: string;
}

/**
 * Counts tracks in a row whose attempt ended on the same unreadable reply. Any other ending (a
 * file, a menu followed, not found…) resets the count.
 */
export class UnansweredReplies {
  private streak: { signature: string; tracks: Set<number> } | null = null;
  private readonly flagged = new Set<number>();

  constructor(private readonly limit: number = DEFAULT_UNKNOWN_REPLY_LIMIT) {}

  /** Call when an attempt starts. */
  begin(trackId: number): void {
    this.flagged.delete(trackId);
  }

  /**
   * The attempt ends on this reply. Throws the pause (SafetyStopError 'unknown_reply') once the
   * same reply ended `limit` tracks in a row; otherwise returns the one-line reason for the track.
   */
  note({ trackId, message, waitingFor }: UnansweredNote): string {
    this.flagged.add(trackId);
    const signature = replySignature(message);
    if (!this.streak || this.streak.signature !== signature) this.streak = { signature, tracks: new Set() };
    this.streak.tracks.add(trackId);
    const seen = verbatim(message);
    if (this.streak.tracks.size >= this.limit) {
      const count = this.streak.tracks.size;
      this.streak = null;
      throw new SafetyStopError(
        'unknown_reply',
        `@LosslessRobot gave ${count} tracks in a row a reply Crate cannot read, so the job is paused instead of asking again. ` +
          `Its last reply, verbatim: ${seen}. Crate was waiting for ${waitingFor}. ` +
          'Open the bot chat to see what it wants; if the bot changed, `crate probe` records an exchange for a bug report. Resume to try again.',
      );
    }
    return `the bot answered with a reply Crate cannot read (${seen}) while Crate waited for ${waitingFor}`;
  }

  /** Call when an attempt ends with an outcome: an ending that was not noted above breaks the streak. */
  end(trackId: number): void {
    if (!this.flagged.delete(trackId)) this.streak = null;
  }

  /** The attempt was cut short (a stop, an abort): it says nothing about the bot either way. */
  abandon(trackId: number): void {
    this.flagged.delete(trackId);
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
