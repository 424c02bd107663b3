import { describe, expect, it } from 'vitest';
import { compact, fold, parseFileName, parseTitle, splitArtists } from '../../src/matching/normalize.js';

describe('fold', () => {
  it.each([
    ['Róisín Murphy', 'roisin murphy'],
    ['Bjørke', 'bjorke'],
    ['Æon Flux', 'aeon flux'],
    ['Straße', 'strasse'],
    ['Đorđe Balašević', 'dorde balasevic'],
    ['Łona', 'lona'],
    ['Sébastien Léger', 'sebastien leger'],
    ['Âme', 'ame'],
    ['Can’t Do Without You', 'cant do without you'],
    ["CAN'T DO WITHOUT YOU", 'cant do without you'],
    ['H.E.R.', 'her'],
    ['Miles Pt.1', 'miles part 1'],
    ['Miles Pt. 2', 'miles part 2'],
    ['Rock & Roll', 'rock and roll'],
    ['AC_DC', 'ac dc'],
    ['What_s Up_', 'what s up'],
    ['Четыре Татами', 'четыре татами'],
    ['Ёлка', 'ёлка'],
    ['坂本龍一', '坂本龍一'],
    ['ＦＵＬＬ　ＷＩＤＴＨ', 'full width'],
  ])('%s → %s', (input, want) => {
    expect(fold(input)).toBe(want);
  });

  it('compact drops the spaces so spellings meet', () => {
    expect(compact('Mr.Fingers')).toBe(compact('Mr. Fingers'));
    expect(compact('AC/DC')).toBe(compact('AC_DC'));
  });
});

describe('splitArtists', () => {
  it.each([
    ['Ben Böhmer & Nils Hoffmann & Malou', ['benbohmer', 'nilshoffmann', 'malou']],
    ['Ben Bohmer; Nils Hoffmann; Malou', ['benbohmer', 'nilshoffmann', 'malou']],
    ['DJ Koze, Róisín Murphy', ['djkoze', 'roisinmurphy']],
    ['Disclosure and Sam Smith', ['disclosure', 'samsmith']],
    ['Four Tet feat. Ellie Goulding', ['fourtet', 'elliegoulding']],
    ['Four Tet ft. Ellie Goulding', ['fourtet', 'elliegoulding']],
    ['Four Tet featuring Ellie Goulding', ['fourtet', 'elliegoulding']],
    ['Fred again.. x Brian Eno', ['fredagain', 'brianeno']],
    ['KAYTRANADA; H.E.R.', ['kaytranada', 'her']],
    ['The Chemical Brothers', ['chemicalbrothers']],
    ['坂本龍一', ['坂本龍一']],
    ['', []],
  ])('%s', (input, want) => {
    expect(splitArtists(input)).toEqual(want);
  });
});

describe('parseTitle: bracket styles are one', () => {
  it.each([
    ['Apricots - Extended Mix', 'Apricots (Extended Mix)'],
    ['Apricots - Extended Mix', 'Apricots [Extended Mix]'],
    ['The Transition - Ame Remix', 'The Transition (Âme Remix)'],
    ['Born Slippy .NUXX - Short', 'BORN SLIPPY .NUXX (SHORT)'],
    ['Can You Feel It - Instrumental', 'can you feel it (instrumental)'],
    ['Dreams - 2004 Remaster', 'Dreams (2004 Remaster)'],
    ['Dreams - 2004 Remaster', 'Dreams (Remastered 2004)'],
  ])('%s ≡ %s', (a, b) => {
    const pa = parseTitle(a);
    const pb = parseTitle(b);
    expect(pa.key).toBe(pb.key);
    expect(pa.version.tags).toEqual(pb.version.tags);
    expect(pa.version.who).toEqual(pb.version.who);
    expect(pa.version.remasterYear).toBe(pb.version.remasterYear);
  });
});

