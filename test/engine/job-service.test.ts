import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError, UserError } from '../../src/domain/errors.js';
import { JobEventEmitter } from '../../src/engine/job-events.js';
import { STOPPED_BY_SHUTDOWN } from '../../src/engine/job-service.js';
import { backoffDelayMs, canRetry } from '../../src/engine/retry.js';
import { makeListing } from '../fakes/fake-listing.js';
import type { Harness } from './harness.js';
import { LINK, createHarness, removeDir } from './harness.js';

describe('JobService', () => {
  const harnesses: Harness[] = [];
  const track = (h: Harness) => {
    harnesses.push(h);
    return h;
  };
  afterEach(() => {
    const dirs = new Set<string>();
    for (const h of harnesses.splice(0)) {
      h.close();
      dirs.add(h.dir);
    }
    for (const d of dirs) removeDir(d);
  });

  it('applies --start-from and --limit, and resumes the same job unless told not to', async () => {
    const h = track(createHarness({ tracks: 20 }));
    const job = await h.service.createJob(LINK, { startFrom: 5, limit: 3 });
    expect(h.store.tracks(job.id).map((t) => t.position)).toEqual([5, 6, 7]);
    expect(job.total).toBe(3);
    const again = await h.service.createJob(LINK, { startFrom: 5, limit: 3, batchSize: 7 });
    expect(again.id).toBe(job.id);
    expect(again.options.batchSize).toBe(7);
    const otherChunk = await h.service.createJob(LINK, { startFrom: 8, limit: 3 });
    expect(otherChunk.id).not.toBe(job.id);
    const fresh = await h.service.createJob(LINK, { startFrom: 5, limit: 3, resume: false });
    expect(fresh.id).not.toBe(job.id);
    expect(h.store.getJob(job.id)?.status).toBe('cancelled');
    await expect(h.service.createJob(LINK, { startFrom: 99 })).rejects.toBeInstanceOf(UserError);
    await expect(h.service.createJob(LINK, { batchSize: 0 })).rejects.toThrow(/--batch-size/);
    expect((await h.service.preview(LINK)).tracks).toHaveLength(20);
  });

  it('resumes after a restart mid-job: in-flight tracks continue from the chat, nothing is asked twice', async () => {
    const h = track(createHarness({ tracks: 12, acquirer: { latencyMs: 20_000 } }));
    const job = await h.service.createJob(LINK, { batchSize: 4 });
    const ac = new AbortController();
    const running = h.service.run(job.id, { signal: ac.signal });
    await h.clock.advance(40_000);
    ac.abort();
    const paused = await h.clock.run(running);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'interrupted' });
    const inFlight = h.store.tracks(job.id, { states: ['requested', 'picked', 'downloading'] });
    expect(inFlight.length).toBeGreaterThan(0);
    const doneBefore = h.store.counts(job.id).done;
    expect(doneBefore).toBeGreaterThan(0);
    h.close();

    // A new process on the same file.
    const h2 = track(h.restart());
    const resumed = await h2.service.createJob(LINK, { batchSize: 4 });
    expect(resumed.id).toBe(job.id);
    const finished = await h2.clock.run(h2.service.run(resumed.id));
    expect(finished.status).toBe('done');
    expect(h2.store.counts(job.id).done).toBe(12);
    const resumedCalls = h2.acquirer.calls.filter((c) => c.resumedFromHistory);
    expect(resumedCalls.map((c) => c.trackId).sort()).toEqual(inFlight.map((t) => t.id).sort());
    // Every track was asked for exactly once across both processes.
    expect(h.acquirer.messagesSent + h2.acquirer.messagesSent).toBe(12);
    // In-flight tracks went first.
    expect(h2.acquirer.calls.slice(0, inFlight.length).every((c) => c.resumedFromHistory)).toBe(true);
  });

  it('after a restart, goes on by itself with jobs a shutdown paused or a crash left running, not with jobs the owner paused', async () => {
    const listings = { [LINK]: makeListing(6), L2: makeListing(4, { id: 'PL2', name: 'Second', prefix: 'y' }), L3: makeListing(2, { id: 'PL3', name: 'Third', prefix: 'z' }) };
    const h = track(createHarness({ listings, acquirer: { latencyMs: 20_000 } }));
    const a = await h.service.createJob(LINK, { batchSize: 2 });
    const b = await h.service.createJob('L2', { batchSize: 2 });
    const c = await h.service.createJob('L3', { batchSize: 2 });
    h.service.start(a.id);
    await h.clock.advance(10_000);
    await h.clock.run(h.service.shutdown());
    expect(h.store.getJob(a.id)).toMatchObject({ status: 'paused', pauseReason: STOPPED_BY_SHUTDOWN });
    // A crash leaves a job marked running; the owner's own pause must stick.
    h.store.updateJob(b.id, { status: 'running' });
    h.store.updateJob(c.id, { status: 'paused', pauseReason: 'paused by you' });
    h.close();

    const h2 = track(h.restart());
    expect(h2.service.resumeInterrupted()).toEqual([a.id, b.id]);
    await h2.clock.run(h2.service.run(b.id));
    expect(h2.store.getJob(a.id)?.status).toBe('done');
    expect(h2.store.getJob(b.id)?.status).toBe('done');
    expect(h2.store.getJob(c.id)).toMatchObject({ status: 'paused', pauseReason: 'paused by you' });
  });

  it('a job that waited for the Telegram session is queued again by resumeInterrupted (called once the session is up)', async () => {
    const h = track(createHarness({ tracks: 3 }));
    const job = await h.service.createJob(LINK);
    h.store.updateJob(job.id, { status: 'paused', pauseReason: new SessionExpiredError('NO_SESSION').message });
    expect(h.service.resumeInterrupted()).toEqual([job.id]);
    await h.clock.run(h.service.run(job.id));
    expect(h.store.getJob(job.id)?.status).toBe('done');
  });

  it('pauses, resumes and cancels a background job', async () => {
    const h = track(createHarness({ tracks: 10 }));
    const job = await h.service.createJob(LINK, { batchSize: 2 });
    h.service.start(job.id);
    await h.clock.advance(20_000);
    const paused = await h.clock.run(h.service.pause(job.id, 'owner asked'));
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'owner asked' });
    const doneAtPause = h.store.counts(job.id).done;
    await h.clock.advance(60_000);
    expect(h.store.counts(job.id).done).toBe(doneAtPause);

    await h.service.resume(job.id);
    await h.clock.advance(10_000);
    expect(h.store.getJob(job.id)?.status).toBe('running');
    const cancelled = await h.clock.run(h.service.cancel(job.id));
    expect(cancelled.status).toBe('cancelled');
    expect(h.store.findResumableJob('anything')).toBeNull();
    await expect(h.service.resume(job.id)).rejects.toBeInstanceOf(UserError);
  });

  it('runs jobs one at a time', async () => {
    const listings = { [LINK]: makeListing(3), L2: makeListing(3, { id: 'PL2', name: 'Second', prefix: 'y' }) };
    const h = track(createHarness({ listings }));
    const a = await h.service.createJob(LINK);
    const b = await h.service.createJob('L2');
    const both = Promise.all([h.service.run(a.id), h.service.run(b.id)]);
    await h.clock.run(both);
    const aCalls = h.acquirer.calls.filter((c) => c.trackId <= 3);
    const bCalls = h.acquirer.calls.filter((c) => c.trackId > 3);
    expect(Math.max(...aCalls.map((c) => c.startedAt))).toBeLessThan(Math.min(...bCalls.map((c) => c.startedAt)));
    expect(h.service.listJobs().map((j) => j.status)).toEqual(['done', 'done']);
  });

  it('retries failed (and on request not-found) tracks, one track, or a chosen row', async () => {
    let fail = true;
    const h = track(
      createHarness({
        tracks: 4,
        acquirer: {
          script: (t) => {
            if (t.position === 1 && fail) return { kind: 'failed', retryable: false, reason: 'broken' };
            if (t.position === 2 && fail) return { kind: 'not_found' };
            return undefined;
          },
        },
      }),
    );
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    expect(h.service.missing(job.id).map((t) => t.state)).toEqual(['failed', 'not_found']);
    fail = false;
    expect(await h.service.retryFailed(job.id)).toBe(1);
    expect(h.store.getJob(job.id)?.status).toBe('paused');
    await h.clock.run(h.service.run(job.id));
    expect(h.service.missing(job.id).map((t) => t.position)).toEqual([2]);
    expect(await h.service.retryFailed(job.id, { includeNotFound: true })).toBe(1);
    await h.clock.run(h.service.run(job.id));
    expect(h.service.missing(job.id)).toEqual([]);

    const t3 = h.store.tracks(job.id)[2]!;
    const chosen = await h.service.chooseRow(t3.id, 'Artist 3 - Title 3 (Original Mix) [6:01]');
    expect(chosen).toMatchObject({ state: 'queued', rememberedChoice: 'Artist 3 - Title 3 (Original Mix) [6:01]' });
    const retried = await h.service.retryTrack(h.store.tracks(job.id)[3]!.id);
    expect(retried.state).toBe('queued');
    await h.clock.run(h.service.run(job.id));
    expect(h.store.tracks(job.id).map((t) => t.state)).toEqual(['done', 'done', 'done', 'done']);
    await expect(h.service.menuRows(t3.id)).rejects.toBeInstanceOf(UserError);
  });

  it('accepts a quarantined file on the owner\'s word', async () => {
    const h = track(createHarness({ tracks: 2 }));
    h.library.mismatchPositions!.add(1);
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    const t1 = h.store.tracks(job.id)[0]!;
    expect(t1.state).toBe('mismatch');
    const accepted = await h.service.acceptQuarantined(t1.id);
    expect(accepted).toMatchObject({ state: 'done', quarantinePath: null, filePath: '/lib/Test Playlist/Artist 1, Guest - Title 1.flac' });
    await expect(h.service.acceptQuarantined(accepted.id)).rejects.toBeInstanceOf(UserError);
  });

  it('counts a finished download once while its file is being verified', async () => {
    const h = track(createHarness({ tracks: 2, acquirer: { latencyMs: 1000 } }));
    const job = await h.service.createJob(LINK, { batchSize: 1 });
    const seen: number[] = [];
    h.service.events.subscribe((e) => {
      if (e.type === 'track_changed' && e.track.state === 'verifying') seen.push(h.service.progress(job.id).receivedBytes);
    });
    await h.clock.run(h.service.run(job.id));
    expect(seen).toEqual([40_000_000, 80_000_000]);
  });

  it('reports progress with counts, tracks in flight, bytes and an ETA, and a status', async () => {
    const h = track(createHarness({ tracks: 10, acquirer: { latencyMs: 9000 } }));
    const job = await h.service.createJob(LINK, { batchSize: 3 });
    h.service.start(job.id);
    await h.clock.advance(20_000);
    const p = h.service.progress(job.id);
    expect(p.counts.done).toBeGreaterThan(0);
    expect(p.inFlight.length).toBeGreaterThan(0);
    expect(p.inFlight.length).toBeLessThanOrEqual(3);
    expect(p.receivedBytes).toBeGreaterThan(0);
    expect(p.etaSeconds).toBeGreaterThan(0);
    const status = await h.service.status();
    expect(status.session.state).toBe('ready');
    expect(status.jobs.map((j) => j.job.id)).toEqual([job.id]);
    expect(status.pacer.dailyBudget).toBe(1000);
    await h.clock.run(h.service.shutdown());
    expect(h.store.getJob(job.id)?.status).toBe('paused');
    expect(h.service.progress(job.id).etaSeconds).toBeNull();
  });

  it('emits to listeners that can leave, and survives a throwing listener', () => {
    const errors: unknown[] = [];
    const e = new JobEventEmitter((err) => errors.push(err));
    const seen: string[] = [];
    const off1 = e.subscribe((ev) => seen.push(`a:${ev.type}`));
    const off2 = e.subscribe(() => {
      throw new Error('boom');
    });
    e.emit({ type: 'session_expired', message: 'x' });
    off1();
    off2();
    off2();
    e.emit({ type: 'session_expired', message: 'y' });
    expect(seen).toEqual(['a:session_expired']);
    expect(errors).toHaveLength(1);
    expect(e.listenerCount).toBe(0);
  });

  it('computes exponential backoff with a cap', () => {
    expect(backoffDelayMs(1, { baseMs: 1000, random: () => 0 })).toBe(1000);
    expect(backoffDelayMs(3, { baseMs: 1000, random: () => 0 })).toBe(4000);
    expect(backoffDelayMs(30, { baseMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(60_000);
    expect(backoffDelayMs(2, { baseMs: 1000, jitter: 0.5, random: () => 1 })).toBe(3000);
    expect(canRetry(3, 3)).toBe(true);
    expect(canRetry(4, 3)).toBe(false);
  });
});
