/**
 * What the engine's Pacer keeps in SQLite (outgoing actions, the FloodWait end), in memory: a
 * replay is one throw-away exchange, and the real Pacer on virtual time still keeps every gap.
 */
import type { JobStore, OutgoingKind } from '../../engine/ports.js';

export type PacerStore = Pick<JobStore, 'getSetting' | 'setSetting' | 'recordOutgoing' | 'countOutgoingSince' | 'outgoingTimes' | 'markOutgoingSent' | 'withdrawOutgoing'>;

export class MemoryPacerStore implements PacerStore {
  private readonly settings = new Map<string, string>();
  /** A withdrawn grant stays in place as `gone` (ids are indices) and is left out of every answer. */
  private readonly outgoing: { kind: OutgoingKind; sentAt: number; pending: boolean; gone?: true }[] = [];

  getSetting(key: string): string | null {
    return this.settings.get(key) ?? null;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.settings.delete(key);
    else this.settings.set(key, value);
  }

  /** Returns the row's index as its id (one process, no other writer). */
  recordOutgoing(kind: OutgoingKind, at: number, _trackId?: number, options: { pending?: boolean } = {}): number {
    return this.outgoing.push({ kind, sentAt: at, pending: options.pending ?? false }) - 1;
  }

  markOutgoingSent(id: number, at: number): boolean {
    const o = this.outgoing[id];
    if (!o?.pending || o.gone) return false;
    o.sentAt = Math.max(o.sentAt, at);
    o.pending = false;
    return true;
  }

  withdrawOutgoing(id: number): boolean {
    const o = this.outgoing[id];
    if (!o?.pending || o.gone) return false;
    o.gone = true;
    return true;
  }

  countOutgoingSince(since: number, kinds?: OutgoingKind[], options: { pendingSince?: number } = {}): number {
    const pendingSince = options.pendingSince;
    return this.outgoing.filter(
      (o) => !o.gone && o.sentAt >= since && (!kinds || kinds.includes(o.kind)) && (pendingSince === undefined || !o.pending || o.sentAt >= pendingSince),
    ).length;
  }

  outgoingTimes(since: number): { kind: OutgoingKind; sentAt: number }[] {
    return this.outgoing
      .filter((o) => !o.gone && o.sentAt >= since)
      .map(({ kind, sentAt }) => ({ kind, sentAt }))
      .sort((a, b) => a.sentAt - b.sentAt);
  }
}
