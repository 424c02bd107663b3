import { describe, expect, it } from 'vitest';
import { pickMenuRow } from '../../src/lossless/picker.js';
import type { RequestedTrack } from '../../src/matching/types.js';

const req = (artists: string[], title: string, durationMs: number | null = null): RequestedTrack => ({ id: 'r', artists, title, durationMs });
const PAGING = ['◉', '1 / 16', '→', '💾 Скачать страницу'];

// The real layout of a @LosslessRobot search reply (ARCHITECTURE.md §3).
const SATISFACTION = [
  'Benny Benassi - Satisfaction [4:45]',
  'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]',
  'Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]',
  'Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [2:23]',
  ...PAGING,
];

describe('pickMenuRow on the real menu layout', () => {
  it.each([
    ['the original', req(['Benny Benassi'], 'Satisfaction', 285_400), 0],
    ['the remix, by its remixer', req(['Benny Benassi'], 'Satisfaction - RL Grime Remix', 259_900), 1],
    ['a version the page does not have', req(['Benny Benassi'], 'Satisfaction - Extended Mix', 410_000), null],
    ['a different remixer', req(['Benny Benassi'], 'Satisfaction - Dirty Mix', 259_000), null],
    ['the cover, when the cover itself is asked for', req(['Alon Renser'], 'Satisfaction (Benny Benassi Cover)', 232_500), 2],
  ])('%s', (_name, request, want) => {
    expect(pickMenuRow(request, SATISFACTION).index).toBe(want);
  });
});

describe('never a service, paging, quality or promo button', () => {
  it.each([
    [['😎 Подключить Premium со скидкой'], 'premium promo'],
    [['📼 Low', 'High (16bit) 💿', '📀 Max (До 24bit/192kHz) ✅', '← Назад'], 'quality menu'],
    [PAGING, 'no track rows'],
    [[], 'no track rows'],
  ])('%j', (buttons, reason) => {
    const r = pickMenuRow(req(['Bicep'], 'Glue', 269_000), buttons);
    expect(r.index).toBeNull();
    expect(r.reason).toContain(reason);
  });
});

describe('never a decoy row', () => {
  it('skips a same-length karaoke row for the original', () => {
    const rows = ['Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [4:45]', 'Benny Benassi - Satisfaction [4:45]'];
    expect(pickMenuRow(req(['Benny Benassi'], 'Satisfaction', 285_000), rows).index).toBe(1);
  });

  it.each([
    'Glue Tribute Band - Glue (Bicep Cover) [4:29]',
    'Glue Tribute Band - Glue [4:29]',
    'Chicago Karaoke Stars - Glue (Karaoke Version) [4:29]',
    'The Hit Crew - Glue (Made Famous by Bicep) [4:29]',
    'Party Hits - Glue (In the Style of Bicep) [4:29]',
    'Studio Band - Glue (Originally Performed by Bicep) [4:29]',
  ])('%s is never picked, even with the same length', (row) => {
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_500), [row, ...PAGING]).index).toBeNull();
  });
});

describe('duration and version words', () => {
  it('duration decides between two rows with the same words', () => {
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_500), ['Bicep - Glue [3:20]', 'Bicep - Glue [4:29]']).index).toBe(1);
  });

  it('version words must agree: the edit is not the album version', () => {
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_500), ['Bicep - Glue (Edit) [3:20]', 'Bicep - Glue [4:29]']).index).toBe(1);
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_500), ['Bicep - Glue (Edit) [3:20]']).index).toBeNull();
  });

  it('the Original Mix counts as the plain version', () => {
    expect(pickMenuRow(req(['Kerri Chandler'], 'Rain', 431_000), ['Kerri Chandler - Rain (Original Mix) [7:11]']).index).toBe(0);
    expect(pickMenuRow(req(['Kerri Chandler'], 'Rain - Original Mix', 431_000), ['Kerri Chandler - Rain [7:11]']).index).toBe(0);
  });

  it('picks the extended mix over the original mix', () => {
    const rows = ['Carl Cox - I Want You (Forever) (Original Mix) [5:50]', 'Carl Cox - I Want You (Forever) (Extended Mix) [6:50]'];
    expect(pickMenuRow(req(['Carl Cox'], 'I Want You (Forever) - Extended Mix', 410_900), rows).index).toBe(1);
  });

  it('a length label (short/edit/extended) may differ when the lengths agree', () => {
    const rows = ['Underworld - Born Slippy .NUXX [9:44]', 'Underworld - Born Slippy .NUXX [3:57]'];
    expect(pickMenuRow(req(['Underworld'], 'Born Slippy .NUXX - Short', 237_070), rows)).toMatchObject({ index: 1, reason: expect.stringContaining('lengths agree') });
  });

  it('a content label (dub, remix, live, instrumental) never gives way to a length', () => {
    expect(pickMenuRow(req(['Kerri Chandler'], 'Rain - Dub', 428_050), ['Kerri Chandler - Rain [7:08]']).index).toBeNull();
    expect(pickMenuRow(req(['Four Tet'], 'Baby', 310_000), ['Four Tet - Baby (Live) [5:10]']).index).toBeNull();
    expect(pickMenuRow(req(['Mr. Fingers'], 'Can You Feel It', 394_000), ['Mr. Fingers - Can You Feel It (Instrumental) [6:34]']).index).toBeNull();
  });

  it('an exact title may differ by up to ~15 s, not more', () => {
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_000), ['Bicep - Glue [4:40]']).index).toBe(0);
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_000), ['Bicep - Glue [4:50]']).index).toBeNull();
  });

  it('a row whose length agrees beats a same-words row that is 10 s off', () => {
    const rows = ['Bicep - Glue [4:39]', 'Bicep - Glue (Radio Edit) [4:29]'];
    expect(pickMenuRow(req(['Bicep'], 'Glue', 269_300), rows).index).toBe(1);
  });

  it('a named remaster year must not contradict', () => {
    const rows = ['Fleetwood Mac - Dreams (2011 Remaster) [4:17]', 'Fleetwood Mac - Dreams [4:17]'];
    expect(pickMenuRow(req(['Fleetwood Mac'], 'Dreams - 2004 Remaster', 257_820), rows).index).toBe(1);
    expect(pickMenuRow(req(['Fleetwood Mac'], 'Dreams - 2004 Remaster', 257_820), ['Fleetwood Mac - Dreams (2004 Remaster) [4:17]']).index).toBe(0);
  });

  it('an unknown length is not a veto, but then the words must agree', () => {
    expect(pickMenuRow(req(['Four Tet', 'Ellie Goulding'], 'Baby'), ['Four Tet - Baby [4:30]']).index).toBe(0);
    expect(pickMenuRow(req(['Four Tet'], 'Baby'), ['Four Tet - Baby (Live) [5:10]']).index).toBeNull();
  });
});

