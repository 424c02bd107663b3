/**
 * Shared state of one `npm run chaos` run, passed to every chaos module: the pacing evidence
 * (the simulator's own action log, i.e. what the external bot saw) collected from each check,
 * so pacing.ts can prove the gap over all of them.
 */
import type { SimAction } from '../fakes/simulated-lossless/core.js';

export interface FloodWindow {
  /** Simulator time (ms) of the refused action. */
  at: number;
  seconds: number;
}

export interface PacingRecord {
  /** Which check produced it, e.g. "kill-resume" or "faults/flood-30s". */
  source: string;
  /** The simulator's action log (`bot.actions()`), times on the simulator's clock. */
  actions: SimAction[];
  /** FloodWaits the simulator imposed (nothing may be sent for `seconds` after `at`). */
  floods: FloodWindow[];
  /** The configured gap the run used, in ms (>= 2000). */
  gapMs: number;
  /**
   * Simulator ms per real ms when the check scaled time (1 = real time, Infinity = a virtual
   * clock). Gaps are compared on the simulator's clock, which is the clock the pacer also used.
   */
  timeScale?: number;
}

export interface ChaosContext {
  recordPacing(record: PacingRecord): void;
  pacingRecords(): PacingRecord[];
}

export function createChaosContext(): ChaosContext {
  const records: PacingRecord[] = [];
  return {
    recordPacing: (record) => void records.push(record),
    pacingRecords: () => [...records],
  };
}
