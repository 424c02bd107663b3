import { describe, expect, it } from 'vitest';
import { attributeFiles, explainAttribution } from '../../src/matching/attribute.js';
import type { IncomingFile, PendingRequest } from '../../src/matching/types.js';

const r = (id: string, artists: string[], title: string, durationMs: number | null = null, extra: Partial<PendingRequest> = {}): PendingRequest => ({
  id,
  artists,
  title,
  durationMs,
  ...extra,
});
const f = (id: string, fileName: string, tags: Omit<IncomingFile, 'id' | 'fileName'> = {}): IncomingFile => ({ id, fileName, ...tags });

const rainOriginal = r('rain-original', ['Kerri Chandler'], 'Rain - Original Mix', 431_060);
const rainDub = r('rain-dub', ['Kerri Chandler'], 'Rain - Dub', 428_050);
const slippy = r('slippy', ['Underworld'], 'Born Slippy .NUXX', 584_620, { album: 'Trainspotting' });
const slippyShort = r('slippy-short', ['Underworld'], 'Born Slippy .NUXX - Short', 237_070, { album: 'Born Slippy' });
const milesOne = r('miles-1', ['DJ Sodeyama'], 'Miles Pt.1', 401_400);
const milesTwo = r('miles-2', ['DJ Sodeyama'], 'Miles Pt.2', 415_040);
const glue = r('glue', ['Bicep'], 'Glue', 269_320, { isrc: 'SEU0Y0260515' });