describe('spellings', () => {
  it.each([
    [req(['Róisín Murphy'], 'Overpowered', 247_200), ['Roisin Murphy - Overpowered [4:07]', 'Róisín Murphy - Overpowered (Seiji Remix) [6:12]'], 0],
    [req(['Four Tet', 'Ellie Goulding'], 'Baby', 270_500), ['Four Tet - Baby (feat. Ellie Goulding) [4:30]'], 0],
    [req(['Caribou'], "Can't Do Without You", 236_430), ['Caribou - Can’t Do Without You [3:56]'], 0],
    [req(['坂本龍一'], 'Merry Christmas Mr. Lawrence', 285_900), ['坂本龍一 - Merry Christmas Mr. Lawrence [4:45]'], 0],
    [req(['Четыре Татами'], 'Лето', 312_410), ['Четыре Татами - Лето [5:12]'], 0],
    [req(['DJ Sodeyama'], 'Miles Pt.2', 415_040), ['DJ Sodeyama - Miles Pt.1 [6:41]', 'DJ Sodeyama - Miles Pt. 2 [6:55]'], 1],
    [req(['Sébastien Léger'], 'Lanterns', 422_470), ['Sebastien Leger - Lanterns [7:02]'], 0],
    [req(['Daft Punk'], 'Get Lucky - Radio Edit', 248_000), ['Daft Punk - Get Lucky (Radio Ed… [4:08]'], 0],
  ])('%j', (request, rows, want) => {
    expect(pickMenuRow(request, rows).index).toBe(want);
  });

  it('a different title is never picked, however close the length', () => {
    expect(pickMenuRow(req(['Amelie Lens'], 'Feel It', 393_710), ['Mr. Fingers - Can You Feel It [6:33]', 'Amelie Lens - Feel The Rhythm [6:33]']).index).toBeNull();
  });
});

describe('artist aliases', () => {
  const rows = ['Mr. Fingers - Can You Feel It [6:31]', 'Mr. Fingers - Can You Feel It (Instrumental) [6:34]'];

  it('when the requested artist is on no row, the one row with the same title, version and length wins', () => {
    expect(pickMenuRow(req(['Larry Heard'], 'Can You Feel It - Instrumental', 394_000), rows)).toMatchObject({ index: 1, reason: expect.stringContaining('alias') });
  });

  it('no alias when the length is unknown or not close', () => {
    expect(pickMenuRow(req(['Larry Heard'], 'Can You Feel It - Instrumental'), rows).index).toBeNull();
    expect(pickMenuRow(req(['Larry Heard'], 'Can You Feel It - Instrumental', 400_000), rows).index).toBeNull();
  });

  it('no alias when the requested artist is on the page', () => {
    expect(pickMenuRow(req(['Larry Heard'], 'Can You Feel It - Instrumental', 394_000), ['Larry Heard - Can You Feel It (Live) [8:00]', ...rows]).index).toBeNull();
  });

  it('no alias when two rows by other artists fit', () => {
    const two = [...rows, 'Fingers Inc. - Can You Feel It (Instrumental) [6:34]'];
    expect(pickMenuRow(req(['Larry Heard'], 'Can You Feel It - Instrumental', 394_000), two)).toMatchObject({ index: null, reason: expect.stringContaining('ambiguous') });
  });
});

describe("the owner's remembered choice", () => {
  it('wins when present on the page', () => {
    const r = pickMenuRow(req(['Benny Benassi'], 'Satisfaction', 285_000), SATISFACTION, { preferredRowText: 'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]' });
    expect(r).toEqual({ index: 1, reason: "owner's remembered choice" });
  });

  it('falls back to the rules when absent, and never points at a service button', () => {
    expect(pickMenuRow(req(['Benny Benassi'], 'Satisfaction', 285_000), SATISFACTION, { preferredRowText: 'Someone - Else [1:00]' }).index).toBe(0);
    expect(pickMenuRow(req(['Benny Benassi'], 'Satisfaction', 285_000), SATISFACTION, { preferredRowText: '→' }).index).toBe(0);
  });
});
