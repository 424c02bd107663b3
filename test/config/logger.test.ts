import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addSecrets, createLogger, loginFlowLogger, secretsOf } from '../../src/logger.js';

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

describe('createLogger scrubs by value, everywhere (issue 12 item 10)', () => {
  const refresh = 'AQDrefreshTOKENstoredByTheBot1234567890';

  it('at any depth, in %o / %j arguments and URL-encoded', () => {
    const out = capture();
    const log = createLogger({ level: 'trace', secrets: [token, apiHash, phone], destination: out.stream, pretty: false });
    let deep: Record<string, unknown> = { note: `hash ${apiHash}` };
    for (let i = 0; i < 12; i++) deep = { level: deep };
    log.info({ deep }, 'nested twelve levels');
    log.info('args %o and %j', { url: `https://x/bot${token}/getMe` }, { hash: apiHash });
    log.info({ body: `phone_number=${encodeURIComponent(phone)}&hash=${apiHash}` }, 'form body');
    log.info(`GET https://api.telegram.org/bot${encodeURIComponent(token)}/getMe`);
    log.info(`lower-case escapes ${encodeURIComponent(token).replace('%3A', '%3a')}`);
    const text = out.text();
    for (const s of [token, apiHash, phone, encodeURIComponent(phone), encodeURIComponent(token), 'AAH-abcdefghijklmnopqrstuvwxyz012345']) {
      expect(text).not.toContain(s);
    }
    expect(text.trim().split('\n')).toHaveLength(5);
    expect(text).toContain('"level":{"level"');
  });

  it('scrubs a secret added while running, in the root and in children made before', () => {
    const out = capture();
    const log = createLogger({ level: 'info', secrets: [], destination: out.stream, pretty: false });
    const child = log.child({ component: 'spotify' });
    child.info(`before ${refresh}`);
    addSecrets(log, refresh);
    child.info(`after ${refresh}`);
    log.info({ nested: { url: `https://x/?t=${encodeURIComponent(refresh)}` } }, 'after, root');
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toContain(refresh); // not known yet: the point of registering it
    expect(lines.slice(1).join('\n')).not.toContain(refresh);
    expect(secretsOf(child)?.values()).toContain(refresh);
  });

  it('keeps errno and RPC codes; redacts `code` only in the login flow', () => {
    const out = capture();
    const log = createLogger({ level: 'info', secrets: [], destination: out.stream, pretty: false });
    const err = Object.assign(new Error('mkdir failed'), { code: 'EACCES', syscall: 'mkdir', path: '/data' });
    log.warn({ err }, 'cannot create the folder');
    log.info({ result: { code: 'FLOOD_WAIT' } }, 'rpc');
    loginFlowLogger(log).info({ code: '24680', step: 'code' }, 'login step');
    loginFlowLogger(log).info({ attempt: { code: '13579' } }, 'login step nested');
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toContain('"code":"EACCES"');
    expect(lines[0]).toContain('"syscall":"mkdir"');
    expect(lines[1]).toContain('"code":"FLOOD_WAIT"');
    expect(lines[2]).not.toContain('24680');
    expect(lines[3]).not.toContain('13579');
    expect(lines[2]).toContain('"step":"code"');
  });
});
