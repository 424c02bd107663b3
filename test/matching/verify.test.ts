import { describe, expect, it } from 'vitest';
import type { FileFacts, RequestedTrack } from '../../src/matching/types.js';
import { verifyFile } from '../../src/matching/verify.js';

const dreams: RequestedTrack = { id: 'd020', artists: ['Fleetwood Mac'], title: 'Dreams - 2004 Remaster', album: 'Rumours', durationMs: 257_820, isrc: 'RU11G6183137' };
const rainDub: RequestedTrack = { id: 'd004', artists: ['Kerri Chandler'], title: 'Rain - Dub', album: 'Rain', durationMs: 428_050, isrc: 'DEU2K6915439' };
const rainOriginal: RequestedTrack = { id: 'd003', artists: ['Kerri Chandler'], title: 'Rain - Original Mix', album: 'Rain', durationMs: 431_060, isrc: null };
const illumination: RequestedTrack = { id: 'd025', artists: ['DJ Koze', 'Róisín Murphy'], title: 'Illumination', durationMs: 300_150, isrc: 'JPS6L6603027' };
const slippyShort: RequestedTrack = { id: 'd023', artists: ['Underworld'], title: 'Born Slippy .NUXX - Short', durationMs: 237_070 };
const instrumental: RequestedTrack = { id: 'd038', artists: ['Larry Heard'], title: 'Can You Feel It - Instrumental', durationMs: 394_030 };

describe('verifyFile: ISRC first', () => {
  it('equal ISRC accepts, even when the title spells no version', () => {
    expect(verifyFile(dreams, null, { artist: 'Fleetwood Mac', title: 'Dreams', isrc: 'RU11G6183137', durationMs: 259_190 })).toEqual({ ok: true });
  });

  it('different ISRC rejects, even when everything else agrees', () => {
    expect(verifyFile(dreams, null, { artist: 'Fleetwood Mac', title: 'Dreams - 2004 Remaster', isrc: 'USWB10400000', durationMs: 257_800 })).toEqual({ ok: false, reason: 'ISRC differs' });
  });

  it('ISRC spelled with hyphens or lower case is the same ISRC', () => {
    expect(verifyFile(dreams, null, { title: 'Dreams', isrc: 'ru-11g-61-83137' }).ok).toBe(true);
  });
});

