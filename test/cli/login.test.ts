import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import bigInt from 'big-integer';
import { Command } from 'commander';
import { Api } from 'telegram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLoginCommand } from '../../src/cli/login.js';
import { createCliContext } from '../../src/cli/context.js';
import { sessionFilePath } from '../../src/telegram/session-file.js';
import { createFakeTelegramClient, loggedInSession, rpcError, type FakeTelegram } from '../fakes/fake-invoke.js';
import { FakeTelegramPassword } from '../fakes/fake-telegram-password.js';

const owner = new Api.User({ id: bigInt(42), accessHash: bigInt(1), self: true, firstName: 'Owner' });

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function fakeAccount(password?: FakeTelegramPassword): Promise<FakeTelegram> {
  const fake = createFakeTelegramClient({ session: await loggedInSession() });
  fake.on('auth.SendCode', () => new Api.auth.SentCode({ type: new Api.auth.SentCodeTypeSms({ length: 5 }), phoneCodeHash: 'h' }));
  fake.on('auth.SignIn', (r: Api.auth.SignIn) => {
    if (r.phoneCode !== '24680') throw rpcError(r, 'PHONE_CODE_INVALID');
    if (password) throw rpcError(r, 'SESSION_PASSWORD_NEEDED', 401);
    return new Api.auth.Authorization({ user: owner });
  });
  fake.on('account.GetPassword', () => password!.getPassword());
  fake.on('auth.CheckPassword', (r: Api.auth.CheckPassword) => {
    if (!password!.check(r.password)) throw rpcError(r, 'PASSWORD_HASH_INVALID');
    return new Api.auth.Authorization({ user: owner });
  });
  return fake;
}

describe('crate login', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crate-cli-login-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function run(fake: FakeTelegram, input: NodeJS.ReadableStream, env: Record<string, string> = {}) {
    const stdout = sink();
    const stderr = sink();
    const ctx = createCliContext({
      env: {
        TELEGRAM_API_ID: '12345',
        TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
        CRATE_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdout: stdout.stream,
      stderr: stderr.stream,
      cwd: dataDir,
    });
    const program = new Command().exitOverride();
    createLoginCommand({ input, createClient: () => fake.client })(program, ctx);
    await program.parseAsync(['node', 'crate', 'login']);
    return { stdout: stdout.text(), stderr: stderr.text() };
  }

  it('asks phone, code (plain digits are fine here) and saves the session', async () => {
    const fake = await fakeAccount();
    const out = await run(fake, Readable.from(['+44 7700 900123\n', '11111\n', '24680\n']));
    expect(out.stdout).toContain('Phone number');
    expect(out.stdout).toContain('Telegram sent a login code by SMS.');
    expect(out.stderr).toContain('That login code is not right.');
    expect(out.stdout).toContain('Logged in as Owner.');
    expect((await readFile(sessionFilePath(dataDir), 'utf8')).trim()).toBe(fake.client.session.save());
    expect(fake.callsOf('auth.SignIn').map((r) => r.phoneCode)).toEqual(['11111', '24680']);
  });

  it('takes the phone from config and asks the 2FA password showing the hint', async () => {
    const password = new FakeTelegramPassword('s3cret pass', 'the usual');
    const fake = await fakeAccount(password);
    const input = new PassThrough();
    const done = run(fake, input, { TELEGRAM_PHONE_NUMBER: '+447700900123' });
    input.write('2-4-6-8-0\n');
    input.write('s3cret pass\n');
    const out = await done;
    expect(out.stdout).not.toContain('Phone number');
    expect(out.stdout).toContain('Password hint: the usual');
    expect(out.stdout).toContain('Logged in as Owner.');
    expect(out.stdout).not.toContain('s3cret pass');
    input.end();
  }, 15_000);

  it('stops with a clear message when the input ends', async () => {
    const fake = await fakeAccount();
    await expect(run(fake, Readable.from(['+447700900123\n']))).rejects.toThrow(/no more input/);
  });
});
