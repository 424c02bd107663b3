import { MIN_MESSAGE_GAP_SECONDS } from '../config.js';
import { FloodWaitError, SafetyStopError, TurnLostError } from '../domain/errors.js';
import { abortError } from './clock.js';
import type { Clock, JobStore, MessagePacer, OutgoingKind, PacerState } from './ports.js';

export interface PacerOptions {
  store: Pick<
    JobStore,
    | 'getSetting'
    | 'setSetting'
    | 'recordOutgoing'
    | 'countOutgoingSince'
    | 'outgoingTimes'
    | 'markOutgoingSent'
    | 'withdrawOutgoing'
    | 'recentOutgoing'
    | 'exclusive'
  >;
  clock: Clock;
  /** Gap between messages (and inline queries) to the bot; raised to the 2 s floor whatever is passed. */
  messageGapSeconds: number;
  /** Gap between button clicks; never below 1 s. Smaller than the message gap so clicks don't slow the message cadence. */
  clickGapSeconds?: number;
  /** Messages (and inline queries) allowed in any 24 h; clicks are not counted. */
  dailyBudget: number;
  /** Largest random extra added to each gap, as a share of it (default 0.02, at most 1 s). */
  jitterRatio?: number;
  /** No two actions of any kind closer than this (default 250 ms). */
  minSpacingMs?: number;
  random?: () => number;
  /** Told once per FloodWait when a caller has to wait for it (for `pacer_waiting` events). */
  onWait?: (seconds: number, reason: string, until: number) => void;
  /** This process's id on its grants (default process.pid): another process's pending grant blocks the lane. */
  pid?: number;
  /** Is the process with this id alive on this machine (default: signal 0)? A dead one's grant is withdrawn at once. */
  processAlive?: (pid: number) => boolean;
  /** How long another live process's grant may stay on its way before it is withdrawn (default GRANT_HOLD_MS). */
  grantHoldMs?: number;
}

export const MIN_CLICK_GAP_SECONDS = 1;
const DAY_MS = 24 * 60 * 60 * 1000;
const FLOOD_KEY = 'pacer.floodUntil';
/** Kinds that count as "a message" for the gap and the daily budget. */
const MESSAGE_KINDS: OutgoingKind[] = ['message', 'inline'];
/**
 * Added to the message gap: between the grant (restamped when the call starts) and Telegram's
 * clock the message still crosses the client's queue and the network, a few ms here, more there.
 * Measured at the bot, two messages are then never closer than the configured gap.
 */
export const TRANSIT_MARGIN_MS = 50;
/** Telegram's number is a minimum; a second more keeps us off the edge. */
const FLOOD_MARGIN_MS = 1000;
/**
 * How long a grant of a live process that has not gone out yet is taken as on its way. Normally
 * `sending` follows the grant within milliseconds; a grant older than this was abandoned (or its
 * process is stuck): the next process to ask withdraws it, so it stops blocking and stops counting
 * toward the daily budget, and its own late `sending` then refuses to send. A dead process's grant
 * is withdrawn at once, and a caller that gives up says so (`release`).
 */
export const GRANT_HOLD_MS = 30_000;
/** How often a caller looks again while another process's grant is on its way. */
const FOREIGN_GRANT_POLL_MS = 25;

type OutgoingRow = { id?: number; kind: OutgoingKind; sentAt: number; pending?: boolean; pid?: number | null };

type Lane = 'message' | 'click';

interface Grant {
  kind: OutgoingKind;
  at: number;
  id: number;
}

const MAX_OPEN_GRANTS = 16;

type FloodSettings = Pick<JobStore, 'getSetting' | 'setSetting'>;

