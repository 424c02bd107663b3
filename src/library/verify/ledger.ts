/**
 * "A verification of this track's file is under way", written to SQLite before it starts and
 * cleared when it ends. If Crate dies during a verification the record stays, and the next start
 * knows. Since verification runs in a limited worker, a file can no longer take the process down by
 * itself, so a death during it is most likely unrelated (a kill, a power cut): the file is verified
 * once more, and if that attempt does not finish either, it is quarantined with the reason instead of
 * being tried on every restart.
 */
export interface VerificationLedger {
  /** Records the start; returns how many earlier attempts for this track never finished. */
  begin(trackId: number, file: string): { unfinishedBefore: number; firstStartedAt: number };
  /** The attempt ended (with any verdict). */
  end(trackId: number): void;
}

/** Attempts that may be cut short before the file is quarantined without another try. */
export const MAX_UNFINISHED_VERIFICATIONS = 2;
