import { describe, expect, it } from 'vitest';
import { classifyButton, parseTrackRow } from '../../src/lossless/menu-row.js';

describe('parseTrackRow', () => {
  it.each([
    ['Benny Benassi - Satisfaction [4:45]', 'Benny Benassi', 'Satisfaction', 285_000],
    ['Benny Benassi - Satisfaction (RL Grime Remix) [4:19]', 'Benny Benassi', 'Satisfaction (RL Grime Remix)', 259_000],
    [
      'Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [2:23]',
      'Ameritz Countdown Karaoke',
      'Satisfaction (In the Style of Benny Benassi) [Karaoke Version]',
      143_000,
    ],
    ['Fleetwood Mac - Dreams - 2004 Remaster [4:17]', 'Fleetwood Mac', 'Dreams - 2004 Remaster', 257_000],
    ['Jeff Mills - Live at Liquid Room [1:02:33]', 'Jeff Mills', 'Live at Liquid Room', 3_753_000],
    ['Four Tet, Ellie Goulding - Baby [4:30]', 'Four Tet, Ellie Goulding', 'Baby', 270_000],
    ['Четыре Татами - Лето [5:12]', 'Четыре Татами', 'Лето', 312_000],
    ['Bicep - Glue', 'Bicep', 'Glue', null],
  ])('%s', (text, artist, title, durationMs) => {
    expect(parseTrackRow(text)).toEqual({ artist, title, durationMs });
  });

  it('is null for texts that are not "Artist - Title"', () => {
    expect(parseTrackRow('◉')).toBeNull();
    expect(parseTrackRow('📀 Max (До 24bit/192kHz) ✅')).toBeNull();
    expect(parseTrackRow('Satisfaction [4:45]')).toBeNull();
  });
});

describe('classifyButton', () => {
  it.each([
    ['Benny Benassi - Satisfaction [4:45]', 'track'],
    ['Lighthouse Family - High [5:10]', 'track'],
    ['◉', 'paging'],
    ['1 / 16', 'paging'],
    ['2/16', 'paging'],
    ['→', 'paging'],
    ['←', 'paging'],
    ['💾 Скачать страницу', 'download-page'],
    ['📼 Low', 'quality'],
    ['High (16bit) 💿', 'quality'],
    ['📀 Max (До 24bit/192kHz) ✅', 'quality'],
    ['← Назад', 'back'],
    ['😎 Подключить Premium со скидкой', 'promo'],
    ['Подождите, трек скоро скачается.', 'wait'],
    ['something else', 'other'],
  ])('%s → %s', (text, kind) => {
    expect(classifyButton(text).kind).toBe(kind);
  });
});
