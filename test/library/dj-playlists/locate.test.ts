import { describe, expect, it } from 'vitest';
import { djPath, rekordboxLocation, traktorLocation } from '../../../src/library/dj-playlists/locate.js';

describe('where the DJ computer finds a file', () => {
  it.each([
    ['/srv/music/Late Night/A - B.flac', '/srv/music', null, '/srv/music/Late Night/A - B.flac'],
    ['/srv/music/Late Night/A - B.flac', '/srv/music', '/Volumes/DJUSB/Crate', '/Volumes/DJUSB/Crate/Late Night/A - B.flac'],
    ['/srv/music/Late Night/A - B.flac', '/srv/music/', 'D:\\Crate\\', 'D:/Crate/Late Night/A - B.flac'],
  ])('%s under %s seen at %s → %s', (file, root, musicRoot, expected) => {
    expect(djPath(file, root, musicRoot)).toBe(expected);
  });

  it.each([
    ['/Users/dj/Music/Late Night/A & B - C (Remix).flac', 'file://localhost/Users/dj/Music/Late%20Night/A%20%26%20B%20-%20C%20(Remix).flac'],
    ['/Volumes/USB/夜/Róisín #1.aiff', 'file://localhost/Volumes/USB/%E5%A4%9C/R%C3%B3is%C3%ADn%20%231.aiff'],
    ['D:/Crate/Late Night/x.wav', 'file://localhost/D:/Crate/Late%20Night/x.wav'],
    ["/m/it's.flac", 'file://localhost/m/it%27s.flac'],
  ])('Rekordbox Location of %s', (file, expected) => {
    expect(rekordboxLocation(file)).toBe(expected);
    if (!file.startsWith('D:')) expect(decodeURIComponent(expected.slice('file://localhost'.length))).toBe(file);
  });

  it.each([
    ['/Volumes/DJUSB/Crate/Late Night/x.flac', { volume: 'DJUSB', dir: '/:Crate/:Late Night/:', file: 'x.flac', key: 'DJUSB/:Crate/:Late Night/:x.flac' }],
    ['D:/Crate/x.flac', { volume: 'D:', dir: '/:Crate/:', file: 'x.flac', key: 'D:/:Crate/:x.flac' }],
    ['/srv/music/x.flac', { volume: '', dir: '/:srv/:music/:', file: 'x.flac', key: '/:srv/:music/:x.flac' }],
  ])('Traktor LOCATION of %s', (file, expected) => {
    expect(traktorLocation(file)).toEqual(expected);
  });
});
