import { describe, expect, it } from 'vitest';
import { finishedView } from '../../src/bot/notifications.js';
import { emptyCounts, type JobRecord } from '../../src/domain/job.js';

const job = {
  id: 3,
  name: 'Warm Up',
  status: 'done',
  options: { outputDir: '/music' },
} as unknown as JobRecord;

describe('completion notice', () => {
  it('carries the library notes (files the player would not load) as warnings', () => {
    const counts = { ...emptyCounts(), done: 2 };
    const view = finishedView(job, counts, '/music/Warm Up/Warm Up.m3u8', 1000, ['2 files will not play on the CDJ-900NXS: FLAC is not supported (2).']);
    expect(view.text).toContain('⚠️ 2 files will not play on the CDJ-900NXS: FLAC is not supported (2).');
    expect(finishedView(job, counts, null, 1000).text).not.toContain('⚠️');
  });
});
