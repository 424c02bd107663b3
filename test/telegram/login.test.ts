import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { UserError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logger.js';
import { LoginFlow, parseLoginCode } from '../../src/telegram/login.js';
import { sessionFilePath } from '../../src/telegram/session-file.js';
import { createFakeTelegramClient, loggedInSession, rpcError, type FakeTelegram } from '../fakes/fake-invoke.js';
import { FakeTelegramPassword } from '../fakes/fake-telegram-password.js';

const PHONE = '+44 7700 900123';
const PASSWORD = 'correct horse battery';

const owner = new Api.User({ id: bigInt(42), accessHash: bigInt(1), self: true, firstName: 'Owner', username: 'owner' });

interface Account {
  fake: FakeTelegram;
  password: FakeTelegramPassword | null;
}

/** A Telegram account behind a fake invoke: code 12345, optional 2FA checked with real SRP. */
async function account(options: { twoFactor?: boolean; hint?: string | null } = {}): Promise<Account> {
  const fake = createFakeTelegramClient({ session: await loggedInSession() });
  const password = options.twoFactor ? new FakeTelegramPassword(PASSWORD, options.hint === undefined ? 'first pet' : options.hint) : null;
  let codeCancelled = false;
  fake.on('auth.SendCode', () => new Api.auth.SentCode({ type: new Api.auth.SentCodeTypeApp({ length: 5 }), phoneCodeHash: 'hash-abc' }));
  fake.on('auth.SignIn', (r: Api.auth.SignIn) => {
    if (codeCancelled) throw rpcError(r, 'PHONE_CODE_EXPIRED');
    if (r.phoneCodeHash !== 'hash-abc') throw rpcError(r, 'PHONE_CODE_HASH_EMPTY');
    if (r.phoneCode !== '12345') throw rpcError(r, 'PHONE_CODE_INVALID');
    if (password) throw rpcError(r, 'SESSION_PASSWORD_NEEDED', 401);
    return new Api.auth.Authorization({ user: owner });
  });
  fake.on('account.GetPassword', () => password!.getPassword());
  fake.on('auth.CheckPassword', (r: Api.auth.CheckPassword) => {
    if (!password!.check(r.password)) throw rpcError(r, 'PASSWORD_HASH_INVALID');
    return new Api.auth.Authorization({ user: owner });
  });
  // Telegram cancels a code it sees in a message: tests flip this to model it.
  (fake as FakeTelegram & { cancelCode: () => void }).cancelCode = () => {
    codeCancelled = true;
  };
  return { fake, password };
}

describe('parseLoginCode', () => {
  it('extracts the digits of a code typed with separators', () => {
    expect(parseLoginCode('1-2-3-4-5', true)).toBe('12345');
    expect(parseLoginCode('1a2a3a4a5', true)).toBe('12345');
    expect(parseLoginCode(' 1 2 3 4 5 ', true)).toBe('12345');
  });

  it('refuses plain digits when the code went through a Telegram chat, explaining why', () => {
    expect(() => parseLoginCode('12345', true)).toThrow(UserError);
    try {
      parseLoginCode('12345', true);
    } catch (err) {
      expect((err as UserError).message).toContain('1-2-3-4-5');
      expect((err as UserError).hint).toMatch(/Telegram cancels a login code/);
    }
  });

  it('accepts plain digits in the terminal, and rejects what is not a code', () => {
    expect(parseLoginCode('12345', false)).toBe('12345');
    expect(() => parseLoginCode('hello', false)).toThrow(/does not look like a login code/);
    expect(() => parseLoginCode('1-2-3', true)).toThrow(UserError);
  });
});

describe('LoginFlow', () => {
  let dataDir: string;
  let config: Config;
  let logLines: string[];
  let logger: ReturnType<typeof createLogger>;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crate-login-'));
    config = parseConfig({
      TELEGRAM_API_ID: '12345',
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      CRATE_DATA_DIR: dataDir,
    });
    logLines = [];
    logger = createLogger({
      level: 'debug',
      secrets: [],
      pretty: false,
      destination: new Writable({
        write(chunk, _e, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    });
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const flowFor = (a: Account, requireSeparators = true) =>
    new LoginFlow({ config, logger, requireSeparators, createClient: () => a.fake.client });

  it('logs in with a separated code on one client and saves the session 0600', async () => {
    const a = await account();
    const flow = flowFor(a);
    expect(await flow.startLogin({ phone: PHONE })).toEqual({ next: 'code', codeVia: 'app' });
    const sendCode = a.fake.callsOf('auth.SendCode')[0] as Api.auth.SendCode;
    expect(sendCode.phoneNumber).toBe('+447700900123');
    expect(sendCode.apiId).toBe(12345);

    expect(await flow.submitCode('1-2-3-4-5')).toEqual({ next: 'done', user: '@owner' });
    const signIn = a.fake.callsOf('auth.SignIn')[0] as Api.auth.SignIn;
    expect(signIn).toMatchObject({ phoneNumber: '+447700900123', phoneCodeHash: 'hash-abc', phoneCode: '12345' });
    expect(a.fake.connects).toBe(1);

    const file = sessionFilePath(dataDir);
    const saved = (await readFile(file, 'utf8')).trim();
    expect(saved).toBe(a.fake.client.session.save());
    expect(saved.length).toBeGreaterThan(100);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);

    const logs = logLines.join('');
    for (const secret of [saved, '12345', '+447700900123', '7700 900123']) expect(logs).not.toContain(secret);
    expect(flow.step).toBe('idle');
  });

  it('asks for the 2FA password with its hint and checks it by SRP', async () => {
    const a = await account({ twoFactor: true, hint: 'first pet' });
    const flow = flowFor(a);
    await flow.startLogin({ phone: PHONE });
    expect(await flow.submitCode('1a2a3a4a5')).toEqual({ next: 'password', hint: 'first pet' });

    const wrong = await flow.submitPassword('tr0ub4dor').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UserError);
    expect((wrong as UserError).message).toBe('That 2FA password is not right.');
    expect((wrong as UserError).hint).toContain('first pet');
    expect(flow.step).toBe('password');

    expect(await flow.submitPassword(PASSWORD)).toEqual({ next: 'done', user: '@owner' });
    expect(a.password!.checks).toBe(2);
    expect((await readFile(sessionFilePath(dataDir), 'utf8')).trim()).toBe(a.fake.client.session.save());
    expect(logLines.join('')).not.toContain(PASSWORD);
  }, 15_000);

  it('lets a wrong code be typed again, and explains an expired one', async () => {
    const a = await account();
    const flow = flowFor(a);
    await flow.startLogin({ phone: PHONE });
    await expect(flow.submitCode('5-4-3-2-1')).rejects.toThrow('That login code is not right.');
    expect(flow.step).toBe('code');
    await expect(flow.submitCode('12345')).rejects.toThrow(/separators/);
    expect(flow.step).toBe('code');
    expect(a.fake.callsOf('auth.SignIn')).toHaveLength(1);

    (a.fake as FakeTelegram & { cancelCode: () => void }).cancelCode();
    const expired = await flow.submitCode('1-2-3-4-5').catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(UserError);
    expect((expired as UserError).message).toBe('That login code has expired.');
    expect((expired as UserError).hint).toMatch(/separators/);
    expect(flow.step).toBe('idle');
    await expect(flow.submitCode('1-2-3-4-5')).rejects.toThrow(/No login code is expected/);
  });

  it('accepts plain digits from the terminal', async () => {
    const a = await account();
    const flow = flowFor(a, false);
    await flow.startLogin({ phone: PHONE });
    expect(await flow.submitCode('12345')).toMatchObject({ next: 'done' });
  });

  it('turns a bad phone number and flood waits into clear messages', async () => {
    const a = await account();
    const flow = flowFor(a);
    await expect(flow.startLogin({ phone: 'call me' })).rejects.toThrow(/not a phone number/);
    a.fake.failNext('auth.SendCode', 'PHONE_NUMBER_INVALID');
    await expect(flow.startLogin({ phone: PHONE })).rejects.toThrow('Telegram does not accept this phone number.');
    a.fake.failNext('auth.SendCode', 'FLOOD_WAIT_3600', 420);
    await expect(flow.startLogin({ phone: PHONE })).rejects.toThrow('Telegram asks to wait 60 minutes before the next login attempt.');
    expect(flow.step).toBe('idle');
  });
});
