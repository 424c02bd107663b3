/**
 * The owner may use the bot by hand in the same chat while a job runs. Crate knows the ids of the
 * messages it sent; an outgoing message it did not send (seen live or by polling) is the owner's
 * own request. The bot answers requests in order, so such a request takes its place in line like
 * a Crate request: the reply it gets — and every later edit of that reply — never feeds a track.
 */
import type { BotMessage } from '../domain/telegram.js';
import type { TrackInfo } from '../domain/track.js';
import { parseTrackRow } from './menu-row.js';

export interface ForeignRequest {
  id: number;
  /** What the owner asked for, as far as the text tells (for menus: whose track the rows are about). */
  track: TrackInfo;
  seq: number;
  expiresAt: number;
}

const SENT_LIMIT = 5000;
const FOREIGN_LIMIT = 20;
const FOREIGN_OWNED_LIMIT = 500;

export class OwnMessages {
  /** Ids of messages Crate sent (requests, inline results, /start). */
  private readonly sent = new Set<number>();
  /** Sends on their way (id not known yet): the text, or null for an inline result. */
  private readonly inFlight = new Map<string, string | null>();
  private foreign: ForeignRequest[] = [];
  /** Bot messages that answered the owner's own requests: their edits are not ours either. */
  private readonly foreignOwned = new Set<number>();

  constructor(private readonly startedAt: () => number) {}

  noteSent(id: number): void {
    this.sent.add(id);
    if (this.sent.size > SENT_LIMIT) this.sent.delete(this.sent.values().next().value!);
  }

  sending(key: string, text: string | null): void {
    this.inFlight.set(key, text);
  }

  sendingDone(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * An outgoing message: true when it is the owner's own (not sent by Crate, not one of our sends
   * still on its way, and written since this process started — older ones are earlier runs' own).
   */
  noteOutgoing(message: BotMessage, seq: () => number, expiresAt: number): boolean {
    if (this.sent.has(message.id)) return false;
    for (const text of this.inFlight.values()) if (text === null || text.trim() === message.text.trim()) return false;
    if (message.date * 1000 < this.startedAt()) return false;
    if (this.foreign.some((f) => f.id === message.id)) return true;
    this.foreign.push({ id: message.id, track: requestedTrack(message.text), seq: seq(), expiresAt });
    if (this.foreign.length > FOREIGN_LIMIT) this.foreign.shift();
    return true;
  }

  /** The owner's requests still waiting for their answer, older than `messageId`, oldest first. */
  waiting(messageId: number, now: number): ForeignRequest[] {
    this.foreign = this.foreign.filter((f) => f.expiresAt > now);
    return this.foreign.filter((f) => f.id < messageId).sort((a, b) => a.seq - b.seq);
  }

  isForeignRequest(id: number): boolean {
    return this.foreign.some((f) => f.id === id);
  }

  /** `reply` answered the owner's request `request` (null: quoted, request unknown). */
  answered(request: ForeignRequest | null, reply: number): void {
    if (request) this.foreign = this.foreign.filter((f) => f !== request);
    this.foreignOwned.add(reply);
    if (this.foreignOwned.size > FOREIGN_OWNED_LIMIT) this.foreignOwned.delete(this.foreignOwned.values().next().value!);
  }

  isForeignReply(id: number): boolean {
    return this.foreignOwned.has(id);
  }

  sizes(): Record<string, number> {
    return { ownSent: this.sent.size, foreignRequests: this.foreign.length, foreignReplies: this.foreignOwned.size, sendsInFlight: this.inFlight.size };
  }
}

/** "Artist - Title" typed by the owner, as a track for relatedness; a link or free words tell nothing. */
function requestedTrack(text: string): TrackInfo {
  const row = parseTrackRow(text.slice(0, 300));
  return {
    position: 0,
    spotifyId: null,
    artists: row ? [row.artist] : [],
    title: row ? row.title : '',
    album: null,
    durationMs: null,
    isrc: null,
    releaseYear: null,
  };
}