describe('attributeFiles', () => {
  it('names files that arrive out of order after the right requests', () => {
    const got = attributeFiles(
      [milesOne, milesTwo, rainOriginal, rainDub],
      [
        f('a', 'Kerri Chandler - Rain (Dub).flac'),
        f('b', '03. DJ Sodeyama - Miles Pt.2.flac', { artist: 'DJ Sodeyama', title: 'Miles Pt.2', durationMs: 414_880 }),
        f('c', 'Kerri Chandler - Rain.flac', { durationMs: 430_800 }),
        f('d', 'DJ Sodeyama - Miles Pt.1.flac'),
      ],
    );
    expect(got).toEqual({ a: 'rain-dub', b: 'miles-2', c: 'rain-original', d: 'miles-1' });
  });

  it('gives null to files answering no pending request (stale or unsolicited)', () => {
    const got = attributeFiles(
      [rainDub, slippyShort],
      [
        f('stale-original', 'Kerri Chandler - Rain.flac', { artist: 'Kerri Chandler', title: 'Rain', durationMs: 430_780 }),
        f('stale-long', 'Underworld - Born Slippy .NUXX.flac'),
        f('other', 'Daft Punk - Around the World.flac', { artist: 'Daft Punk', title: 'Around the World', durationMs: 429_900 }),
        f('isrc-other', 'Bicep - Glue.flac', { isrc: 'SEU0Y0260515' }),
      ],
    );
    expect(got).toEqual({ 'stale-original': null, 'stale-long': null, other: null, 'isrc-other': null });
  });

  it('gives each request at most one file', () => {
    const got = attributeFiles([glue], [f('1', 'Bicep - Glue.flac', { durationMs: 269_100 }), f('2', 'Bicep - Glue.flac', { durationMs: 269_300 })]);
    expect(Object.values(got).filter((v) => v === 'glue')).toHaveLength(1);
    expect(got['2']).toBe('glue');
  });

  it('decides globally, not first come first served', () => {
    // "rain" (untagged) fits both plain requests; the tagged file fits the Original Mix clearly better.
    const rainAlbum = r('rain-album', ['Kerri Chandler'], 'Rain', 445_000, { album: 'Kerri Chandler Presents' });
    const got = attributeFiles(
      [rainOriginal, rainAlbum],
      [f('untagged', 'Kerri Chandler - Rain.flac'), f('tagged', 'Kerri Chandler - Rain.flac', { artist: 'Kerri Chandler', title: 'Rain', durationMs: 431_200 })],
    );
    expect(got).toEqual({ untagged: 'rain-album', tagged: 'rain-original' });
  });

  it('leaves a file unassigned when two different pending requests fit it equally', () => {
    const rainAlbum = r('rain-album', ['Kerri Chandler'], 'Rain', 445_000);
    const [a] = explainAttribution([rainOriginal, rainAlbum], [f('x', 'Kerri Chandler - Rain.flac')]);
    expect(a).toMatchObject({ requestId: null, reason: expect.stringContaining('ambiguous') });
  });

  it('two identical copies: the first one answers, the second gets null', () => {
    expect(attributeFiles([glue], [f('1', 'Bicep - Glue.flac'), f('2', 'Bicep - Glue.flac')])).toEqual({ '1': 'glue', '2': null });
  });

  it('a track asked twice (same recording) still gets its file', () => {
    const again = { ...glue, id: 'glue-again' };
    expect(attributeFiles([glue, again], [f('x', 'Bicep - Glue.flac')]).x).toMatch(/^glue/);
  });

  it('an ISRC match is certain; an ISRC mismatch is never accepted', () => {
    expect(attributeFiles([glue], [f('x', 'whatever.flac', { isrc: 'SEU0Y0260515' })]).x).toBe('glue');
    expect(attributeFiles([glue], [f('x', 'Bicep - Glue.flac', { isrc: 'GBAAA0000001', durationMs: 269_320 })]).x).toBeNull();
  });

  it('tells the same title in different versions apart by words and length', () => {
    const got = attributeFiles(
      [slippy, slippyShort],
      [f('short', 'Underworld - BORN SLIPPY .NUXX (SHORT).flac'), f('long', '09. Underworld - born slippy .nuxx.flac', { durationMs: 585_720 })],
    );
    expect(got).toEqual({ short: 'slippy-short', long: 'slippy' });
  });

  it('reads cut-off file names', () => {
    const lawrence = r('lawrence', ['坂本龍一'], 'Merry Christmas Mr. Lawrence', 285_900);
    const instrumental = r('instr', ['Larry Heard'], 'Can You Feel It - Instrumental', 394_030);
    const plain = r('plain', ['Larry Heard'], 'Can You Feel It', 391_600);
    const got = attributeFiles(
      [lawrence, instrumental, plain],
      [f('1', '坂本龍一 - Merry Christmas Mr. Lawren.flac'), f('2', 'Larry Heard - Can You Feel It (Instrumen.flac'), f('3', 'Larry Heard - Can You Feel It.flac')],
    );
    expect(got).toEqual({ '1': 'lawrence', '2': 'instr', '3': 'plain' });
  });

  it('a name cut right after "(" or " - " had a version, but which one is unknown', () => {
    expect(attributeFiles([slippyShort], [f('x', 'Underworld - Born Slippy .NUXX - .flac')]).x).toBe('slippy-short');
    expect(attributeFiles([slippy, slippyShort], [f('x', 'Underworld - Born Slippy .NUXX (.flac')]).x).toBeNull();
    expect(attributeFiles([slippy, slippyShort], [f('x', 'Underworld - Born Slippy .NUXX - Sho.flac')]).x).toBe('slippy-short');
  });

  it('a plain file is not the dub even when its length is 1.5 s from the dub', () => {
    expect(attributeFiles([rainDub], [f('x', 'Kerri Chandler - Rain.flac', { artist: 'Kerri Chandler', title: 'Rain', durationMs: 429_600 })]).x).toBeNull();
  });

  it('does not take a short complete name for a cut-off one', () => {
    // "Glue" is a whole word and the name is short: it is the title "Glue", not a cut "Glued".
    expect(attributeFiles([r('glued', ['Bicep'], 'Glued', 250_000)], [f('x', 'Bicep - Glue.flac')]).x).toBeNull();
  });

  it('accepts an alias artist only through the row picked for that request', () => {
    const larry = r('larry', ['Larry Heard'], 'Can You Feel It - Instrumental', 394_000);
    const file = f('x', 'Mr. Fingers - Can You Feel It (Instrumental).flac', { durationMs: 394_300 });
    expect(attributeFiles([larry], [file]).x).toBeNull();
    expect(attributeFiles([{ ...larry, pickedRow: 'Mr. Fingers - Can You Feel It (Instrumental) [6:34]' }], [file]).x).toBe('larry');
  });

  it('a file with no name, tags or ISRC answers nobody', () => {
    expect(attributeFiles([glue], [{ id: 'x' }])).toEqual({ x: null });
  });

  it('explains refusals with the closest pending request', () => {
    const [a] = explainAttribution([rainDub], [f('x', 'Kerri Chandler - Rain.flac', { artist: 'Kerri Chandler', title: 'Rain', durationMs: 430_780 })]);
    expect(a).toMatchObject({ requestId: null, closest: { requestId: 'rain-dub', reason: 'version differs' } });
  });

  it('handles empty inputs', () => {
    expect(attributeFiles([], [f('x', 'Bicep - Glue.flac')])).toEqual({ x: null });
    expect(attributeFiles([glue], [])).toEqual({});
  });

  it('stays well under a second for 1,000 attributions against a 30-request window', () => {
    const requests = Array.from({ length: 30 }, (_, i) => r(`r${i}`, [`Artist ${i % 7}`], `Track Number ${i}${i % 3 === 0 ? ' - Extended Mix' : ''}`, 200_000 + i * 7_000));
    const files = Array.from({ length: 30 }, (_, i) =>
      f(`f${i}`, `${String(i + 1).padStart(2, '0')}. Artist ${(i + 3) % 7} - Track Number ${(i * 7) % 40}.flac`, i % 2 ? { durationMs: 200_000 + i * 7_000 } : {}),
    );
    attributeFiles(requests, files); // warm-up: the first call compiles the regular expressions
    const t0 = performance.now();
    for (let round = 0; round < 34; round++) attributeFiles(requests, files.map((x) => ({ ...x, id: `${x.id}-${round}` })));
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
