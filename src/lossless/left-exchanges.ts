/**
 * Exchanges a track left unfinished in this process (Pause, a FloodWait stop, a retry): the
 * messages it owned and the late menu expected for it. When the same track is asked again while
 * the router lives on, its new conversation takes them over — the menu that came during the pause
 * is its answer, not "a late menu of a request that gave up" (which would make Crate ask again and
 * the bot answer twice).
 */
export interface LeftExchange {
  /** Messages the closed conversation owned, and late answers that came for it afterwards. */
  ids: Set<number>;
  /** The ghost standing in for its unanswered request, if any (see ReplyRouter.release). */
  ghost: object | null;
}

const MAX_LEFT = 500;

export class LeftExchanges {
  private readonly byTrack = new Map<number, LeftExchange>();
  private readonly trackOfGhost = new WeakMap<object, number>();

  leave(trackId: number, ids: Iterable<number>, ghost: object | null): void {
    const entry = this.byTrack.get(trackId) ?? { ids: new Set<number>(), ghost: null };
    for (const id of ids) entry.ids.add(id);
    entry.ghost = ghost;
    if (ghost) this.trackOfGhost.set(ghost, trackId);
    this.byTrack.delete(trackId);
    this.byTrack.set(trackId, entry);
    if (this.byTrack.size > MAX_LEFT) this.byTrack.delete(this.byTrack.keys().next().value!);
  }

  /** A late answer matched this ghost: it belongs to the ghost's track, should it come back. */
  lateAnswer(ghost: object, messageId: number): void {
    const trackId = this.trackOfGhost.get(ghost);
    if (trackId !== undefined) this.byTrack.get(trackId)?.ids.add(messageId);
  }

  /** The track is asked again: what it left, handed over once. */
  takeBack(trackId: number): LeftExchange | null {
    const entry = this.byTrack.get(trackId) ?? null;
    this.byTrack.delete(trackId);
    return entry;
  }
}
