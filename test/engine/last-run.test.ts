import { describe, expect, it } from 'vitest';
import type { TrackRecord, TrackState } from '../../src/domain/job.js';
import { leftWithoutFile } from '../../src/engine/last-run.js';

let nextId = 1;
function track(t: { state: TrackState; spotifyId?: string | null; isrc?: string | null; artists?: string[]; title?: string }): TrackRecord {
  return {
    id: nextId++, jobId: 1, position: nextId, spotifyId: t.spotifyId ?? null, artists: t.artists ?? ['A'], title: t.title ?? 'T', album: null,
    durationMs: null, isrc: t.isrc ?? null, releaseYear: null, state: t.state, attempts: 1, lastError: null, nextAttemptAt: null,
    requestMessageId: null, menuMessageId: null, pickedRow: null, fileMessageId: null, receivedFile: null, filePath: null,
    quarantinePath: null, audio: null, rememberedChoice: null, createdAt: 0, updatedAt: 0,
  };
}

describe('leftWithoutFile: the tracks of a new job that the last run left without a file', () => {
  const cases: { name: string; before: Parameters<typeof track>[0]; now: Parameters<typeof track>[0]; paired: boolean }[] = [
    { name: 'same Spotify id, not found', before: { state: 'not_found', spotifyId: 's1' }, now: { state: 'queued', spotifyId: 's1' }, paired: true },
    { name: 'same Spotify id, mismatch', before: { state: 'mismatch', spotifyId: 's1' }, now: { state: 'queued', spotifyId: 's1' }, paired: true },
    { name: 'same Spotify id, done last time', before: { state: 'done', spotifyId: 's1' }, now: { state: 'queued', spotifyId: 's1' }, paired: false },
    { name: 'same Spotify id, failed last time (a fault, not an answer)', before: { state: 'failed', spotifyId: 's1' }, now: { state: 'queued', spotifyId: 's1' }, paired: false },
    { name: 'other Spotify id, same name', before: { state: 'not_found', spotifyId: 's1' }, now: { state: 'queued', spotifyId: 's2' }, paired: false },
    { name: 'no Spotify id, same ISRC (any case)', before: { state: 'not_found', isrc: 'usabc1234567' }, now: { state: 'queued', isrc: 'USABC1234567' }, paired: true },
    { name: 'track list line, same artists and title (any case)', before: { state: 'not_found', artists: ['Daft Punk'], title: 'One More Time' }, now: { state: 'queued', artists: ['daft punk'], title: 'one more time' }, paired: true },
    { name: 'track list line, other title', before: { state: 'not_found', title: 'One' }, now: { state: 'queued', title: 'Two' }, paired: false },
  ];
  it.each(cases)('$name', ({ before, now, paired }) => {
    const old = track(before);
    const fresh = track(now);
    expect(leftWithoutFile([old], [fresh])).toEqual(paired ? [{ track: fresh, before: old }] : []);
  });
});
