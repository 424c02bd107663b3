import { afterEach, describe, expect, it } from 'vitest';
import { FloodWaitError, SafetyStopError, SessionExpiredError, TurnLostError } from '../../src/domain/errors.js';
import type { Harness } from './harness.js';
import { LINK, createHarness, removeDir, stateHistory } from './harness.js';

describe('JobRunner (through JobService.run)', () => {
  const harnesses: Harness[] = [];
  const make = (...args: Parameters<typeof createHarness>) => {
    const h = createHarness(...args);
    harnesses.push(h);
    return h;
  };
  afterEach(() => {
    for (const h of harnesses.splice(0)) {
      h.close();
      removeDir(h.dir);
    }
  });

  it('takes every track through the persisted state machine and finishes the job', async () => {
    const h = make({ tracks: 8 });
    const job = await h.service.createJob(LINK);
    const done = await h.clock.run(h.service.run(job.id));
    expect(done.status).toBe('done');
    expect(h.store.counts(job.id)).toMatchObject({ done: 8, queued: 0, failed: 0 });
    for (const states of stateHistory(h.events).values()) {
      expect(states).toEqual(['requested', 'picked', 'downloading', 'verifying', 'done']);
    }
    const t = h.store.tracks(job.id)[0]!;
    expect(t).toMatchObject({ attempts: 1, filePath: '/lib/Test Playlist/Artist 1, Guest - Title 1.flac', lastError: null });
    expect(t.audio).toMatchObject({ bitDepth: 16, sampleRate: 44_100 });
    expect(t.requestMessageId).not.toBeNull();
    const finished = h.events.find((e) => e.type === 'job_finished');
    expect(finished).toMatchObject({ counts: { done: 8 }, playlistFile: '/lib/Test Playlist/Test Playlist.m3u8' });
    expect(h.events[0]).toMatchObject({ type: 'job_started' });
    expect(h.events.some((e) => e.type === 'bytes')).toBe(true);
    // The m3u8 was written as tracks landed and once more at the end, with every file.
    expect(h.library.playlists!.at(-1)!.paths).toHaveLength(8);
    expect(h.library.discarded).toEqual([job.id]);
  });

  it('keeps a window of requests in flight, never more than the batch size', async () => {
    const h = make({ tracks: 30, acquirer: { latencyMs: (t) => 5000 + ((t.position * 7919) % 25_000) } });
    const job = await h.service.createJob(LINK, { batchSize: 12 });
    await h.clock.run(h.service.run(job.id));
    expect(h.acquirer.maxInFlight).toBe(12);
    expect(h.store.counts(job.id).done).toBe(30);
    // With a window wider than latency / gap, messages go at the pacer's cadence.
    const messages = h.store.outgoingTimes(0).filter((o) => o.kind === 'message').map((o) => o.sentAt);
    const span = messages.at(-1)! - messages[0]!;
    expect(span / (messages.length - 1)).toBeLessThan(3000 * 1.1);
    expect(Math.min(...messages.slice(1).map((t, i) => t - messages[i]!))).toBeGreaterThanOrEqual(3000);
  });

  it('runs one track at a time with batch size 1 (--sequential)', async () => {
    const h = make({ tracks: 5 });
    const job = await h.service.createJob(LINK, { batchSize: 1 });
    await h.clock.run(h.service.run(job.id));
    expect(h.acquirer.maxInFlight).toBe(1);
    expect(h.store.counts(job.id).done).toBe(5);
  });

  it('retries retryable failures with exponential backoff, then gives up; not found is final', async () => {
    const h = make({
      tracks: 4,
      acquirer: {
        script: (t, attempt) => {
          if (t.position === 1 && attempt <= 2) return { kind: 'failed', reason: `flaky ${attempt}`, latencyMs: 3000 };
          if (t.position === 2) return { kind: 'failed', reason: 'always', latencyMs: 3000 };
          if (t.position === 3) return { kind: 'not_found', reason: 'nothing found' };
          if (t.position === 4) return { kind: 'failed', reason: 'bad file', retryable: false };
          return undefined;
        },
      },
    });
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    const [t1, t2, t3, t4] = h.store.tracks(job.id);
    expect(t1).toMatchObject({ state: 'done', attempts: 3, lastError: null });
    expect(t2).toMatchObject({ state: 'failed', attempts: 3, lastError: 'always' });
    expect(t3).toMatchObject({ state: 'not_found', attempts: 1, lastError: 'nothing found' });
    expect(t4).toMatchObject({ state: 'failed', attempts: 1, lastError: 'bad file' });
    const t1Calls = h.acquirer.calls.filter((c) => c.position === 1);
    expect(t1Calls).toHaveLength(3);
    expect(h.acquirer.calls.filter((c) => c.position === 3)).toHaveLength(1);
    // Backoff: 10 s, then 20 s (base × 2), measured from the failure (attempt latency 3 s).
    const gap1 = t1Calls[1]!.startedAt - t1Calls[0]!.startedAt;
    const gap2 = t1Calls[2]!.startedAt - t1Calls[1]!.startedAt;
    expect(gap1).toBeGreaterThanOrEqual(13_000);
    expect(gap2).toBeGreaterThanOrEqual(23_000);
    expect(gap2).toBeGreaterThan(gap1);
    expect(stateHistory(h.events).get(t1!.id)).toEqual([
      'requested', 'picked', 'queued', 'requested', 'picked', 'queued', 'requested', 'picked', 'downloading', 'verifying', 'done',
    ]);
  });

  it('gives up on a silent bot after RESPONSE_TIMEOUT and retries', async () => {
    const h = make({
      tracks: 2,
      acquirer: { script: (t, attempt) => (t.position === 1 && attempt === 1 ? { kind: 'silent' } : undefined) },
      service: { defaults: { responseTimeoutSeconds: 60 } },
    });
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    const t1 = h.store.tracks(job.id)[0]!;
    expect(t1).toMatchObject({ state: 'done', attempts: 2 });
    const calls = h.acquirer.calls.filter((c) => c.position === 1);
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(60_000);
  });

  it('a file waiting behind other downloads longer than RESPONSE_TIMEOUT is not a silent bot: downloaded once, never asked for again', async () => {
    const h = make({
      tracks: 3,
      // Track 2's file came, then waited 5 min for a download slot (big files ahead of it, 2 per DC).
      acquirer: { script: (t) => (t.position === 2 ? { kind: 'downloaded', queuedMs: 300_000 } : undefined) },
      service: { defaults: { responseTimeoutSeconds: 60 } },
    });
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    const t2 = h.store.tracks(job.id)[1]!;
    expect(t2).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    expect(h.acquirer.calls.filter((c) => c.position === 2)).toHaveLength(1);
    expect(stateHistory(h.events).get(t2.id)).toEqual(['requested', 'picked', 'downloading', 'verifying', 'done']);
  });

  it('once out of the download queue the watchdog counts again: a download that then hangs is given up after RESPONSE_TIMEOUT', async () => {
    const h = make({
      tracks: 1,
      // Queued 5 min (not counted), then no byte for 2 min (counted).
      acquirer: { script: (t, attempt) => (attempt === 1 ? { kind: 'downloaded', queuedMs: 300_000, stalledMs: 120_000 } : undefined) },
      service: { defaults: { responseTimeoutSeconds: 60 } },
    });
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    const t1 = h.store.tracks(job.id)[0]!;
    expect(t1).toMatchObject({ state: 'done', attempts: 2 });
    const calls = h.acquirer.calls;
    // Given up 60 s after the queue ended, not 60 s after the file came.
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(300_000 + 60_000);
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeLessThan(300_000 + 120_000);
  });

  it('stores a verification mismatch as mismatch with the quarantine path; one failure does not stop the others', async () => {
    const h = make({ tracks: 5, acquirer: { script: (t) => (t.position === 2 ? { kind: 'mismatch', reason: 'wrong artist' } : undefined) } });
    h.library.mismatchPositions!.add(4);
    const job = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(job.id));
    const tracks = h.store.tracks(job.id);
    expect(tracks.map((t) => t.state)).toEqual(['done', 'mismatch', 'done', 'mismatch', 'done']);
    expect(tracks[1]).toMatchObject({ lastError: 'wrong artist', quarantinePath: null });
    expect(tracks[3]).toMatchObject({ lastError: 'title differs', quarantinePath: '/lib/Test Playlist/_quarantine/Title 4.flac' });
  });

  it('pauses the job on a safety signal and asks that track afresh on resume', async () => {
    let promo = true;
    const h = make({
      tracks: 10,
      acquirer: {
        script: (t) =>
          t.position === 3 && promo
            ? { kind: 'throw', afterSend: true, error: () => new SafetyStopError('promo', 'The bot showed its Premium offer: daily limit reached?') }
            : undefined,
      },
    });
    const job = await h.service.createJob(LINK, { batchSize: 2 });
    const paused = await h.clock.run(h.service.run(job.id));
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'The bot showed its Premium offer: daily limit reached?' });
    expect(h.events.find((e) => e.type === 'job_paused')).toMatchObject({ safetyStop: true });
    const t3 = h.store.tracks(job.id)[2]!;
    expect(t3).toMatchObject({ state: 'queued', requestMessageId: null });
    expect(h.store.counts(job.id).done).toBeLessThan(10);
    const callsBefore = h.acquirer.calls.length;

    promo = false;
    const finished = await h.clock.run(h.service.run(job.id));
    expect(finished.status).toBe('done');
    expect(h.store.counts(job.id).done).toBe(10);
    expect(h.acquirer.calls.slice(callsBefore).some((c) => c.position === 3 && !c.resumedFromHistory)).toBe(true);
  });

  it('pauses on an expired session and says so', async () => {
    const h = make({
      tracks: 3,
      acquirer: { script: (t) => (t.position === 2 ? { kind: 'throw', error: () => new SessionExpiredError('AUTH_KEY_UNREGISTERED') } : undefined) },
    });
    const job = await h.service.createJob(LINK, { batchSize: 1 });
    const paused = await h.clock.run(h.service.run(job.id));
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason).toMatch(/log in again/);
    expect(h.events.find((e) => e.type === 'session_expired')).toBeDefined();
  });

  it('honours a FloodWait and goes on; repeated FloodWaits pause the job', async () => {
    const h = make({
      tracks: 3,
      acquirer: { script: (t, attempt) => (t.position === 2 && attempt === 1 ? { kind: 'throw', error: () => new FloodWaitError(120, 'SendMessage') } : undefined) },
    });
    const job = await h.service.createJob(LINK, { batchSize: 1 });
    const done = await h.clock.run(h.service.run(job.id));
    expect(done.status).toBe('done');
    const messages = h.store.outgoingTimes(0).filter((o) => o.kind === 'message');
    const t2 = h.acquirer.calls.filter((c) => c.position === 2);
    expect(t2).toHaveLength(2);
    expect(messages[1]!.sentAt - t2[0]!.startedAt).toBeGreaterThanOrEqual(120_000);
    expect(h.events.find((e) => e.type === 'pacer_waiting')).toMatchObject({ reason: 'Telegram flood limit' });

    const h2 = make({
      tracks: 6,
      acquirer: { script: () => ({ kind: 'throw', error: () => new FloodWaitError(30, 'SendMessage') }) },
    });
    const job2 = await h2.service.createJob(LINK, { batchSize: 1 });
    const paused = await h2.clock.run(h2.service.run(job2.id));
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason).toMatch(/slow down 3 times/);
  });

  it('a turn the pacer gave up (nothing sent) asks again at once without spending an attempt, a few times in a row', async () => {
    const lost = () => new TurnLostError('Not sent to the bot: held up 4 s between its turn and the send');
    const h = make({
      tracks: 3,
      acquirer: { script: (t, attempt) => (t.position === 2 && attempt <= 2 ? { kind: 'throw', error: lost } : undefined) },
    });
    const job = await h.service.createJob(LINK, { batchSize: 1 });
    const done = await h.clock.run(h.service.run(job.id));
    expect(done.status).toBe('done');
    const t2 = h.store.tracks(job.id)[1]!;
    expect(t2).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    const calls = h.acquirer.calls.filter((c) => c.position === 2);
    expect(calls).toHaveLength(3);
    // No retry backoff (10 s): the track is first in line again, waiting only for its turn.
    expect(calls[2]!.startedAt - calls[0]!.startedAt).toBeLessThan(10_000);
    expect(h.events.some((e) => e.type === 'job_paused')).toBe(false);

    // Lost at every turn (a disk that stalls at each send): past three in a row a loss is an attempt.
    const h2 = make({ tracks: 1, acquirer: { script: () => ({ kind: 'throw', error: lost }) } });
    const job2 = await h2.service.createJob(LINK, { batchSize: 1 });
    await h2.clock.run(h2.service.run(job2.id));
    const only = h2.store.tracks(job2.id)[0]!;
    expect(only).toMatchObject({ state: 'failed', attempts: 3 });
    expect(only.lastError).toMatch(/Not sent to the bot: held up 4 s/);
    expect(h2.acquirer.calls).toHaveLength(12);
  });

  it('pauses with the budget reason when the daily message budget is spent', async () => {
    const h = make({ tracks: 8, pacer: { dailyBudget: 5 } });
    const job = await h.service.createJob(LINK, { batchSize: 3 });
    const paused = await h.clock.run(h.service.run(job.id));
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason).toMatch(/Daily message budget reached \(5\/5/);
    expect(h.store.countOutgoingSince(0, ['message'])).toBe(5);
    expect(h.store.counts(job.id).done).toBe(5);
  });

  it('skips tracks already in the library (same Spotify id or ISRC) and links them instead', async () => {
    const h = make({ tracks: 4 });
    const first = await h.service.createJob(LINK);
    await h.clock.run(h.service.run(first.id));
    const sent = h.acquirer.messagesSent;
    const second = await h.service.createJob(LINK, { outputDir: '/elsewhere' });
    expect(second.id).not.toBe(first.id);
    await h.clock.run(h.service.run(second.id));
    expect(h.acquirer.messagesSent).toBe(sent);
    expect(h.store.tracks(second.id).map((t) => t.state)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(h.library.linked).toHaveLength(4);
    expect(h.store.tracks(second.id)[0]!.audio).toMatchObject({ bitDepth: 16 });
  });
});
