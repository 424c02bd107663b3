import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackInfo } from '../../../src/domain/track.js';
import type { Cover, CoverSource } from '../../../src/library/tags/cover-source.js';
import { FlacTagger } from '../../../src/library/tags/flac-tagger.js';
import { imageInfo } from '../../../src/library/tags/image-info.js';
import { FLAC_FIXTURES } from '../../fixtures/paths.js';
import { cover300, cover640, encodeTone, metaflacList, metaflacTags, pcmHash } from './support.js';

const track: TrackInfo = {
  position: 1,
  spotifyId: 'sp-rain',
  artists: ['Kerri Chandler', 'Jerome Sydenham'],
  title: 'Rain (Original Mix)',
  album: 'Rain',
  durationMs: 2000,
  isrc: 'USABC9800001',
  releaseYear: 1998,
  albumArtists: ['Kerri Chandler'],
  trackNumber: 3,
  discNumber: 1,
  releaseDate: '1998-06-01',
  coverUrl: 'http://covers.test/rain',
};

/** Serves one fixed image and counts how often it was asked. */
class FixedCovers implements CoverSource {
  asked = 0;
  constructor(private readonly data: Buffer | null) {}
  async cover(): Promise<Cover | null> {
    this.asked++;
    return this.data ? { data: this.data, info: imageInfo(this.data)! } : null;
  }
}

