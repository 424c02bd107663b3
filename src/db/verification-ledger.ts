/** The `verifications` table behind the library's VerificationLedger (see src/library/verify/ledger.ts). */
import { eq } from 'drizzle-orm';
import type { VerificationLedger } from '../library/verify/ledger.js';
import type { CrateDb } from './open.js';
import { verifications } from './schema.js';

export class DrizzleVerificationLedger implements VerificationLedger {
  constructor(
    private readonly db: CrateDb,
    private readonly now: () => number = Date.now,
  ) {}

  begin(trackId: number, file: string): { unfinishedBefore: number; firstStartedAt: number } {
    const at = this.now();
    return this.db.transaction((tx) => {
      const row = tx.select().from(verifications).where(eq(verifications.trackId, trackId)).get();
      if (!row) {
        tx.insert(verifications).values({ trackId, file, attempts: 1, firstStartedAt: at, lastStartedAt: at }).run();
        return { unfinishedBefore: 0, firstStartedAt: at };
      }
      tx.update(verifications).set({ file, attempts: row.attempts + 1, lastStartedAt: at }).where(eq(verifications.trackId, trackId)).run();
      return { unfinishedBefore: row.attempts, firstStartedAt: row.firstStartedAt };
    });
  }

  end(trackId: number): void {
    this.db.delete(verifications).where(eq(verifications.trackId, trackId)).run();
  }
}