describe('parseTitle: version words are extracted, not thrown away', () => {
  it.each([
    ['Rain - Original Mix', 'rain', [], []],
    ['I Want You (Forever) (Original Mix)', 'i want you forever', [], []],
    ['I Want You (Forever) - Extended Mix', 'i want you forever', ['extended'], []],
    ['Rain - Dub', 'rain', ['dub'], []],
    ['Rain (Dub Mix)', 'rain', ['dub'], []],
    ['(It Goes Like) Nanana - Edit', 'it goes like nanana', ['edit'], []],
    ['Song (Radio Edit)', 'song', ['edit'], []],
    ['Song - Radio Version', 'song', ['edit'], []],
    ['Born Slippy .NUXX - Short', 'born slippy nuxx', ['edit'], []],
    ['Song (Live)', 'song', ['live'], []],
    ['Song - Live at Wembley 1986', 'song', ['live'], []],
    ['Song (Acoustic)', 'song', ['acoustic'], []],
    ['Song (Unplugged)', 'song', ['acoustic'], []],
    ['Can You Feel It (Instrumental)', 'can you feel it', ['instrumental'], []],
    ['Song (Club Mix)', 'song', ['club'], []],
    ['Song (VIP)', 'song', ['vip'], []],
    ['Song (Skream VIP Mix)', 'song', ['vip'], ['skream']],
    ['Song (Rework)', 'song', ['rework'], []],
    ['Never Grow Old - Re-Plant', 'never grow old', ['replant'], []],
    ['Satisfaction (RL Grime Remix)', 'satisfaction', ['remix'], ['rlgrime']],
    ['Overpowered (Seiji Remix)', 'overpowered', ['remix'], ['seiji']],
    ['Song (Dixon Edit)', 'song', ['edit'], ['dixon']],
    ['Song (Extended Version)', 'song', ['extended'], []],
  ])('%s', (title, base, tags, who) => {
    const p = parseTitle(title);
    expect(p.base).toBe(base);
    expect(p.version.tags).toEqual(tags);
    expect(p.version.who).toEqual(who);
  });

  it('keeps the remaster year, as a soft word (the same recording)', () => {
    const p = parseTitle('Dreams - 2004 Remaster');
    expect(p.version.tags).toEqual([]);
    expect(p.version.remasterYear).toBe(2004);
  });

  it('keeps brackets that are part of the title', () => {
    expect(parseTitle('(It Goes Like) Nanana').base).toBe('it goes like nanana');
    expect(parseTitle('I Want You (Forever)').base).toBe('i want you forever');
    expect(parseTitle('Dreams (1999)').base).toBe('dreams');
  });

  it('flags decoys: cover, tribute, karaoke, in the style of, made famous by', () => {
    for (const t of [
      'Satisfaction (Benny Benassi Cover)',
      'Satisfaction (In the Style of Benny Benassi) [Karaoke Version]',
      'Glue (Made Famous by Bicep)',
      'Glue (Tribute to Bicep)',
      'Glue (Originally Performed by Bicep)',
    ]) {
      expect(parseTitle(t).version.decoy, t).toBe(true);
    }
    expect(parseTitle('Satisfaction').version.decoy).toBe(false);
  });

  it('takes feat. out of the title into featured artists', () => {
    expect(parseTitle('Baby (feat. Ellie Goulding)')).toMatchObject({ base: 'baby', featured: ['Ellie Goulding'] });
    expect(parseTitle('Baby [ft. Ellie Goulding]')).toMatchObject({ base: 'baby', featured: ['Ellie Goulding'] });
    expect(parseTitle('Baby feat. Ellie Goulding')).toMatchObject({ base: 'baby', featured: ['Ellie Goulding'] });
    expect(parseTitle('Baby (with Ellie Goulding)')).toMatchObject({ base: 'baby', featured: ['Ellie Goulding'] });
  });

  it('keeps a cut-off version as a partial', () => {
    const p = parseTitle('Can You Feel It (Instrumen');
    expect(p.base).toBe('can you feel it');
    expect(p.version.partial).toBe('instrumen');
  });

  it('keeps non-Latin titles as they are', () => {
    expect(parseTitle('Лето').key).toBe('лето');
    expect(parseTitle('戦場のメリークリスマス').key).toBe('戦場のメリークリスマス');
  });
});

describe('parseFileName', () => {
  it.each([
    ['02. Fleetwood Mac - Dreams.flac', 'Fleetwood Mac', 'Dreams', false],
    ['Fleetwood Mac - Dreams - 2004 Remaster.flac', 'Fleetwood Mac', 'Dreams - 2004 Remaster', false],
    ['09. Четыре Татами - Лето.flac', 'Четыре Татами', 'Лето', false],
    ['07 - Bicep - Glue.flac', 'Bicep', 'Glue', false],
    ['2 Unlimited - Get Ready.flac', '2 Unlimited', 'Get Ready', false],
    ['/music/in/Bicep - Glue.FLAC', 'Bicep', 'Glue', false],
    ['Larry Heard - Can You Feel It (Instrumen.flac', 'Larry Heard', 'Can You Feel It (Instrumen', true],
    ['04. The Chemical Brothers - Hey Boy Hey .flac', 'The Chemical Brothers', 'Hey Boy Hey', true],
    ['Untitled.flac', null, 'Untitled', false],
  ])('%s', (name, artist, title, cut) => {
    expect(parseFileName(name)).toMatchObject({ artist, title, unbalanced: cut });
  });
});
