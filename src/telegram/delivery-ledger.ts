import { createHash } from 'node:crypto';
import type { BotMessage } from '../domain/telegram.js';

/**
 * Remembers which bot-chat messages (and which versions of them) were already handed to
 * subscribers, so events and polling together deliver each message once and each edit once.
 * A version is the edit date plus a digest of what a reader sees (text, buttons, media): Telegram's
 * edit dates are whole seconds, and a bot can edit a message twice within one.
 * Pure bookkeeping: no I/O, no GramJS.
 */
export type Decision = 'new' | 'edited' | 'skip';

interface Version {
  editDate: number;
  digest: string;
}

const MAX_ENTRIES = 5_000;
const PRUNE_COUNT = 1_000;

export function versionOf(message: BotMessage): Version {
  const visible = JSON.stringify([
    message.text,
    message.media,
    message.document?.id ?? null,
    message.buttons.map((b) => [b.text, b.data, b.url]),
  ]);
  return { editDate: message.editDate ?? 0, digest: createHash('sha1').update(visible).digest('base64') };
}

export class DeliveryLedger {
  private readonly known = new Map<number, Version>();
  /** Unknown messages at or below this id are old news when polling finds them (baseline, pruned). */
  private silentFloor = 0;
  /** Highest id a poll has read: the next poll walks back at least to here. */
  pollCursor = 0;

  reset(): void {
    this.known.clear();
    this.silentFloor = 0;
    this.pollCursor = 0;
  }

  /** What the chat held before we started listening: recorded, never delivered. */
  baseline(messages: BotMessage[]): void {
    for (const m of messages) {
      this.known.set(m.id, versionOf(m));
      this.silentFloor = Math.max(this.silentFloor, m.id);
      this.pollCursor = Math.max(this.pollCursor, m.id);
    }
    this.prune();
  }

  /** Our own sent message: known, so polling does not report it as new. */
  record(message: BotMessage): void {
    this.known.set(message.id, versionOf(message));
    this.prune();
  }

  /** A NewMessage event. */
  seenNew(message: BotMessage): Decision {
    return this.decide(message, 'new');
  }

  /** An EditedMessage event: an edit is news even for a message we never saw new. */
  seenEdit(message: BotMessage): Decision {
    return this.decide(message, 'edited');
  }

  /** A message read by polling; unknown ones at or below the silent floor are old news. */
  seenPolled(message: BotMessage): Decision {
    this.pollCursor = Math.max(this.pollCursor, message.id);
    if (!this.known.has(message.id) && message.id <= this.silentFloor) {
      this.record(message);
      return 'skip';
    }
    return this.decide(message, 'new');
  }

  private decide(message: BotMessage, ifUnknown: 'new' | 'edited'): Decision {
    const previous = this.known.get(message.id);
    const version = versionOf(message);
    if (previous === undefined) {
      this.record(message);
      return ifUnknown;
    }
    // An older version arriving late (an event after a poll saw a newer one) is not news.
    if (version.editDate < previous.editDate || version.digest === previous.digest) return 'skip';
    this.known.set(message.id, version);
    return 'edited';
  }

  private prune(): void {
    if (this.known.size <= MAX_ENTRIES) return;
    const oldest = [...this.known.keys()].sort((a, b) => a - b).slice(0, PRUNE_COUNT);
    for (const id of oldest) this.known.delete(id);
    this.silentFloor = Math.max(this.silentFloor, oldest[oldest.length - 1] ?? 0);
  }
}
