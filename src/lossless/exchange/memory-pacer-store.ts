/**
 * What the engine's Pacer keeps in SQLite (outgoing actions, the FloodWait end), in memory: a
 * replay is one throw-away exchange, and the real Pacer on virtual time still keeps every gap.
 */
import type { JobStore, OutgoingKind } from '../../engine/ports.js';

export type PacerStore = Pick<JobStore, 'getSetting' | 'setSetting' | 'recordOutgoing' | 'countOutgoingSince' | 'outgoingTimes' | 'restampOutgoing'>;

export class MemoryPacerStore implements PacerStore {
  private readonly settings = new Map<string, string>();
  private readonly outgoing: { kind: OutgoingKind; sentAt: number }[] = [];

  getSetting(key: string): string | null {
    return this.settings.get(key) ?? null;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.settings.delete(key);
    else this.settings.set(key, value);
  }

  recordOutgoing(kind: OutgoingKind, at: number): void {
    this.outgoing.push({ kind, sentAt: at });
  }

  restampOutgoing(kind: OutgoingKind, from: number, to: number): void {
    for (const o of this.outgoing) if (o.kind === kind && o.sentAt === from) o.sentAt = to;
  }

  countOutgoingSince(since: number, kinds?: OutgoingKind[]): number {
    return this.outgoing.filter((o) => o.sentAt >= since && (!kinds || kinds.includes(o.kind))).length;
  }

  outgoingTimes(since: number): { kind: OutgoingKind; sentAt: number }[] {
    return this.outgoing.filter((o) => o.sentAt >= since).sort((a, b) => a.sentAt - b.sentAt);
  }
}
