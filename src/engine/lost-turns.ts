/**
 * How many turns in a row each track lost to the pacer (a TurnLostError: nothing was sent). Such
 * a loss is not the track's failure, so it asks again without spending an attempt — but only a
 * few times in a row: a process that is held up at every send (a disk that stalls each time)
 * would otherwise ask again forever, so past the limit the loss counts as an attempt after all.
 */
export class LostTurns {
  private readonly counts = new Map<number, number>();

  constructor(private readonly limit = 3) {}

  /** Notes a lost turn; true while the track may ask again for free. */
  forgive(trackId: number): boolean {
    const lost = (this.counts.get(trackId) ?? 0) + 1;
    if (lost > this.limit) {
      this.counts.delete(trackId);
      return false;
    }
    this.counts.set(trackId, lost);
    return true;
  }

  /** The track's attempt reached an outcome: its next lost turn starts a new count. */
  clear(trackId: number): void {
    this.counts.delete(trackId);
  }
}
