/**
 * "A verification of this track's file is under way", written to SQLite before it starts and
 * cleared when it ends. If Crate dies during a verification the record stays, and the next start
 * knows. Since verification runs in a limited worker, a file can no longer take the process down by
 * itself, so a death during it is most likely unrelated (a kill, a power cut, an OOM of the whole
 * machine): the file is verified again, twice, and only when a third attempt does not finish either is
 * it quarantined with the reason instead of being tried on every restart. (Timeouts and memory limits
 * are verdicts, not deaths: those files are quarantined at once and never re-run.)
 */
export interface VerificationLedger {
  /** Records the start; returns how many earlier attempts for this track never finished. */
  begin(trackId: number, file: string): { unfinishedBefore: number; firstStartedAt: number };
  /** The attempt ended (with any verdict). */
  end(trackId: number): void;
}

/** Attempts that may be cut short before the file is quarantined without another try. */
export const MAX_UNFINISHED_VERIFICATIONS = 3;