describe('FlacTagger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-tags-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const copy = (name: string) => {
    const to = path.join(dir, name);
    copyFileSync(path.join(FLAC_FIXTURES, name), to);
    return to;
  };

  it('fills what the bot left out and embeds the front cover; metaflac and music-metadata read it back; audio unchanged', async () => {
    const file = copy('kerri-chandler-rain-16-44.flac');
    const pcmBefore = pcmHash(file);
    const tagger = new FlacTagger({ mode: 'fill', covers: new FixedCovers(cover640()) });
    const out = await tagger.tag(file, track);

    // The fixture has no padding: the new blocks cannot fit, so the file was rebuilt beside itself.
    expect(out.written).toBe('rewritten');
    expect(out.changed).toEqual(['ALBUMARTIST', 'TRACKNUMBER', 'DISCNUMBER']);
    expect(out.cover).toBe('added');
    expect(pcmHash(file)).toBe(pcmBefore);

    const tags = metaflacTags(file);
    // The bot's own tags stay as they were (a single ARTIST, its DATE); the missing ones arrive.
    expect(tags).toMatchObject({
      ARTIST: ['Kerri Chandler'],
      TITLE: ['Rain (Original Mix)'],
      ALBUM: ['Rain'],
      ISRC: ['USABC9800001'],
      DATE: ['1998'],
      ALBUMARTIST: ['Kerri Chandler'],
      TRACKNUMBER: ['3'],
      DISCNUMBER: ['1'],
    });
    const list = metaflacList(file);
    expect(list).toMatch(/type: 6 \(PICTURE\)[\s\S]*type: 3 \(Cover \(front\)\)[\s\S]*MIME type: image\/jpeg[\s\S]*width: 640[\s\S]*height: 640/);
    expect(list).toMatch(/type: 1 \(PADDING\)[\s\S]*length: 8192/);

    const meta = await parseFile(file);
    expect(meta.common.albumartist).toBe('Kerri Chandler');
    expect(meta.common.track.no).toBe(3);
    expect(meta.common.disk.no).toBe(1);
    expect(meta.common.picture?.[0]?.format).toBe('image/jpeg');
    expect(meta.common.picture?.[0]?.type).toBe('Cover (front)');
    expect(Buffer.from(meta.common.picture![0]!.data).equals(cover640())).toBe(true);
    expect(meta.format.sampleRate).toBe(44100);
  });

  it('a second write fits in the padding left by the first: in place, the audio never moves', async () => {
    const file = copy('kerri-chandler-rain-16-44.flac');
    await new FlacTagger({ mode: 'fill', covers: new FixedCovers(cover300()) }).tag(file, track);
    const sizeBefore = statSync(file).size;
    const pcmBefore = pcmHash(file);
    const out = await new FlacTagger({ mode: 'overwrite', covers: new FixedCovers(cover640()) }).tag(file, track);
    expect(out.written).toBe('in-place');
    expect(out.cover).toBe('replaced');
    // The bot's "1998" is right for a 1998-06-01 release: kept even in overwrite mode.
    expect(out.changed).toEqual(['ARTIST']);
    expect(statSync(file).size).toBe(sizeBefore);
    expect(pcmHash(file)).toBe(pcmBefore);
    expect(metaflacTags(file)).toMatchObject({ ARTIST: ['Kerri Chandler', 'Jerome Sydenham'], DATE: ['1998'] });
    const meta = await parseFile(file);
    expect(meta.common.picture).toHaveLength(1);
    expect(Buffer.from(meta.common.picture![0]!.data).equals(cover640())).toBe(true);
  });

  it('an untagged file from the reference encoder gets every field and a comment block', async () => {
    const file = copy('notags.flac');
    const out = await new FlacTagger({ mode: 'fill' }).tag(file, { ...track, coverUrl: null });
    expect(out.changed).toEqual(['TITLE', 'ARTIST', 'ALBUM', 'ALBUMARTIST', 'DATE', 'TRACKNUMBER', 'DISCNUMBER', 'ISRC']);
    expect(out.cover).toBe('none');
    expect(metaflacTags(file)).toEqual({
      TITLE: ['Rain (Original Mix)'],
      ARTIST: ['Kerri Chandler', 'Jerome Sydenham'],
      ALBUM: ['Rain'],
      ALBUMARTIST: ['Kerri Chandler'],
      DATE: ['1998-06-01'],
      TRACKNUMBER: ['3'],
      DISCNUMBER: ['1'],
      ISRC: ['USABC9800001'],
    });
    const meta = await parseFile(file);
    expect(meta.common.artists).toEqual(['Kerri Chandler', 'Jerome Sydenham']);
  });

  it('uses the encoder padding in place for a first write (24-bit file from sox + flac)', async () => {
    const file = encodeTone(dir, 'tone', { bits: 24, rate: 96000, padding: 65536, tags: ['ARTIST=Kerri Chandler', 'TITLE=Rain (Original Mix)'] });
    const size = statSync(file).size;
    const pcm = pcmHash(file);
    const out = await new FlacTagger({ mode: 'fill', covers: new FixedCovers(cover640()) }).tag(file, track);
    expect(out.written).toBe('in-place');
    expect(statSync(file).size).toBe(size);
    expect(pcmHash(file)).toBe(pcm);
    expect(metaflacTags(file).ALBUM).toEqual(['Rain']);
    expect(metaflacList(file)).toMatch(/Cover \(front\)/);
  });

  it('keep writes nothing at all', async () => {
    const file = copy('kerri-chandler-rain-16-44.flac');
    const bytes = readFileSync(file);
    const covers = new FixedCovers(cover640());
    const out = await new FlacTagger({ mode: 'keep', covers }).tag(file, track);
    expect(out).toMatchObject({ written: 'no', changed: [], cover: 'none' });
    expect(covers.asked).toBe(0);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('fill leaves an existing front cover alone and does not even fetch one', async () => {
    const file = copy('kerri-chandler-rain-16-44.flac');
    await new FlacTagger({ mode: 'fill', covers: new FixedCovers(cover300()) }).tag(file, track);
    const covers = new FixedCovers(cover640());
    const out = await new FlacTagger({ mode: 'fill', covers }).tag(file, track);
    expect(out).toMatchObject({ written: 'no', cover: 'kept' });
    expect(covers.asked).toBe(0);
    expect(out.frontCover?.info).toMatchObject({ mime: 'image/jpeg', width: 300, height: 300 });
  });

  it('refuses a file that is not FLAC and leaves it as it was', async () => {
    const file = copy('not-flac.flac');
    const bytes = readFileSync(file);
    await expect(new FlacTagger({ mode: 'fill' }).tag(file, track)).rejects.toThrow(/ID3 tag sits before the FLAC header|not a FLAC file/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
