/**
 * A pacer for protocol tests: lets everything through at once, but records each acquire (kind,
 * track, time) and each FloodWait, so tests can prove that every send was paced first.
 */
import { SafetyStopError } from '../../src/domain/errors.js';
import type { MessagePacer, OutgoingKind, PacerState } from '../../src/engine/ports.js';

export interface PacerCall {
  kind: OutgoingKind;
  trackId: number | undefined;
  at: number;
}

export class FakePacer implements MessagePacer {
  readonly calls: PacerCall[] = [];
  readonly floodWaits: number[] = [];
  /** Messages allowed before `acquire('message')` throws the budget stop (default: no limit). */
  budget = Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(kind: OutgoingKind, options: { signal?: AbortSignal; trackId?: number } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (kind !== 'click' && this.count('message') + this.count('inline') >= this.budget) {
      throw new SafetyStopError('budget', 'daily message budget reached (fake pacer)');
    }
    this.calls.push({ kind, trackId: options.trackId, at: this.now() });
  }

  noteFloodWait(seconds: number): void {
    this.floodWaits.push(seconds);
  }

  state(): PacerState {
    const sent = this.count('message') + this.count('inline');
    return { floodUntil: null, nextMessageAt: this.now(), sentToday: sent, dailyBudget: this.budget, describe: 'ready' };
  }

  count(kind: OutgoingKind): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }
}
