import { describe, expect, it } from 'vitest';
import { emptyCounts, type JobRecord, type JobStatus, type TrackCounts, type TrackRecord } from '../../src/domain/job.js';
import type { PacerState } from '../../src/engine/ports.js';
import { describePacer, progressBar, renderProgress, type ProgressInput } from '../../src/bot/progress-view.js';
import { formatBytes, formatDuration } from '../../src/bot/format.js';

const NOW = 1_750_000_000_000;

function job(status: JobStatus, extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 7, link: 'https://open.spotify.com/playlist/x', sourceType: 'playlist', sourceId: 'x', name: 'Summer Mix', backend: 'user',
    total: 10, status, pauseReason: null, options: { limit: null, startFrom: 1, batchSize: 12, organizeBy: 'playlist', yearFolders: false, outputDir: '/music', fileTemplate: '', quality: 'high' },
    warnings: [], createdAt: NOW, updatedAt: NOW, startedAt: NOW, finishedAt: null, progressChatId: null, progressMessageId: null, ...extra,
  };
}

function counts(partial: Partial<TrackCounts>): TrackCounts {
  return { ...emptyCounts(), ...partial };
}

function track(id: number, state: TrackRecord['state'], title = `Song ${id}`): TrackRecord {
  return {
    id, jobId: 7, position: id, spotifyId: null, artists: ['Daft Punk'], title, album: null, durationMs: 200_000, isrc: null, releaseYear: null,
    state, attempts: 1, lastError: null, nextAttemptAt: null, requestMessageId: null, menuMessageId: null, pickedRow: null, fileMessageId: null,
    receivedFile: null, filePath: null, quarantinePath: null, audio: null, rememberedChoice: null, createdAt: NOW, updatedAt: NOW,
  };
}

const idlePacer: PacerState = { floodUntil: null, nextMessageAt: NOW, sentToday: 12, dailyBudget: 400, describe: '' };
const floodPacer: PacerState = { floodUntil: NOW + 42_000, nextMessageAt: NOW + 42_000, sentToday: 80, dailyBudget: 400, describe: 'waiting 42 s: Telegram flood limit' };

function input(partial: Partial<ProgressInput>): ProgressInput {
  return { job: job('running'), counts: counts({ queued: 10 }), inFlight: [], receivedBytes: 0, etaSeconds: null, pacer: idlePacer, now: NOW, ...partial };
}

const buttons = (i: ProgressInput) => renderProgress(i).buttons.flat().map((b) => `${b.text}=${b.action}:${b.id}`);

