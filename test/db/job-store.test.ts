import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJobStore } from '../../src/db/job-store.js';
import type { JobOptions } from '../../src/domain/job.js';
import { makeListing } from '../fakes/fake-listing.js';

const options: JobOptions = {
  limit: null,
  startFrom: 1,
  batchSize: 12,
  organizeBy: 'playlist',
  yearFolders: false,
  outputDir: '/music',
  fileTemplate: '{artists} - {title}',
  quality: 'high',
};

describe('DrizzleJobStore', () => {
  let dir: string;
  let file: string;
  let now = 1_000;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-store-'));
    file = path.join(dir, 'crate.sqlite');
    now = 1_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the database private: the file 0600 in a 0700 folder, WAL files included', () => {
    const nested = path.join(dir, 'data');
    const opened = openJobStore(path.join(nested, 'crate.sqlite'));
    opened.store.setSetting('k', 'v');
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(nested, 'crate.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(nested, 'crate.sqlite-wal')).mode & 0o777).toBe(0o600);
    opened.close();
  });

  it('creates a job with its tracks in playlist order and reads them back after reopening', () => {
    const a = openJobStore(file, { now: () => now });
    const job = a.store.createJob({ link: 'L', listing: makeListing(5), options, fingerprint: 'fp' });
    expect(job).toMatchObject({ status: 'pending', total: 5, name: 'Test Playlist', sourceType: 'playlist', options });
    a.close();

    const b = openJobStore(file);
    const tracks = b.store.tracks(job.id);
    expect(tracks.map((t) => t.position)).toEqual([1, 2, 3, 4, 5]);
    expect(tracks[0]).toMatchObject({ state: 'queued', attempts: 0, artists: ['Artist 1', 'Guest'], audio: null, receivedFile: null });
    expect(b.store.getJob(job.id)?.options).toEqual(options);
    b.close();
  });

  it('persists every track patch field, including audio facts and JSON', () => {
    const { store, close } = openJobStore(file, { now: () => now });
    const job = store.createJob({ link: 'L', listing: makeListing(2), options, fingerprint: 'fp' });
    const [t] = store.tracks(job.id);
    now = 2_000;
    const audio = { bitDepth: 24, sampleRate: 96_000, channels: 2, durationMs: 181_000, sizeBytes: 45_000_000, quality: 'max' as const };
    const updated = store.updateTrack(t!.id, {
      state: 'done',
      requestMessageId: 10,
      menuMessageId: 11,
      pickedRow: 'A - B [3:01]',
      fileMessageId: 12,
      sendingAfterId: 9,
      receivedFile: { fileName: 'a.flac', size: 1 },
      attempts: 2,
      lastError: 'x',
      nextAttemptAt: 5,
      filePath: '/music/a.flac',
      quarantinePath: null,
      audio,
      rememberedChoice: 'row',
    });
    expect(updated).toMatchObject({ state: 'done', requestMessageId: 10, fileMessageId: 12, sendingAfterId: 9, audio, updatedAt: 2_000 });
    expect(store.updateTrack(t!.id, { sendingAfterId: null }).sendingAfterId).toBeNull();
    expect(store.getTrack(t!.id)?.receivedFile).toEqual({ fileName: 'a.flac', size: 1 });
    expect(store.counts(job.id)).toMatchObject({ done: 1, queued: 1, failed: 0 });
    expect(store.tracks(job.id, { states: ['done'] }).map((x) => x.id)).toEqual([t!.id]);
    expect(store.tracks(job.id, { states: [] })).toEqual([]);
    close();
  });

  it('finds resumable jobs by fingerprint only while they are unfinished', () => {
    const { store, close } = openJobStore(file);
    const job = store.createJob({ link: 'L', listing: makeListing(1), options, fingerprint: 'fp' });
    expect(store.findResumableJob('fp')?.id).toBe(job.id);
    store.updateJob(job.id, { status: 'paused', pauseReason: 'because' });
    expect(store.findResumableJob('fp')?.pauseReason).toBe('because');
    store.updateJob(job.id, { status: 'done' });
    expect(store.findResumableJob('fp')).toBeNull();
    expect(store.findResumableJob('other')).toBeNull();
    close();
  });

  it('finds the newest finished job by fingerprint (not a cancelled or unfinished one)', () => {
    const { store, close } = openJobStore(file);
    expect(store.findLastFinishedJob('fp')).toBeNull();
    const first = store.createJob({ link: 'L', listing: makeListing(1), options, fingerprint: 'fp' });
    store.updateJob(first.id, { status: 'done' });
    const second = store.createJob({ link: 'L', listing: makeListing(1), options, fingerprint: 'fp' });
    expect(store.findLastFinishedJob('fp')?.id).toBe(first.id);
    store.updateJob(second.id, { status: 'cancelled' });
    expect(store.findLastFinishedJob('fp')?.id).toBe(first.id);
    const third = store.createJob({ link: 'L', listing: makeListing(1), options, fingerprint: 'fp' });
    store.updateJob(third.id, { status: 'done' });
    expect(store.findLastFinishedJob('fp')?.id).toBe(third.id);
    expect(store.findLastFinishedJob('other')).toBeNull();
    close();
  });

  it('finds a done track of any job by Spotify id or ISRC, ignoring tracks without a file', () => {
    const { store, close } = openJobStore(file);
    const j1 = store.createJob({ link: 'L1', listing: makeListing(3), options, fingerprint: 'a' });
    const j2 = store.createJob({ link: 'L2', listing: makeListing(3, { prefix: 'x' }), options, fingerprint: 'b' });
    const [t1, t2] = store.tracks(j1.id);
    store.updateTrack(t1!.id, { state: 'done', filePath: '/music/1.flac' });
    store.updateTrack(t2!.id, { state: 'done' });
    expect(store.findDoneTrack({ spotifyId: 't0001', isrc: null })?.filePath).toBe('/music/1.flac');
    expect(store.findDoneTrack({ spotifyId: null, isrc: 'TISRC00001' })?.id).toBe(t1!.id);
    expect(store.findDoneTrack({ spotifyId: 't0002', isrc: null })).toBeNull();
    expect(store.findDoneTrack({ spotifyId: null, isrc: null })).toBeNull();
    expect(store.findDoneTrack({ spotifyId: 'x0001', isrc: null })).toBeNull();
    expect(store.tracks(j2.id)).toHaveLength(3);
    close();
  });

  it('deletes jobs with their tracks', () => {
    const { store, close } = openJobStore(file);
    const j1 = store.createJob({ link: 'L1', listing: makeListing(3), options, fingerprint: 'a' });
    const j2 = store.createJob({ link: 'L2', listing: makeListing(2), options, fingerprint: 'b' });
    store.deleteJob(j1.id);
    expect(store.getJob(j1.id)).toBeNull();
    expect(store.tracks(j1.id)).toEqual([]);
    expect(store.listJobs().map((j) => j.id)).toEqual([j2.id]);
    store.deleteAllJobs();
    expect(store.listJobs()).toEqual([]);
    close();
  });

  it('keeps settings and outgoing actions durable', () => {
    const a = openJobStore(file);
    a.store.setSetting('pacer.floodUntil', '12345');
    a.store.recordOutgoing('message', 100, 1);
    a.store.recordOutgoing('click', 200);
    a.store.recordOutgoing('message', 300);
    a.close();
    const b = openJobStore(file);
    expect(b.store.getSetting('pacer.floodUntil')).toBe('12345');
    expect(b.store.countOutgoingSince(150)).toBe(2);
    expect(b.store.countOutgoingSince(0, ['message'])).toBe(2);
    expect(b.store.outgoingTimes(0)).toEqual([
      { kind: 'message', sentAt: 100 },
      { kind: 'click', sentAt: 200 },
      { kind: 'message', sentAt: 300 },
    ]);
    b.store.setSetting('pacer.floodUntil', null);
    expect(b.store.getSetting('pacer.floodUntil')).toBeNull();
    b.store.pruneOutgoing(250);
    expect(b.store.countOutgoingSince(0)).toBe(1);
    b.close();
  });
});