describe('verifyFile: title, version, artist, length', () => {
  it.each<[string, RequestedTrack, FileFacts, boolean]>([
    ['tags agree', illumination, { artist: 'DJ Koze', title: 'Illumination', durationMs: 300_750 }, true],
    ['one of several artists is enough', illumination, { fileName: 'DJ Koze - Illumination.flac' }, true],
    ['artists joined by ; in the tag', illumination, { artist: 'DJ Koze; Róisín Murphy', title: 'Illumination' }, true],
    ['another artist is rejected', illumination, { artist: 'Moodymann', title: 'Illumination', durationMs: 300_150 }, false],
    ['another title is rejected', illumination, { artist: 'DJ Koze', title: 'Pick Up', durationMs: 300_150 }, false],
    ['remaster is the same recording as the plain name', dreams, { fileName: '02. Fleetwood Mac - Dreams.flac' }, true],
    ['another remaster year is another master', dreams, { artist: 'Fleetwood Mac', title: 'Dreams (2011 Remaster)', durationMs: 257_820, isrc: null }, false],
    ['Original Mix is the plain version', rainOriginal, { fileName: 'Kerri Chandler - Rain.flac', durationMs: 430_000 }, true],
    ['the dub is not the original mix', rainOriginal, { fileName: 'Kerri Chandler - Rain (Dub).flac' }, false],
    ['the plain name is not the dub, even 1.5 s apart', rainDub, { artist: 'Kerri Chandler', title: 'Rain', durationMs: 429_600 }, false],
    ['the dub in " - " style', rainDub, { fileName: 'Kerri Chandler - rain - dub.flac' }, true],
    ['short vs plain name with no length: rejected', slippyShort, { fileName: 'Underworld - Born Slippy .NUXX.flac' }, false],
    ['short vs plain name whose length agrees: a dropped length label', slippyShort, { fileName: 'Underworld - Born Slippy .NUXX.flac', durationMs: 236_550 }, true],
    ['short vs the long plain version', slippyShort, { fileName: 'Underworld - Born Slippy .NUXX.flac', durationMs: 584_620 }, false],
    ['within 3 s', illumination, { artist: 'DJ Koze', title: 'Illumination', durationMs: 302_900 }, true],
    ['exact words may be 15 s off', illumination, { artist: 'DJ Koze', title: 'Illumination', durationMs: 314_000 }, true],
    ['more than 15 s off is another recording', illumination, { artist: 'DJ Koze', title: 'Illumination', durationMs: 330_000 }, false],
    ['unknown length is no veto', instrumental, { artist: 'Larry Heard', title: 'Can You Feel It (Instrumental)' }, true],
    ['cut-off file name keeps its version', instrumental, { fileName: 'Larry Heard - Can You Feel It (Instrumen.flac' }, true],
    ['cut-off version that contradicts', instrumental, { fileName: 'Larry Heard - Can You Feel It (Acapp.flac' }, false],
    ['a title with no artist anywhere needs a close length', instrumental, { title: 'Can You Feel It (Instrumental)' }, false],
    ['… and passes with one', instrumental, { title: 'Can You Feel It (Instrumental)', durationMs: 393_000 }, true],
    ['sanitised file name', { id: 'x', artists: ['AC/DC'], title: 'Who Made Who?' }, { fileName: 'AC_DC - Who Made Who_.flac' }, true],
    ['non-Latin script', { id: 'x', artists: ['Четыре Татами'], title: 'Лето' }, { fileName: '09. Четыре Татами - Лето.flac' }, true],
  ])('%s', (_name, request, facts, ok) => {
    expect(verifyFile(request, null, facts).ok).toBe(ok);
  });

  it('a file with nothing to check is rejected', () => {
    expect(verifyFile(illumination, null, {})).toEqual({ ok: false, reason: expect.stringContaining('no title') });
  });

  it('gives the reason', () => {
    expect(verifyFile(rainOriginal, null, { fileName: 'Kerri Chandler - Rain (Dub).flac' })).toEqual({ ok: false, reason: 'version differs' });
  });
});

describe('verifyFile with the picked row', () => {
  const larryHeard: RequestedTrack = { id: 'd038', artists: ['Larry Heard'], title: 'Can You Feel It - Instrumental', durationMs: 394_000 };

  it('the row lends its artist: an alias the file carries', () => {
    const facts = { artist: 'Mr. Fingers', title: 'Can You Feel It (Instrumental)', durationMs: 394_200 };
    expect(verifyFile(larryHeard, null, facts).ok).toBe(false);
    expect(verifyFile(larryHeard, 'Mr. Fingers - Can You Feel It (Instrumental) [6:34]', facts).ok).toBe(true);
  });

  it('the alias does not excuse another version', () => {
    const facts = { artist: 'Mr. Fingers', title: 'Can You Feel It', durationMs: 391_000 };
    expect(verifyFile(larryHeard, 'Mr. Fingers - Can You Feel It (Instrumental) [6:34]', facts).ok).toBe(false);
  });

  it("the row's length stands in when Spotify gave none", () => {
    const noLength: RequestedTrack = { id: 'x', artists: ['Bicep'], title: 'Glue' };
    expect(verifyFile(noLength, 'Bicep - Glue [4:29]', { artist: 'Bicep', title: 'Glue', durationMs: 269_400 }).ok).toBe(true);
    expect(verifyFile(noLength, 'Bicep - Glue [4:29]', { artist: 'Bicep', title: 'Glue', durationMs: 200_000 }).ok).toBe(false);
  });
});