/** Until when (epoch ms) Telegram asked this account to wait, as stored: 0 when no wait was recorded. */
export function persistedFloodUntil(store: Pick<JobStore, 'getSetting'>): number {
  const v = Number(store.getSetting(FLOOD_KEY) ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/**
 * Records a FloodWait of `seconds` from `now` (plus a margin), keeping a longer one in force. The
 * pacer holds every send until then; other callers (the Telegram side's ResolveUsername) honour
 * and add to the same record, so a wait outlives a restart whoever was told it.
 */
export function recordFloodWait(store: FloodSettings, now: number, seconds: number): void {
  const until = now + Math.max(0, seconds) * 1000 + FLOOD_MARGIN_MS;
  if (until > persistedFloodUntil(store)) store.setSetting(FLOOD_KEY, String(Math.ceil(until)));
}

/**
 * The one gate for every action sent to the external bot. Everything it knows is in the store
 * (the `outgoing` table and the FloodWait end), so a restart never sends a burst: the gap is
 * measured from the last real send, and a FloodWait still running is still honoured.
 *
 * Callers of the same lane are served first come, first served; the check and the record of a
 * send happen in one SQLite write transaction (BEGIN IMMEDIATE), so no two callers, not even in
 * two processes on one database, can both pass one slot. A grant is recorded as pending until its
 * caller says it is going out (`sending`): another process waits for it rather than counting the
 * gap from the grant, and the daily budget counts only what left.
 */
export class Pacer implements MessagePacer {
  messageGapMs: number;
  readonly clickGapMs: number;
  private jitterMaxMessage: number;
  private readonly jitterMaxClick: number;
  private readonly minSpacingMs: number;
  private readonly random: () => number;
  private readonly tails: Record<Lane, Promise<void>> = { message: Promise.resolve(), click: Promise.resolve() };
  private readonly jitter: Record<Lane, number>;
  private notifiedFloodUntil = 0;
  /**
   * Each lane's grants in the order given, until their callers say the action is going out
   * (`sending`) or will not (`release`). Usually one; a caller held up past the next turn leaves two.
   */
  private readonly granted: Record<Lane, Grant[]> = { message: [], click: [] };
  private readonly processAlive: (pid: number) => boolean;
  private readonly grantHoldMs: number;
  private readonly pid: number;
  /** When each lane's last action really went out (also for stores that cannot restamp). */
  private readonly lastOut: Record<Lane, number> = { message: -Infinity, click: -Infinity };

  constructor(private readonly o: PacerOptions) {
    const gap = Number.isFinite(o.messageGapSeconds) ? o.messageGapSeconds : 0;
    this.messageGapMs = Math.max(MIN_MESSAGE_GAP_SECONDS, gap) * 1000;
    const click = o.clickGapSeconds ?? MIN_CLICK_GAP_SECONDS;
    this.clickGapMs = Math.max(MIN_CLICK_GAP_SECONDS, Number.isFinite(click) ? click : 0) * 1000;
    const ratio = Math.max(0, o.jitterRatio ?? 0.02);
    this.jitterMaxMessage = Math.min(1000, this.messageGapMs * ratio);
    this.jitterMaxClick = Math.min(1000, this.clickGapMs * ratio);
    this.minSpacingMs = Math.max(0, o.minSpacingMs ?? 250);
    this.random = o.random ?? Math.random;
    this.pid = o.pid ?? process.pid;
    this.processAlive = o.processAlive ?? isProcessAlive;
    this.grantHoldMs = Math.max(0, o.grantHoldMs ?? GRANT_HOLD_MS);
    this.jitter = { message: this.drawJitter('message'), click: this.drawJitter('click') };
  }

  /** The owner changed the gap (/settings): applies from the next send; the 2 s floor still holds. */
  setMessageGap(seconds: number): void {
    const gap = Number.isFinite(seconds) ? seconds : 0;
    this.messageGapMs = Math.max(MIN_MESSAGE_GAP_SECONDS, gap) * 1000;
    this.jitterMaxMessage = Math.min(1000, this.messageGapMs * Math.max(0, this.o.jitterRatio ?? 0.02));
    this.jitter.message = this.drawJitter('message');
  }

  async acquire(kind: OutgoingKind, options: { signal?: AbortSignal; trackId?: number } = {}): Promise<void> {
    const lane: Lane = kind === 'click' ? 'click' : 'message';
    const before = this.tails[lane];
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.tails[lane] = before.then(() => mine);
    try {
      await untilSettledOrAborted(before, options.signal);
      await this.waitTurn(kind, lane, options.signal, options.trackId);
    } finally {
      release();
    }
  }

  sending(kind: OutgoingKind): void {
    const lane: Lane = kind === 'click' ? 'click' : 'message';
    const { store, clock } = this.o;
    let now = clock.now();
    const { grant, lost } = this.takeGrant(lane, kind, now);
    // A FloodWait Telegram gave another request after this turn was granted: nothing leaves until it is over.
    const flood = this.floodUntil();
    if (flood > now) {
      if (grant) store.withdrawOutgoing?.(grant.id);
      throw new FloodWaitError(Math.ceil((flood - now) / 1000), `Not sent to the bot: Telegram asked to wait ${formatSeconds(flood - now)} after this turn was given`, { alreadyKnown: true });
    }
    if (!grant && lost) {
      throw new TurnLostError(`Not sent to the bot: held up ${formatSeconds(now - lost.at)} between its turn and the send; the turn was given up.`);
    }
    // The last word in this process: a caller held up between its turn and the send (a slow disk,
    // a busy event loop) may find the next turn already gone out; sending now would put two
    // actions closer than the gap at Telegram. Its turn is lost instead (the track tries again).
    const sinceLast = now - this.lastOut[lane];
    const minimum = lane === 'message' ? this.messageGapMs : this.clickGapMs;
    if (sinceLast < minimum) {
      if (grant) store.withdrawOutgoing?.(grant.id);
      throw new TurnLostError(
        `Not sent to the bot: held up ${formatSeconds(now - (grant?.at ?? now))} between its turn and the send, and the previous ${lane === 'click' ? 'button press' : 'message'} went out ${formatSeconds(sinceLast)} ago (the gap is ${formatSeconds(minimum)}).`,
      );
    }
    if (grant && store.markOutgoingSent) {
      // One transaction, timed once it holds the write lock (waiting for it is not "sent" yet):
      // either it is still our grant and now counts as sent, or another process withdrew it or
      // granted after it (we were held up past the hold, or looked dead to it) and may be sending
      // right now: then nothing goes out from here, or two messages could leave closer than the gap.
      const ours = this.exclusive(() => {
        now = clock.now();
        return store.markOutgoingSent!(grant.id, now);
      });
      if (!ours) {
        throw new TurnLostError(
          `Not sent to the bot: this process was held up ${formatSeconds(now - grant.at)} between its turn and the send, and another Crate process on this account took the turn meanwhile.`,
        );
      }
    }
    this.lastOut[lane] = Math.max(this.lastOut[lane], now);
  }

  /** The granted action will not go out after all: its slot is given back at once (to every process). */
  release(kind: OutgoingKind): void {
    const lane: Lane = kind === 'click' ? 'click' : 'message';
    const { grant } = this.takeGrant(lane, kind, this.o.clock.now());
    if (grant) this.o.store.withdrawOutgoing?.(grant.id);
  }

  /**
   * The oldest grant of this kind still waiting for its send (callers send in the order they were
   * served). Grants older than the hold were abandoned — their caller vanished or was stuck — and
   * are given up first (`lost`: the newest such of this kind), so a late caller cannot use another's turn.
   */
  private takeGrant(lane: Lane, kind: OutgoingKind, now: number): { grant: Grant | null; lost: Grant | null } {
    const list = this.granted[lane];
    let lost: Grant | null = null;
    for (let i = list.length - 1; i >= 0; i--) {
      const g = list[i]!;
      if (now - g.at < this.grantHoldMs) continue;
      list.splice(i, 1);
      this.o.store.withdrawOutgoing?.(g.id);
      if (g.kind === kind && (!lost || g.at > lost.at)) lost = g;
    }
    const i = list.findIndex((g) => g.kind === kind);
    return { grant: i < 0 ? null : list.splice(i, 1)[0]!, lost };
  }

  noteFloodWait(seconds: number): void {
    recordFloodWait(this.o.store, this.o.clock.now(), seconds);
  }

  state(): PacerState {
    const now = this.o.clock.now();
    const flood = this.floodUntil();
    const floodUntil = flood > now ? flood : null;
    const recent = this.recent(now);
    const nextMessageAt = Math.max(now, flood, this.earliest('message', recent, now));
    const sentToday = this.sentToday(now);
    const dailyBudget = this.o.dailyBudget;
    let describe: string;
    if (floodUntil !== null) describe = `waiting ${formatSeconds(floodUntil - now)}: Telegram flood limit`;
    else if (sentToday >= dailyBudget) describe = `daily message budget spent (${sentToday}/${dailyBudget}); ${this.budgetHint(now)}`;
    else if (nextMessageAt > now) describe = `next message in ${formatSeconds(nextMessageAt - now)} (gap ${this.messageGapMs / 1000} s)`;
    else describe = 'ready';
    return { floodUntil, nextMessageAt, sentToday, dailyBudget, describe };
  }

  private async waitTurn(kind: OutgoingKind, lane: Lane, signal: AbortSignal | undefined, trackId: number | undefined): Promise<void> {
    const { clock } = this.o;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = clock.now();
      const wait = this.exclusive(() => this.tryGrant(kind, lane, now, trackId));
      if (wait === null) return;
      if (wait.flood) {
        const flood = now + wait.ms;
        if (flood > this.notifiedFloodUntil) {
          this.notifiedFloodUntil = flood;
          this.o.onWait?.(Math.ceil(wait.ms / 1000), 'Telegram flood limit', flood);
        }
      }
      await clock.sleep(wait.ms, signal);
    }
  }

  /**
   * One check-and-record, inside the write transaction: records the grant and returns null, or
   * says how long to wait. Throws the budget stop (nothing is written then).
   */
  private tryGrant(kind: OutgoingKind, lane: Lane, now: number, trackId: number | undefined): { ms: number; flood: boolean } | null {
    const flood = this.floodUntil();
    if (flood > now) return { ms: flood - now, flood: true };
    // First, so a withdrawn grant no longer counts toward the budget either.
    const rows = this.withdrawStale(this.recent(now), now);
    if (lane === 'message') {
      const sent = this.sentToday(now);
      if (sent >= this.o.dailyBudget) {
        throw new SafetyStopError(
          'budget',
          `Daily message budget reached (${sent}/${this.o.dailyBudget} in 24 h); ${this.budgetHint(now)}. Raise DAILY_MESSAGE_BUDGET only if you accept the risk to your account.`,
        );
      }
    }
    const earliest = this.earliest(lane, rows, now);
    if (earliest > now) return { ms: earliest - now, flood: false };
    const id = this.o.store.recordOutgoing(kind, now, trackId, { pending: true, pid: this.pid });
    this.granted[lane].push({ kind, at: now, id });
    // Grants whose callers vanished without a word (a fake, a bug) must not pile up.
    if (this.granted[lane].length > MAX_OPEN_GRANTS) this.granted[lane].shift();
    this.jitter[lane] = this.drawJitter(lane);
    return null;
  }

  /**
   * Inside the write transaction: another process's grant that can no longer be on its way (its
   * process is gone, or the hold passed) is withdrawn, so it neither blocks nor counts. The rows
   * left are the ones to pace against.
   */
  private withdrawStale(rows: OutgoingRow[], now: number): OutgoingRow[] {
    const { store } = this.o;
    if (!store.withdrawOutgoing) return rows;
    return rows.filter((r) => {
      if (!this.isStaleForeignGrant(r, now)) return true;
      // Withdrawn only while still pending: a grant that went out just now stays (and counts).
      return !store.withdrawOutgoing!(r.id!);
    });
  }

  private isForeignGrant(r: OutgoingRow): boolean {
    return r.pending === true && r.id !== undefined && r.pid !== undefined && r.pid !== null && r.pid !== this.pid;
  }

  private isStaleForeignGrant(r: OutgoingRow, now: number): boolean {
    return this.isForeignGrant(r) && (now - r.sentAt >= this.grantHoldMs || !this.processAlive(r.pid!));
  }

  private exclusive<T>(fn: () => T): T {
    return this.o.store.exclusive ? this.o.store.exclusive(fn) : fn();
  }

  /** Earliest time an action of this lane may go, given the recent sends (oldest first). */
  private earliest(lane: Lane, recent: OutgoingRow[], now: number): number {
    // The store holds grants (restamped when they went out); `lastOut` covers a send still being handed over.
    let lastSame = this.lastOut[lane];
    let lastAny = Math.max(this.lastOut.message, this.lastOut.click);
    let foreignPending = false;
    for (const r of recent) {
      // Another process's grant on its way: its real send time is not known yet, so wait for it.
      if (this.isForeignGrant(r) && !this.isStaleForeignGrant(r, now)) foreignPending = true;
      lastAny = Math.max(lastAny, r.sentAt);
      const rLane: Lane = r.kind === 'click' ? 'click' : 'message';
      if (rLane === lane) lastSame = Math.max(lastSame, r.sentAt);
    }
    if (foreignPending) return now + FOREIGN_GRANT_POLL_MS;
    const gap = lane === 'message' ? this.messageGapMs + TRANSIT_MARGIN_MS : this.clickGapMs;
    return Math.max(lastSame + gap + this.jitter[lane], lastAny + this.minSpacingMs);
  }

  private recent(now: number): OutgoingRow[] {
    const window = this.messageGapMs + TRANSIT_MARGIN_MS + this.jitterMaxMessage + this.clickGapMs + this.minSpacingMs;
    return this.rows(now - Math.max(window, this.grantHoldMs));
  }

  private rows(since: number): OutgoingRow[] {
    const { store } = this.o;
    return store.recentOutgoing ? store.recentOutgoing(since) : store.outgoingTimes(since);
  }

  /** Messages that left in the last 24 h, and grants on their way (abandoned ones never left). */
  private sentToday(now: number): number {
    return this.o.store.countOutgoingSince(now - DAY_MS, MESSAGE_KINDS, { pendingSince: now - this.grantHoldMs });
  }

  private floodUntil(): number {
    return persistedFloodUntil(this.o.store);
  }

  private drawJitter(lane: Lane): number {
    return this.random() * (lane === 'message' ? this.jitterMaxMessage : this.jitterMaxClick);
  }

  private budgetHint(now: number): string {
    const times = this.rows(now - DAY_MS).filter((t) => MESSAGE_KINDS.includes(t.kind) && (!t.pending || t.sentAt >= now - this.grantHoldMs));
    const excess = times.length - this.o.dailyBudget;
    const freeing = times[Math.max(0, excess)];
    if (!freeing) return 'sending resumes later';
    return `the next message may go in ${formatSeconds(freeing.sentAt + DAY_MS - now)}`;
  }
}

/** "42 s" (up to 119 s), "7 min 5 s", "3 h 12 min". */
export function formatSeconds(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** Signal 0 asks the kernel without signalling: ESRCH means gone, EPERM means alive (another user's). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

function untilSettledOrAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
    );
  });
}
