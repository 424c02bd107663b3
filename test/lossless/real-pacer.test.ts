/**
 * The acquirer with the engine's real Pacer (on a real SQLite file) in front of the simulated bot:
 * several tracks in flight at once still reach the bot one message per gap, and a FloodWait the
 * bot answers with is persisted so nothing is sent before it ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJobStore } from '../../src/db/job-store.js';
import { FloodWaitError } from '../../src/domain/errors.js';
import { Pacer } from '../../src/engine/pacer.js';
import type { AcquireRequest } from '../../src/engine/ports.js';
import { silentLogger } from '../../src/logger.js';
import { createLosslessAcquirer } from '../../src/lossless/create-acquirer.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeGateway, schedulerOnClock } from '../fakes/fake-gateway.js';
import { SimulatedLosslessBot, type SimTrack } from '../fakes/simulated-lossless/core.js';
import { fromSim, trackRecord, TIMEOUTS } from './support.js';

const catalogue: SimTrack[] = [
  { id: 'a', spotifyId: 'AAAAAAAAAAAAAAAAAAAAAA', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371 },
  { id: 'b', spotifyId: 'BBBBBBBBBBBBBBBBBBBBBB', artists: ['Robert Hood'], title: 'Minus', durationSec: 276 },
  { id: 'c', spotifyId: 'CCCCCCCCCCCCCCCCCCCCCC', artists: ['Kino'], title: 'Gruppa Krovi', durationSec: 283 },
  { id: 'd', spotifyId: 'DDDDDDDDDDDDDDDDDDDDDD', artists: ['Róisín Murphy'], title: 'Overpowered', durationSec: 278 },
  { id: 'e', spotifyId: 'EEEEEEEEEEEEEEEEEEEEEE', artists: ['Underworld'], title: 'Born Slippy .NUXX', durationSec: 584 },
];

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'crate-lossless-pacer-'));
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const opened = openJobStore(path.join(dir, 'crate.db'), { now: () => clock.now() });
  const pacer = new Pacer({ store: opened.store, clock, messageGapSeconds: 3, dailyBudget: 1000, random: () => 0.5 });
  const bot = new SimulatedLosslessBot({ catalogue, clock: schedulerOnClock(clock), latencyMs: { reply: [300, 1500], file: [5_000, 20_000] } });
  const gateway = new FakeGateway(bot);
  const acquirer = createLosslessAcquirer({ gateway, pacer, mode: 'chat', logger: silentLogger(), timeouts: TIMEOUTS, clock, pollIntervalMs: 0 });
  cleanup = async () => {
    acquirer.close();
    bot.close();
    opened.close();
    await rm(dir, { recursive: true, force: true });
  };
  const request = (t: SimTrack): AcquireRequest => {
    const track = trackRecord(fromSim(t));
    return {
      track,
      downloadPath: path.join(dir, `${t.id}.flac`),
      quality: 'high',
      signal: new AbortController().signal,
      record: async (patch) => void Object.assign(track, patch),
      onBytes: () => undefined,
    };
  };
  return { clock, pacer, bot, acquirer, request, store: opened.store };
}

describe('lossless acquirer with the real pacer', () => {
  it('five tracks in flight: every message to the bot is a full gap apart, and all arrive', async () => {
    const { clock, bot, acquirer, request } = await setup();
    const outs = await clock.run(Promise.all(catalogue.map((t) => acquirer.acquire(request(t)))));
    expect(outs.map((o) => o.kind)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded', 'downloaded']);
    outs.forEach((o, i) => expect(o).toMatchObject({ receivedFile: { title: catalogue[i]!.title } }));

    const sends = bot.actions().filter((a) => a.kind === 'send').map((a) => a.at);
    expect(sends).toHaveLength(5);
    for (let i = 1; i < sends.length; i++) expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(3000);
    const all = bot.actions().map((a) => a.at);
    for (let i = 1; i < all.length; i++) expect(all[i]! - all[i - 1]!).toBeGreaterThanOrEqual(250);
  });

  it('a FloodWait from the bot holds every later message until it ends', async () => {
    const { clock, pacer, bot, acquirer, request } = await setup();
    bot.floodOnNext(60);
    const floodedAt = clock.now();
    await expect(clock.run(acquirer.acquire(request(catalogue[0]!)))).rejects.toBeInstanceOf(FloodWaitError);
    expect(pacer.state().floodUntil).toBeGreaterThanOrEqual(floodedAt + 60_000);
    const out = await clock.run(acquirer.acquire(request(catalogue[1]!)));
    expect(out.kind).toBe('downloaded');
    const secondSend = bot.actions().filter((a) => a.kind === 'send')[1]!;
    expect(secondSend.at).toBeGreaterThanOrEqual(floodedAt + 60_000);
  });

  it('the intent cannot be written (disk full): nothing is sent and the turn is given back at once', async () => {
    const { clock, bot, acquirer, request, store } = await setup();
    const failing = request(catalogue[0]!);
    failing.record = async (patch) => {
      if (patch.state === 'requested') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    await expect(clock.run(acquirer.acquire(failing))).rejects.toThrow(/ENOSPC/);
    expect(bot.actions().filter((a) => a.kind === 'send')).toEqual([]);
    // No grant left pending: it would hold another process's turn for 30 s and count as sent.
    expect(store.recentOutgoing(0).filter((r) => r.kind === 'message')).toEqual([]);
    const askedAt = clock.now();
    const out = await clock.run(acquirer.acquire(request(catalogue[1]!)));
    expect(out.kind).toBe('downloaded');
    // The next request went out at once: a grant that never left keeps no gap.
    expect(bot.actions().filter((a) => a.kind === 'send')[0]!.at - askedAt).toBeLessThan(1000);
  });
});
