import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { UserError } from '../../src/domain/errors.js';
import { outputTarget, settingsConflicts } from '../../src/library/convert/player-profiles.js';

describe('settings for DJs', () => {
  it('defaults: fill tags, FLAC as it comes, hard links, both DJ playlist kinds', () => {
    expect(parseConfig({}).library).toEqual({
      tags: 'fill',
      player: 'none',
      outputFormat: undefined,
      maxSampleRate: undefined,
      maxBitDepth: undefined,
      linkMode: 'hardlink',
      djPlaylists: ['rekordbox', 'traktor'],
      musicRoot: undefined,
    });
  });

  it('reads every setting', () => {
    const c = parseConfig({
      TAGS: 'Overwrite',
      PLAYER: 'XDJ-1000MK2',
      OUTPUT_FORMAT: 'aiff',
      MAX_SAMPLE_RATE: '48k',
      MAX_BIT_DEPTH: '16',
      LINK_MODE: 'reference',
      DJ_PLAYLISTS: 'rekordbox',
      DJ_MUSIC_ROOT: 'D:\\Crate',
    });
    expect(c.library).toEqual({
      tags: 'overwrite',
      player: 'xdj-1000mk2',
      outputFormat: 'aiff',
      maxSampleRate: 48000,
      maxBitDepth: 16,
      linkMode: 'reference',
      djPlaylists: ['rekordbox'],
      musicRoot: 'D:\\Crate',
    });
    expect(parseConfig({ DJ_PLAYLISTS: 'none' }).library.djPlaylists).toEqual([]);
  });

  it('says what is wrong with each bad value, all at once', () => {
    let err: unknown;
    try {
      parseConfig({ TAGS: 'always', PLAYER: 'cdj-1000', OUTPUT_FORMAT: 'mp3', MAX_SAMPLE_RATE: '50000', LINK_MODE: 'symlink', DJ_PLAYLISTS: 'serato', DJ_MUSIC_ROOT: 'Music' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const text = (err as UserError).message;
    expect(text).toMatch(/TAGS: must be one of fill, overwrite, keep, got "always"/);
    expect(text).toMatch(/PLAYER: must be one of cdj-3000/);
    expect(text).toMatch(/OUTPUT_FORMAT: must be one of flac, aiff, wav, got "mp3"/);
    expect(text).toMatch(/MAX_SAMPLE_RATE: must be one of 44100, 48000/);
    expect(text).toMatch(/LINK_MODE: must be one of hardlink, copy, reference/);
    expect(text).toMatch(/DJ_PLAYLISTS: must be rekordbox, traktor/);
    expect(text).toMatch(/DJ_MUSIC_ROOT: must be an absolute path/);
  });

  it.each([
    [{ player: 'cdj-3000' }, { format: 'flac', maxSampleRate: 96000, maxBitDepth: 24 }],
    [{ player: 'xdj-rx3' }, { format: 'flac', maxSampleRate: 48000, maxBitDepth: 24 }],
    [{ player: 'cdj-2000nxs' }, { format: 'aiff', maxSampleRate: 48000, maxBitDepth: 16 }],
    [{ player: 'xdj-700', outputFormat: 'wav', maxSampleRate: 44100 }, { format: 'wav', maxSampleRate: 44100, maxBitDepth: 16 }],
    [{ player: 'none' }, { format: 'flac', maxSampleRate: null, maxBitDepth: null }],
  ] as const)('PLAYER picks the output: %j → %j', (settings, target) => {
    expect(outputTarget(settings)).toEqual(target);
    expect(settingsConflicts(settings)).toEqual([]);
  });

  it('names the settings a player would not play', () => {
    expect(settingsConflicts({ player: 'cdj-900nxs', outputFormat: 'flac', maxSampleRate: 96000 })).toEqual([
      'OUTPUT_FORMAT=flac: the CDJ-900NXS does not play FLAC files (it takes AIFF, WAV)',
      'MAX_SAMPLE_RATE=96000: the CDJ-900NXS plays at most 48 kHz',
    ]);
  });
});
