/**
 * Playlist watch on virtual time, over the real JobService, Pacer and SQLite store: a playlist that
 * grows and shrinks, a restart between checks, a Spotify quota answer, a spent daily budget, and two
 * watched playlists sharing tracks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DrizzleWatchStore } from '../../src/db/watch-store.js';
import { RateLimitedError, UserError } from '../../src/domain/errors.js';
import type { SourceListing } from '../../src/domain/track.js';
import type { JobEvent } from '../../src/engine/ports.js';
import { parseInterval, WatchService } from '../../src/engine/watch-service.js';
import { silentLogger } from '../../src/logger.js';
import { makeListing, makeTracks } from '../fakes/fake-listing.js';
import { createHarness, LINK, removeDir, type Harness, type HarnessOptions } from './harness.js';

const HOUR = 3600_000;

interface WatchRig {
  h: Harness;
  watches: WatchService;
  store: DrizzleWatchStore;
  listings: Record<string, SourceListing>;
}

const rigs: WatchRig[] = [];
afterEach(() => {
  const dirs = new Set<string>();
  for (const r of rigs.splice(0)) {
    r.watches.stop();
    r.h.close();
    dirs.add(r.h.dir);
  }
  for (const d of dirs) removeDir(d);
});

function rig(listings: Record<string, SourceListing>, options: HarnessOptions = {}, from?: Harness): WatchRig {
  const h = from ? from.restart(options) : createHarness({ listings, ...options });
  // The harness's store and the watch store share one SQLite file (the same database as in serve).
  const store = new DrizzleWatchStore(h.db, h.store, () => h.clock.now());
  const watches = new WatchService({
    store,
    editor: store,
    jobStore: h.store,
    jobs: h.service,
    source: h.source,
    library: h.library,
    pacer: h.pacer,
    events: h.service.events,
    clock: h.clock,
    logger: silentLogger(),
    random: () => 0.5,
  });
  const r = { h, watches, store, listings };
  rigs.push(r);
  return r;
}

function finished(h: Harness, jobId: number): Promise<void> {
  return new Promise((resolve) => {
    const off = h.service.events.subscribe((e) => {
      if (e.type === 'job_finished' && e.job.id === jobId) {
        off();
        resolve();
      }
    });
  });
}

function reports(h: Harness): Extract<JobEvent, { type: 'watch_report' | 'watch_postponed' }>[] {
  return h.events.filter((e): e is Extract<JobEvent, { type: 'watch_report' | 'watch_postponed' }> => e.type === 'watch_report' || e.type === 'watch_postponed');
}

const withTracks = (base: SourceListing, tracks: SourceListing['tracks']): SourceListing => ({
  ...base,
  source: { ...base.source, total: tracks.length },
  tracks: tracks.map((t, i) => ({ ...t, position: i + 1 })),
});

describe('WatchService', () => {
  it('a playlist that grows and shrinks over several checks: only new tracks are asked for, order follows Spotify, removed files stay', async () => {
    const all = makeTracks(12);
    const listings = { [LINK]: withTracks(makeListing(0), all.slice(0, 6)) };
    const { h, watches } = rig(listings);

    const { watch, job } = await watches.add(LINK, { everyMs: 6 * HOUR });
    await h.clock.run(finished(h, job.id));
    expect(h.store.counts(job.id).done).toBe(6);
    expect(h.acquirer.messagesSent).toBe(6);
    expect(watch.nextCheckAt - watch.createdAt).toBe(6 * HOUR); // random 0.5 → no jitter

    // Nothing changed: the check compares the listing and does nothing.
    const same = await watches.check(watch.id);
    expect([same.added, same.removed, same.unchanged]).toEqual([[], [], 6]);
    expect(reports(h)).toEqual([]);

    // +3 new at the top, one moved: three requests, not nine.
    listings[LINK] = withTracks(listings[LINK]!, [all[8]!, all[6]!, all[7]!, ...all.slice(0, 6)]);
    const callsBefore = h.acquirer.calls.length;
    const grown = await watches.check(watch.id);
    expect(grown.added).toEqual(['Artist 9 - Title 9', 'Artist 7, Guest - Title 7', 'Artist 8 - Title 8']);
    await h.clock.run(finished(h, job.id));
    expect(h.acquirer.calls.slice(callsBefore).map((c) => c.position)).toEqual([1, 2, 3]);
    expect(h.acquirer.messagesSent).toBe(9);
    const positions = h.store.tracks(job.id).sort((a, b) => a.position - b.position).map((t) => t.title);
    expect(positions).toEqual(['Title 9', 'Title 7', 'Title 8', 'Title 1', 'Title 2', 'Title 3', 'Title 4', 'Title 5', 'Title 6']);
    expect(reports(h)).toEqual([
      expect.objectContaining({ type: 'watch_report', watchId: watch.id, added: 3, downloaded: 3, notFound: 0, removed: 0 }),
    ]);

    // −2: out of the playlist file at once (told once), their audio files stay.
    const filesBefore = [...h.library.stored!.values()];
    listings[LINK] = withTracks(listings[LINK]!, listings[LINK]!.tracks.filter((t) => t.title !== 'Title 2' && t.title !== 'Title 9'));
    const shrunk = await watches.check(watch.id);
    expect(shrunk.removed).toEqual(['Artist 9 - Title 9', 'Artist 2 - Title 2']);
    expect(h.store.tracks(job.id)).toHaveLength(7);
    expect(h.library.playlists!.at(-1)!.paths).toHaveLength(7);
    expect([...h.library.stored!.values()]).toEqual(filesBefore);
    expect(reports(h).at(-1)).toMatchObject({ type: 'watch_report', added: 0, removed: 2, removedLabels: ['Artist 9 - Title 9', 'Artist 2 - Title 2'] });
    expect(watches.get(watch.id).removed.map((r) => r.label)).toEqual(['Artist 9 - Title 9', 'Artist 2 - Title 2']);
    expect(h.acquirer.messagesSent).toBe(9);

    // A removed track that comes back leaves the removed list and is queued again (FsLibrary then finds
    // its file still at the planned name and links it without a message).
    listings[LINK] = withTracks(listings[LINK]!, [...listings[LINK]!.tracks, all[1]!]);
    const back = await watches.check(watch.id);
    expect(back.added).toEqual(['Artist 2 - Title 2']);
    await h.clock.run(finished(h, job.id));
    expect(watches.get(watch.id).removed.map((r) => r.label)).toEqual(['Artist 9 - Title 9']);
  });

  it('a restart between checks: the next process compares with what the last one saw', async () => {
    const all = makeTracks(8);
    const listings = { [LINK]: withTracks(makeListing(0), all.slice(0, 5)) };
    const first = rig(listings);
    const { watch, job } = await first.watches.add(LINK);
    await first.h.clock.run(finished(first.h, job.id));
    first.watches.stop();
    first.h.close();

    listings[LINK] = withTracks(listings[LINK]!, all);
    const second = rig(listings, {}, first.h);
    expect(second.watches.list().map((w) => w.id)).toEqual([watch.id]);
    const out = await second.watches.check(watch.id);
    expect(out.added).toHaveLength(3);
    await second.h.clock.run(finished(second.h, job.id));
    expect(second.h.acquirer.messagesSent).toBe(3);
  });

  it('a Spotify quota answer during a check postpones it past the Retry-After and says so once', async () => {
    const listings = { [LINK]: makeListing(3) };
    const { h, watches } = rig(listings);
    const { watch, job } = await watches.add(LINK);
    await h.clock.run(finished(h, job.id));
    const load = h.source.load.bind(h.source);
    h.source.load = async () => {
      throw new UserError('Spotify says the quota is used up', undefined, { cause: new RateLimitedError(7200, 'quota') });
    };
    const now = h.clock.now();
    const out = await watches.check(watch.id);
    expect(out.postponed?.reason).toMatch(/Spotify asks to wait/);
    expect(out.postponed!.until).toBeGreaterThanOrEqual(now + 7200_000);
    expect(watches.get(watch.id).nextCheckAt).toBe(out.postponed!.until);
    await watches.check(watch.id);
    expect(reports(h).filter((e) => e.type === 'watch_postponed')).toHaveLength(1);
    h.source.load = load;
  });

  it('a check while the daily budget is spent waits for the budget and sends nothing', async () => {
    const all = makeTracks(10);
    const listings = { [LINK]: withTracks(makeListing(0), all.slice(0, 4)) };
    const { h, watches } = rig(listings, { pacer: { dailyBudget: 8 } });
    const { watch, job } = await watches.add(LINK);
    await h.clock.run(finished(h, job.id));
    expect(h.pacer.state().sentToday).toBe(4);

    listings[LINK] = withTracks(listings[LINK]!, all);
    const out = await watches.check(watch.id);
    expect(out.postponed?.reason).toMatch(/6 new tracks need about 6 messages and the daily budget has 4 left/);
    expect(h.acquirer.messagesSent).toBe(4);
    expect(watches.get(watch.id).trackKeys).toHaveLength(4);
    expect(h.store.tracks(job.id)).toHaveLength(4);
    expect(reports(h).at(-1)).toMatchObject({ type: 'watch_postponed' });
  });

  it('two watched playlists sharing tracks: a track in the library from the other playlist is reused, not asked for', async () => {
    const shared = makeTracks(6);
    const other = makeTracks(3, 'o');
    const listings = {
      [LINK]: withTracks(makeListing(0), shared.slice(0, 4)),
      L2: withTracks(makeListing(0, { id: 'PL2', name: 'Second' }), [...other, shared[0]!, shared[1]!]),
    };
    const { h, watches } = rig(listings);
    const a = await watches.add(LINK);
    await h.clock.run(finished(h, a.job.id));
    const b = await watches.add('L2');
    await h.clock.run(finished(h, b.job.id));
    expect(h.acquirer.messagesSent).toBe(4 + 3);
    expect(h.store.tracks(b.job.id).filter((t) => t.state === 'skipped')).toHaveLength(2);

    // Both grow by the same new track: asked for once.
    listings[LINK] = withTracks(listings[LINK]!, [...listings[LINK]!.tracks, shared[5]!]);
    listings.L2 = withTracks(listings.L2!, [...listings.L2!.tracks, shared[5]!]);
    await watches.check(a.watch.id);
    await h.clock.run(finished(h, a.job.id));
    await watches.check(b.watch.id);
    await h.clock.run(finished(h, b.job.id));
    expect(h.acquirer.messagesSent).toBe(8);
  });

  it('checks never run while a FloodWait is in force; intervals below 30 minutes are refused', async () => {
    const { h, watches } = rig({ [LINK]: makeListing(2) });
    const { watch, job } = await watches.add(LINK);
    await h.clock.run(finished(h, job.id));
    h.pacer.noteFloodWait(3600);
    const out = await watches.check(watch.id);
    expect(out.postponed?.reason).toMatch(/flood wait/);
    expect(() => parseInterval('10m')).toThrow(/at most every 30 minutes/);
    expect(parseInterval('6h')).toBe(6 * HOUR);
    expect(parseInterval('1d')).toBe(24 * HOUR);
  });
});
