import { describe, expect, it } from 'vitest';
import { CALLBACK_ACTIONS, decodeCallback, encodeCallback } from '../../src/bot/callback-data.js';
import { extractSpotifyLinks } from '../../src/bot/features/link.js';
import { normalizePhone, parseLoginCode } from '../../src/bot/features/login.js';
import { parseSettingsCommand } from '../../src/bot/features/settings.js';
import { scrubSecrets } from '../../src/bot/errors.js';

describe('callback data', () => {
  it('round-trips every action and stays far below 64 bytes', () => {
    for (const action of Object.keys(CALLBACK_ACTIONS) as (keyof typeof CALLBACK_ACTIONS)[]) {
      const data = encodeCallback(action, 123456789, 19);
      expect(data.length).toBeLessThan(30);
      expect(decodeCallback(data)).toEqual({ action, id: 123456789, arg: 19 });
    }
    expect(decodeCallback(encodeCallback('pause', 3))).toEqual({ action: 'pause', id: 3, arg: null });
  });

  it.each(['', 'garbage', '2|pa|3', '1|zz|3', '1|pa|-3', '1|pa|3|', '1|pa|3|4|5', `1|pa|${'9'.repeat(70)}`, '1|pa|abc'])('refuses %j', (data) => {
    expect(decodeCallback(data)).toBeNull();
  });

  it('refuses a negative id when encoding', () => {
    expect(() => encodeCallback('pause', -1)).toThrow();
  });
});

describe('login input', () => {
  it.each([
    ['1-2-3-4-5', { digits: '12345', separated: true }],
    ['1 2 3 4 5', { digits: '12345', separated: true }],
    ['1a2a3a4a5', { digits: '12345', separated: true }],
    ['12.34.56', { digits: '123456', separated: true }],
    ['12345', { digits: '12345', separated: false }],
    ['1-2-3', null],
    ['1234567', null],
    ['hello', null],
  ])('parseLoginCode(%j)', (text, expected) => expect(parseLoginCode(text)).toEqual(expected));

  it.each([
    ['+44 20 1234 5678', '+442012345678'],
    ['0044-20-1234-5678', '+442012345678'],
    ['(+1) 555 123 4567', '+15551234567'],
    ['call me', null],
    ['123', null],
  ])('normalizePhone(%j)', (text, expected) => expect(normalizePhone(text)).toBe(expected));
});

describe('/settings arguments', () => {
  it.each([
    ['gap 3.5', { messageGapSeconds: 3.5 }],
    ['gap 2', { messageGapSeconds: 2 }],
    ['delay 4s', { messageGapSeconds: 4 }],
    ['gap 2,5', { messageGapSeconds: 2.5 }],
    ['batch 10', { batchSize: 10 }],
    ['quality MAX', { quality: 'max' }],
  ])('accepts %j', (args, patch) => expect(parseSettingsCommand(args)).toEqual(patch));

  it.each([
    ['gap 1.9', "can't be below 2 s"],
    ['gap 0', "can't be below 2 s"],
    ['gap fast', 'must be a number'],
    ['batch 0', 'from 1 to 50'],
    ['batch 2.5', 'from 1 to 50'],
    ['quality low', 'high (16 bit) or max'],
    ['colour blue', 'no setting'],
    ['gap', 'Use /settings'],
  ])('refuses %j', (args, message) => expect(() => parseSettingsCommand(args)).toThrow(message));
});

describe('links in messages', () => {
  it('finds every form, in order, once', () => {
    expect(
      extractSpotifyLinks(
        'a https://open.spotify.com/playlist/37i9abc?si=x and open.spotify.com/intl-de/album/1AbC then spotify:playlist:XyZ123 https://open.spotify.com/playlist/37i9abc?si=x https://spotify.link/AbCd',
      ),
    ).toEqual([
      'https://open.spotify.com/playlist/37i9abc?si=x',
      'https://open.spotify.com/intl-de/album/1AbC',
      'spotify:playlist:XyZ123',
      'https://spotify.link/AbCd',
    ]);
    expect(extractSpotifyLinks('see here', [{ type: 'text_link', offset: 4, length: 4, url: 'https://open.spotify.com/track/T1' }])).toEqual([
      'https://open.spotify.com/track/T1',
    ]);
    expect(extractSpotifyLinks('https://example.com/playlist/1 nothing')).toEqual([]);
  });
});

describe('scrubSecrets', () => {
  it('removes configured secrets and anything shaped like a bot token', () => {
    expect(scrubSecrets('hash deadbeefcafe and 123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789 done', ['deadbeefcafe'])).toBe(
      'hash [redacted] and [redacted-token] done',
    );
  });
});