describe('renderProgress', () => {
  const cases: { name: string; input: ProgressInput; lines: string[]; buttons: string[] }[] = [
    {
      name: 'just started',
      input: input({}),
      lines: ['Summer Mix · job #7', '⬇️ running', '░░░░░░░░░░░░░░░░ 0% (0/10)', '✅ 0 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 0 failed', 'Pacer: 12/400 messages today'],
      buttons: ['⏸ Pause=pause:7', '✖️ Cancel=cancel:7'],
    },
    {
      name: 'half way with tracks in flight, bytes, ETA and a flood wait',
      input: input({
        counts: counts({ done: 3, skipped: 1, not_found: 1, queued: 3, downloading: 1, requested: 1 }),
        inFlight: [track(6, 'downloading', 'One More Time'), track(7, 'requested')],
        trackBytes: new Map([[6, { receivedBytes: 10 * 1024 * 1024, totalBytes: 40 * 1024 * 1024 }]]),
        receivedBytes: 150 * 1024 * 1024,
        etaSeconds: 185,
        pacer: floodPacer,
      }),
      lines: [
        'Summer Mix · job #7',
        '⬇️ running',
        '▓▓▓▓▓▓▓▓░░░░░░░░ 50% (5/10)',
        '✅ 4 found (1 had) · ❔ 1 not found',
        '⚠️ 0 mismatch · ❌ 0 failed',
        'In flight (2):',
        '6. One More Time · 10/40.0 MB',
        '7. Song 7 · asked',
        'received 150 MB · ETA 3 min 05 s',
        'Pacer: waiting 42 s: Telegram flood limit · 80/400 messages today',
      ],
      buttons: ['⏸ Pause=pause:7', '✖️ Cancel=cancel:7', '🔎 Missing (1)=missing:7'],
    },
    {
      name: 'paused by a safety stop, with failures',
      input: input({ job: job('paused', { pauseReason: 'the bot showed a Premium offer' }), counts: counts({ done: 2, failed: 2, queued: 6 }), etaSeconds: 99 }),
      lines: ['Summer Mix · job #7', '⏸ paused: the bot showed a Premium offer', '▓▓▓▓▓▓░░░░░░░░░░ 40% (4/10)', '✅ 2 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 2 failed'],
      buttons: ['▶️ Resume=resume:7', '✖️ Cancel=cancel:7', '🔁 Retry failed (2)=retryFailed:7', '🔎 Missing (2)=missing:7'],
    },
    {
      name: 'finished: no pacer, no ETA, no pause',
      input: input({ job: job('done'), counts: counts({ done: 8, mismatch: 1, not_found: 1 }), receivedBytes: 2 * 1024 ** 3, etaSeconds: 5 }),
      lines: ['Summer Mix · job #7', '✅ finished', '▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100% (10/10)', '✅ 8 found · ❔ 1 not found', '⚠️ 1 mismatch · ❌ 0 failed', 'received 2.0 GB'],
      buttons: ['🔎 Missing (2)=missing:7'],
    },
    {
      name: 'cancelled: no buttons but missing',
      input: input({ job: job('cancelled'), counts: counts({ done: 1, queued: 9 }) }),
      lines: ['Summer Mix · job #7', '✖️ cancelled', '▓▓░░░░░░░░░░░░░░ 10% (1/10)', '✅ 1 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 0 failed'],
      buttons: [],
    },
    {
      name: 'many tracks in flight are cut to five lines',
      input: input({ counts: counts({ requested: 7, queued: 3 }), inFlight: [1, 2, 3, 4, 5, 6, 7].map((i) => track(i, 'requested')) }),
      lines: [
        'Summer Mix · job #7', '⬇️ running', '░░░░░░░░░░░░░░░░ 0% (0/10)', '✅ 0 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 0 failed', 'In flight (7):',
        '1. Song 1 · asked', '2. Song 2 · asked', '3. Song 3 · asked', '4. Song 4 · asked', '5. Song 5 · asked',
        '… and 2 more', 'Pacer: 12/400 messages today',
      ],
      buttons: ['⏸ Pause=pause:7', '✖️ Cancel=cancel:7'],
    },
    {
      name: 'paused with tracks asked before the pause: nothing is "in flight"',
      input: input({ job: job('paused', { pauseReason: 'paused by you' }), counts: counts({ done: 2, requested: 1, queued: 7 }), inFlight: [track(3, 'requested')] }),
      lines: ['Summer Mix · job #7', '⏸ paused: paused by you', '▓▓▓░░░░░░░░░░░░░ 20% (2/10)', '✅ 2 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 0 failed', '1 track asked for before the pause'],
      buttons: ['▶️ Resume=resume:7', '✖️ Cancel=cancel:7'],
    },
    {
      name: 'cancelled with a track left in "requested": nothing in flight',
      input: input({ job: job('cancelled'), counts: counts({ done: 1, requested: 1, queued: 8 }), inFlight: [track(2, 'requested')] }),
      lines: ['Summer Mix · job #7', '✖️ cancelled', '▓▓░░░░░░░░░░░░░░ 10% (1/10)', '✅ 1 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 0 failed'],
      buttons: [],
    },
    {
      name: 'waiting for the session: Log in instead of a Resume that cannot work, no raw code',
      input: input({ job: job('paused', { pauseReason: 'Telegram is not logged in yet: log in first' }), counts: counts({ queued: 10 }) }),
      lines: ['Summer Mix · job #7', '⏸ waiting for you to /login', '░░░░░░░░░░░░░░░░ 0% (0/10)', '✅ 0 found · ❔ 0 not found', '⚠️ 0 mismatch · ❌ 0 failed'],
      buttons: ['🔑 Log in=login:7', '✖️ Cancel=cancel:7'],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      expect(renderProgress(c.input).text.split('\n')).toEqual(c.lines);
      expect(buttons(c.input)).toEqual(c.buttons);
      // Lines Crate writes itself (not a pause reason) fit a phone line.
      for (const line of renderProgress(c.input).text.split('\n').filter((l) => !l.startsWith('⏸ paused:') && !l.startsWith('Pacer:'))) {
        expect([...line].length, line).toBeLessThanOrEqual(36);
      }
    });
  }

  it('is deterministic: the same input renders the same text (so unchanged progress is never re-sent)', () => {
    const i = cases[1]!.input;
    expect(renderProgress(i)).toEqual(renderProgress({ ...i }));
  });

  it('stays far below Telegram’s 4096-character limit even with long names', () => {
    const long = 'x'.repeat(500);
    const view = renderProgress(input({ job: job('paused', { name: long, pauseReason: long }), inFlight: [1, 2, 3, 4, 5, 6].map((i) => track(i, 'requested', long)) }));
    expect(view.text.length).toBeLessThan(1200);
  });
});

describe('pieces', () => {
  it.each([
    [0, 10, '░░░░░░░░░░░░░░░░ 0%'],
    [10, 10, '▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100%'],
    [1, 3, '▓▓▓▓▓░░░░░░░░░░░ 33%'],
    [5, 0, '░░░░░░░░░░░░░░░░ 0%'],
  ])('progressBar(%i, %i)', (done, total, expected) => expect(progressBar(done, total)).toBe(expected));

  it.each([
    [42, '42 s'],
    [185, '3 min 05 s'],
    [7440, '2 h 04 min'],
  ])('formatDuration(%i)', (s, expected) => expect(formatDuration(s)).toBe(expected));

  it.each([
    [512, '512 B'],
    [1536, '1.5 KB'],
    [45 * 1024 * 1024, '45.0 MB'],
    [150 * 1024 * 1024, '150 MB'],
  ])('formatBytes(%i)', (b, expected) => expect(formatBytes(b)).toBe(expected));

  it('describePacer falls back to the remaining wait when the pacer gives no text', () => {
    expect(describePacer({ ...floodPacer, describe: '' }, NOW)).toBe('Pacer: waiting 42 s: Telegram flood limit · 80/400 messages today');
  });
});
