import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const token = '123456789:AAH-abcdefghijklmnopqrstuvwxyz012345';
const apiHash = '0123456789abcdef0123456789abcdef';
const phone = '+441234567890';

describe('createLogger', () => {
  it('never writes a configured secret, at any level, in messages, fields or errors', () => {
    const out = capture();
    const log = createLogger({ level: 'trace', secrets: [token, apiHash, phone], destination: out.stream, pretty: false });
    log.trace(`calling https://api.telegram.org/bot${token}/getMe`);
    log.debug({ apiHash, nested: { phoneNumber: phone, note: `hash=${apiHash}` } }, 'login');
    log.info({ err: new Error(`failed for ${phone}`, { cause: new Error(`token ${token}`) }) }, 'oops');
    log.warn({ session: '1BVtsOK...long-session-string' }, 'session loaded');
    log.error({ refreshToken: 'AQD-refresh' }, 'spotify');
    const text = out.text();
    expect(text).not.toContain(token);
    expect(text).not.toContain(apiHash);
    expect(text).not.toContain(phone);
    expect(text).not.toContain('1BVtsOK');
    expect(text).not.toContain('AQD-refresh');
    expect(text).toContain('[redacted]');
    expect(text.trim().split('\n')).toHaveLength(5);
  });

  it('scrubs bot tokens it was not told about', () => {
    const out = capture();
    const log = createLogger({ level: 'info', secrets: [], destination: out.stream, pretty: false });
    log.info('copied url https://api.telegram.org/bot987654321:ZZZ-abcdefghijklmnopqrstuvwxyz0123456/sendMessage');
    expect(out.text()).not.toContain('ZZZ-abcdefghijklmnopqrstuvwxyz0123456');
  });
});
