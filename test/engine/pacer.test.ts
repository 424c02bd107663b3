import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJobStore, type DrizzleJobStore } from '../../src/db/job-store.js';
import { FloodWaitError, SafetyStopError, TurnLostError } from '../../src/domain/errors.js';
import { GRANT_HOLD_MS, Pacer, TRANSIT_MARGIN_MS, formatSeconds, type PacerOptions } from '../../src/engine/pacer.js';
import type { OutgoingKind } from '../../src/engine/ports.js';
import { FakeClock } from '../fakes/fake-clock.js';

/** The error a send refuses with (null when it went out). */
function refusalOf(send: () => void): unknown {
  try {
    send();
    return null;
  } catch (err) {
    return err;
  }
}

describe('Pacer', () => {
  let dir: string;
  let file: string;
  let clock: FakeClock;
  const opened: { close(): void }[] = [];
  const open = (): DrizzleJobStore => {
    const o = openJobStore(file, { now: () => clock.now() });
    opened.push(o);
    return o.store;
  };
  const pacer = (store: DrizzleJobStore, extra: Partial<PacerOptions> = {}) =>
    new Pacer({ store, clock, messageGapSeconds: 3, dailyBudget: 1000, random: Math.random, ...extra });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-pacer-'));
    file = path.join(dir, 'crate.sqlite');
    clock = new FakeClock();
  });
  afterEach(() => {
    for (const o of opened.splice(0)) o.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function gaps(store: DrizzleJobStore, kinds: OutgoingKind[]): number[] {
    const times = store.outgoingTimes(0).filter((t) => kinds.includes(t.kind)).map((t) => t.sentAt);
    return times.slice(1).map((t, i) => t - times[i]!);
  }

  it('counts the gap from when a message really went out, also after a restart', async () => {
    const store = open();
    const p = pacer(store);
    const sendAfter = async (delayMs: number) => {
      await p.acquire('message');
      // Writing the intent, a GC pause...: the message goes out later than it was granted.
      await clock.sleep(delayMs);
      p.sending('message');
      return clock.now();
    };
    const first = await clock.run(sendAfter(400));
    const second = await clock.run(sendAfter(0));
    expect(second - first).toBeGreaterThanOrEqual(3000);
    // The restamped time is what a new process reads.
    const restarted = pacer(store);
    await clock.run(restarted.acquire('message'));
    restarted.sending('message');
    expect(clock.now() - second).toBeGreaterThanOrEqual(3000);
    expect(store.countOutgoingSince(0)).toBe(3);
  });

  it('keeps messages a full gap apart and clicks their own gap apart, under 12 concurrent tracks', async () => {
    const store = open();
    const p = pacer(store);
    const track = async (id: number) => {
      await clock.sleep(Math.random() * 5000);
      await p.acquire('message', { trackId: id });
      await clock.sleep(2000 + Math.random() * 8000);
      await p.acquire('click', { trackId: id });
      await clock.sleep(1000 + Math.random() * 3000);
      await p.acquire('click', { trackId: id });
    };
    await clock.run(Promise.all(Array.from({ length: 12 }, (_, i) => track(i + 1))));
    const messageGaps = gaps(store, ['message']);
    expect(messageGaps).toHaveLength(11);
    expect(Math.min(...messageGaps)).toBeGreaterThanOrEqual(3000);
    // Jitter is small and positive: at most 5 % of the gap (unless a click pushed the message by up to 250 ms).
    expect(Math.max(...messageGaps)).toBeLessThanOrEqual(3000 * 1.05 + 250);
    expect(Math.min(...gaps(store, ['click']))).toBeGreaterThanOrEqual(1000);
    expect(Math.min(...gaps(store, ['message', 'click']))).toBeGreaterThanOrEqual(250);
    expect(store.countOutgoingSince(0)).toBe(36);
  });

  it('never goes below the 2 s floor, whatever gap it is given', async () => {
    const store = open();
    const p = pacer(store, { messageGapSeconds: 0.1, clickGapSeconds: 0.1 });
    expect(p.messageGapMs).toBe(2000);
    expect(p.clickGapMs).toBe(1000);
    await clock.run(Promise.all(Array.from({ length: 6 }, () => p.acquire('message'))));
    await clock.run(Promise.all(Array.from({ length: 6 }, () => p.acquire('inline'))));
    expect(Math.min(...gaps(store, ['message', 'inline']))).toBeGreaterThanOrEqual(2000);
  });

  it('does not send a burst after a restart: the gap runs from the last real send', async () => {
    const a = open();
    await clock.run(pacer(a).acquire('message'));
    const first = clock.now();
    await clock.advance(500);
    const b = open(); // a new process on the same file
    await clock.run(pacer(b).acquire('message'));
    expect(clock.now() - first).toBeGreaterThanOrEqual(3000);
  });

  it('honours a FloodWait for every kind of action, across a restart, and describes it', async () => {
    const a = open();
    const waits: [number, string][] = [];
    const p = pacer(a, { onWait: (s, r) => waits.push([s, r]) });
    p.noteFloodWait(60);
    expect(p.state().describe).toBe('waiting 61 s: Telegram flood limit');
    const start = clock.now();
    await clock.advance(10_000);

    const b = open();
    const p2 = pacer(b, { onWait: (s, r) => waits.push([s, r]) });
    expect(p2.state().floodUntil).toBe(start + 61_000);
    await clock.run(p2.acquire('click'));
    expect(clock.now()).toBeGreaterThanOrEqual(start + 61_000);
    expect(waits).toEqual([[51, 'Telegram flood limit']]);
    expect(p2.state().floodUntil).toBeNull();
    // A shorter wait never shortens a longer one.
    p2.noteFloodWait(100);
    p2.noteFloodWait(5);
    expect(p2.state().floodUntil).toBe(clock.now() + 101_000);
  });

  it('stops with a budget SafetyStopError when the daily budget is spent; clicks still pass', async () => {
    const store = open();
    const p = pacer(store, { dailyBudget: 3 });
    for (let i = 0; i < 3; i++) {
      const kind = i === 1 ? 'inline' : 'message';
      await clock.run(p.acquire(kind));
      p.sending(kind);
    }
    const err = await clock.run(p.acquire('message')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyStopError);
    expect((err as SafetyStopError).signal).toBe('budget');
    expect((err as SafetyStopError).message).toMatch(/3\/3/);
    await clock.run(p.acquire('click'));
    expect(p.state()).toMatchObject({ sentToday: 3, dailyBudget: 3 });
    expect(p.state().describe).toMatch(/daily message budget spent \(3\/3\); the next message may go in 23 h 59 min/);
    // A day later the oldest send has left the window.
    await clock.advance(24 * 3600 * 1000);
    await clock.run(p.acquire('message'));
    expect(store.countOutgoingSince(0, ['message', 'inline'])).toBe(4);
  });

  it('counts toward the budget only what left: a grant that never went out stops counting', async () => {
    const store = open();
    const p = pacer(store, { dailyBudget: 2 });
    await clock.run(p.acquire('message'));
    p.sending('message');
    // Granted, then the caller gave up (aborted, or its process died) before sending.
    await clock.run(p.acquire('message'));
    expect(p.state().sentToday).toBe(2);
    await expect(clock.run(p.acquire('message'))).rejects.toBeInstanceOf(SafetyStopError);
    await clock.advance(GRANT_HOLD_MS + 1);
    expect(p.state().sentToday).toBe(1);
    await clock.run(p.acquire('message'));
    p.sending('message');
    expect(p.state()).toMatchObject({ sentToday: 2, dailyBudget: 2 });
  });

  it('waits for another process\'s grant to go out and counts the gap from its real send', async () => {
    const store = open();
    const alive = () => true;
    const other = pacer(store, { pid: 111, random: () => 0, processAlive: alive });
    const mine = pacer(store, { pid: 222, random: () => 0, processAlive: alive });
    await clock.run(other.acquire('message'));
    const grantedAt = clock.now();
    const waiting = mine.acquire('message');
    // The other process takes 5 s from grant to send (a slow disk, a GC pause).
    await clock.advance(5000);
    other.sending('message');
    const sentAt = clock.now();
    await clock.run(waiting);
    mine.sending('message');
    expect(sentAt - grantedAt).toBe(5000);
    expect(clock.now() - sentAt).toBeGreaterThanOrEqual(3000 + TRANSIT_MARGIN_MS);
  });

  it("withdraws a dead process's grant at once: it neither holds the turn nor counts", async () => {
    const store = open();
    const dead = pacer(store, { pid: 111, random: () => 0 });
    const mine = pacer(store, { pid: 222, random: () => 0, processAlive: (pid) => pid !== 111 });
    await clock.run(dead.acquire('message'));
    expect(mine.state().sentToday).toBe(1);
    const askedAt = clock.now();
    await clock.run(mine.acquire('message'));
    mine.sending('message');
    // It never went out: no gap to keep from it, no 30 s hold, and it is gone from the budget.
    expect(clock.now() - askedAt).toBeLessThan(100);
    expect(store.recentOutgoing(0).map((r) => r.pid)).toEqual([222]);
    expect(mine.state().sentToday).toBe(1);
  });

  it('one process, a caller held up between its turn and its send: the next turn is not sent closer than the gap', async () => {
    const store = open();
    const p = pacer(store, { random: () => 0 });
    // A is served, then held up (a slow disk, a busy event loop) before it sends.
    await clock.run(p.acquire('message'));
    // B is served a gap later and sends at once.
    await clock.run(p.acquire('message'));
    p.sending('message');
    const bSentAt = clock.now();
    // A wakes up 1 s after B's send: it must not go out (1 s < the 3 s gap).
    await clock.advance(1000);
    expect(() => p.sending('message')).toThrow(/^Not sent to the bot: held up \d+ s between its turn and the send, and the previous message went out 1 s ago \(the gap is 3 s\)/);
    // Only B counts; A's track asks again and is served a full gap after B's send.
    expect(store.recentOutgoing(0).filter((r) => !r.pending)).toHaveLength(1);
    expect(p.state().sentToday).toBe(1);
    await clock.run(p.acquire('message'));
    p.sending('message');
    expect(clock.now() - bSentAt).toBeGreaterThanOrEqual(3000 + TRANSIT_MARGIN_MS);
    expect(Math.min(...gaps(store, ['message']))).toBeGreaterThanOrEqual(3000);
  });

  it('a FloodWait that came after a turn was given: that turn does not go out until the wait is over', async () => {
    const store = open();
    const p = pacer(store, { random: () => 0 });
    await clock.run(p.acquire('click'));
    // Meanwhile another request was answered with FLOOD_WAIT_30.
    p.noteFloodWait(30);
    const refused = refusalOf(() => p.sending('click'));
    expect(refused).toBeInstanceOf(FloodWaitError);
    expect(refused).toMatchObject({ alreadyKnown: true, seconds: 31 });
    expect(store.recentOutgoing(0)).toEqual([]);
    // Asked again, the turn comes once the wait (and its margin) is over.
    const asked = clock.now();
    await clock.run(p.acquire('click'));
    expect(clock.now() - asked).toBeGreaterThanOrEqual(31_000);
    p.sending('click');
  });

  it('one process, a caller held up but sending before the next turn: both go out, a gap apart', async () => {
    const store = open();
    const p = pacer(store, { random: () => 0 });
    await clock.run(p.acquire('message'));
    const next = p.acquire('message');
    // A is 2 s late: its send is restamped, so the next turn waits a gap from the real send.
    await clock.advance(2000);
    p.sending('message');
    const aSentAt = clock.now();
    await clock.run(next);
    p.sending('message');
    expect(clock.now() - aSentAt).toBeGreaterThanOrEqual(3000);
    expect(store.recentOutgoing(0).every((r) => !r.pending)).toBe(true);
  });

  it('a live process held up past the hold loses its turn: its late send refuses to go out, the gap holds', async () => {
    const store = open();
    const alive = () => true;
    const slow = pacer(store, { pid: 111, random: () => 0, processAlive: alive });
    const mine = pacer(store, { pid: 222, random: () => 0, processAlive: alive });
    await clock.run(slow.acquire('message'));
    const grantedAt = clock.now();
    await clock.run(mine.acquire('message'));
    // Held the whole hold, then the turn was taken from the grant nobody sent.
    expect(clock.now() - grantedAt).toBeGreaterThanOrEqual(GRANT_HOLD_MS);
    mine.sending('message');
    const mineSentAt = clock.now();
    // The slow process wakes up right after: it must not send now, 0 s after ours.
    const refused = refusalOf(() => slow.sending('message'));
    // Nothing left: a TurnLostError has the engine ask again without spending an attempt.
    expect(refused).toBeInstanceOf(TurnLostError);
    expect((refused as Error).message).toMatch(/^Not sent to the bot: held up 30 s between its turn and the send/);
    const rows = store.recentOutgoing(0);
    expect(rows).toMatchObject([{ pid: 222, pending: false, sentAt: mineSentAt }]);
    // Its next turn keeps the gap from the message that really left.
    await clock.run(slow.acquire('message'));
    slow.sending('message');
    expect(clock.now() - mineSentAt).toBeGreaterThanOrEqual(3000 + TRANSIT_MARGIN_MS);
  });

  it('a process that looked dead but still sends: the send refuses once its grant was withdrawn', async () => {
    const store = open();
    // A pid from another pid namespace (a container sharing the volume) reads as gone.
    const ghost = pacer(store, { pid: 111, random: () => 0, processAlive: () => true });
    const mine = pacer(store, { pid: 222, random: () => 0, processAlive: () => false });
    await clock.run(ghost.acquire('message'));
    await clock.run(mine.acquire('message'));
    mine.sending('message');
    expect(() => ghost.sending('message')).toThrow(/took the turn/);
    expect(store.recentOutgoing(0).map((r) => r.pid)).toEqual([222]);
  });

  it('a grant given back (release) frees the turn for every process at once and does not count', async () => {
    const store = open();
    const alive = () => true;
    const other = pacer(store, { pid: 111, random: () => 0, processAlive: alive });
    const mine = pacer(store, { pid: 222, random: () => 0, processAlive: alive });
    await clock.run(other.acquire('message'));
    other.release('message');
    const askedAt = clock.now();
    await clock.run(mine.acquire('message'));
    mine.sending('message');
    expect(clock.now() - askedAt).toBeLessThan(100);
    expect(store.countOutgoingSince(0)).toBe(1);
    // Releasing twice, or after sending, changes nothing.
    other.release('message');
    mine.release('message');
    expect(store.recentOutgoing(0)).toMatchObject([{ pid: 222, pending: false }]);
  });

  it('rejects a waiting caller when its signal aborts, without recording a send', async () => {
    const store = open();
    const p = pacer(store);
    await clock.run(p.acquire('message'));
    const ac = new AbortController();
    const waiting = p.acquire('message', { signal: ac.signal });
    const queued = p.acquire('message', { signal: ac.signal });
    await clock.advance(1000);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(store.countOutgoingSince(0)).toBe(1);
    // The lane is free again.
    await clock.run(p.acquire('message'));
    expect(store.countOutgoingSince(0)).toBe(2);
  });

  it('says when the next message may go', async () => {
    const store = open();
    const p = pacer(store, { random: () => 0 });
    expect(p.state().describe).toBe('ready');
    await clock.run(p.acquire('message'));
    // The gap plus the transit margin (50 ms), rounded up for people.
    expect(p.state().describe).toBe('next message in 4 s (gap 3 s)');
    expect(p.state().nextMessageAt).toBe(clock.now() + 3000 + TRANSIT_MARGIN_MS);
  });

  it('formats durations for people', () => {
    expect(formatSeconds(42_000)).toBe('42 s');
    expect(formatSeconds(425_000)).toBe('7 min 5 s');
    expect(formatSeconds(3 * 3600_000 + 12 * 60_000)).toBe('3 h 12 min');
  });
});
