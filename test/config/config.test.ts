import { describe, expect, it } from 'vitest';
import { MIN_MESSAGE_GAP_SECONDS, parseConfig, requireSettings, secretValues } from '../../src/config.js';
import { UserError } from '../../src/domain/errors.js';

const full = {
  TELEGRAM_BOT_TOKEN: '123456789:AAH-abcdefghijklmnopqrstuvwxyz012345',
  TELEGRAM_OWNER_ID: '42',
  TELEGRAM_API_ID: '1234567',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_PHONE_NUMBER: '+441234567890',
  SPOTIFY_CLIENT_ID: 'cid',
  SPOTIFY_CLIENT_SECRET: 'csecret',
};

function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = parseConfig({});
    expect(c.telegram.botApiRoot).toBe('https://api.telegram.org');
    expect(c.telegram.externalBot).toBe('@LosslessRobot');
    expect(c.spotify.apiUrl).toBe('https://api.spotify.com');
    expect(c.spotify.accountsUrl).toBe('https://accounts.spotify.com');
    expect(c.spotify.webUrl).toBe('https://open.spotify.com');
    expect(c.dataDir).toBe('./data');
    expect(c.downloadFolder).toBe('./downloads');
    expect(c.messageGapSeconds).toBe(3);
    expect(c.maxRetries).toBe(3);
    expect(c.quality).toBe('high');
    expect(c.losslessMode).toBe('chat');
    expect(c.fileTemplate).toBe('{artists} - {title}');
    expect(c.warnings).toEqual([]);
  });

  it('reads every setting', () => {
    const c = parseConfig({
      ...full,
      EXTERNAL_BOT_USERNAME: 'OtherBot',
      SPOTIFY_API_URL: 'http://127.0.0.1:9999/',
      DELAY_BETWEEN_REQUESTS: '4.5',
      MAX_RETRIES: '5',
      RESPONSE_TIMEOUT: '600',
      LOSSLESS_QUALITY: 'MAX',
      LOG_LEVEL: 'debug',
    });
    expect(c.telegram.ownerId).toBe(42);
    expect(c.telegram.apiId).toBe(1234567);
    expect(c.telegram.externalBot).toBe('@OtherBot');
    expect(c.spotify.apiUrl).toBe('http://127.0.0.1:9999');
    expect(c.messageGapSeconds).toBe(4.5);
    expect(c.maxRetries).toBe(5);
    expect(c.responseTimeoutSeconds).toBe(600);
    expect(c.quality).toBe('max');
    expect(c.logLevel).toBe('debug');
  });

  it.each(['0', '1.99', '0.5'])('raises DELAY_BETWEEN_REQUESTS=%s to the 2 s floor and says so', (gap) => {
    const c = parseConfig({ DELAY_BETWEEN_REQUESTS: gap });
    expect(c.messageGapSeconds).toBe(MIN_MESSAGE_GAP_SECONDS);
    expect(c.warnings.join('\n')).toMatch(/floor/);
  });

  it.each([
    ['DELAY_BETWEEN_REQUESTS', 'fast', /DELAY_BETWEEN_REQUESTS: must be a number/],
    ['DELAY_BETWEEN_REQUESTS', '-3', /DELAY_BETWEEN_REQUESTS: must be at least 0/],
    ['MAX_RETRIES', '2.5', /MAX_RETRIES: must be a whole number/],
    ['RESPONSE_TIMEOUT', '1', /RESPONSE_TIMEOUT: must be at least 10/],
    ['TELEGRAM_OWNER_ID', '@me', /TELEGRAM_OWNER_ID: must be your numeric Telegram user id/],
    ['TELEGRAM_BOT_TOKEN', 'nope', /TELEGRAM_BOT_TOKEN: does not look like a bot token/],
    ['TELEGRAM_API_HASH', 'xyz', /TELEGRAM_API_HASH: must be the 32-character api_hash/],
    ['SPOTIFY_API_URL', 'ftp://x', /SPOTIFY_API_URL: must be an http\(s\) URL/],
    ['LOSSLESS_QUALITY', 'ultra', /LOSSLESS_QUALITY: must be one of high, max/],
    ['EXTERNAL_BOT_USERNAME', '@x', /EXTERNAL_BOT_USERNAME: must be a Telegram username/],
  ])('rejects %s=%s with a message naming the setting', (key, value, message) => {
    const err = userErrorOf(() => parseConfig({ [key]: value }));
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('    at ');
  });

  it('lists every bad setting at once', () => {
    const err = userErrorOf(() => parseConfig({ MAX_RETRIES: 'x', LOG_LEVEL: 'loud' }));
    expect(err.message).toMatch(/MAX_RETRIES/);
    expect(err.message).toMatch(/LOG_LEVEL/);
  });
});

describe('requireSettings', () => {
  it('names every missing setting and where to get it', () => {
    const err = userErrorOf(() => requireSettings(parseConfig({}), ['controlBot', 'telegramUser']));
    expect(err.message).toContain('TELEGRAM_BOT_TOKEN: create your control bot with @BotFather');
    expect(err.message).toContain('TELEGRAM_OWNER_ID');
    expect(err.message).toContain('TELEGRAM_API_ID: my.telegram.org');
    expect(err.message).toContain('TELEGRAM_API_HASH');
    expect(err.hint).toMatch(/\.env/);
  });

  it('passes when what a command needs is there', () => {
    expect(() => requireSettings(parseConfig(full), ['controlBot', 'telegramUser', 'spotifyApp'])).not.toThrow();
  });

  it('a dry run needs nothing from Telegram', () => {
    expect(() => requireSettings(parseConfig({}), [])).not.toThrow();
  });
});

describe('secretValues', () => {
  it('collects the configured secrets for log scrubbing', () => {
    expect(secretValues(parseConfig(full)).sort()).toEqual(
      [full.TELEGRAM_BOT_TOKEN, full.TELEGRAM_API_HASH, full.TELEGRAM_PHONE_NUMBER, full.SPOTIFY_CLIENT_SECRET].sort(),
    );
  });
});
