import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { RegisterCommand } from '../../src/cli/commands.js';
import { createDoctorCommand, folderCheck, type DoctorProbes } from '../../src/cli/doctor.js';
import { flacToolChecker } from '../../src/library/verify/deep-check.js';
import { FakeBotApiServer } from '../fakes/fake-bot-api-server.js';

let server: FakeBotApiServer;
let apiRoot: string;
let dir: string;
beforeAll(async () => {
  server = new FakeBotApiServer();
  apiRoot = await server.start();
  server.knownUsers.set(777, { id: 777, first_name: 'Owner' });
  dir = await mkdtemp(path.join(tmpdir(), 'crate-doctor-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

// Only the command under test is registered.
let commands: RegisterCommand[] = [];
function register(module: RegisterCommand) {
  commands.push(module);
}
beforeEach(() => {
  commands = [];
});

async function doctor(env: Record<string, string>, probes?: DoctorProbes) {
  const module = createDoctorCommand({ apiRoot, ...(probes ? { probes: async () => probes } : {}) });
  register(module);
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  const code = await runCli(['node', 'crate', 'doctor'], { env: { LOG_LEVEL: 'silent', ...env }, stdout: stream, stderr: stream, shutdownSignal: new AbortController().signal, commands });
  return { code, out: chunks.join('') };
}

const fullEnv = () => ({
  TELEGRAM_BOT_TOKEN: server.token,
  TELEGRAM_OWNER_ID: '777',
  TELEGRAM_API_ID: '12345',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  SPOTIFY_CLIENT_ID: 'client',
  DOWNLOAD_FOLDER: path.join(dir, 'music'),
  CRATE_DATA_DIR: path.join(dir, 'data'),
});

const goodProbes: DoctorProbes = {
  session: async () => ({ state: 'ready', user: '@owner', detail: null }),
  resolveExternalBot: async () => ({ username: '@LosslessRobot', id: '123' }),
  spotify: async () => ({ app: 'ok', user: 'ok' }),
  decoder: async () => ({ ok: true, version: 'flac 1.4.2' }),
  firstContact: async () => ({ sentAt: Date.UTC(2026, 0, 1, 9, 30), answer: 'text «👋 Здравствуйте!»; no buttons; media: none', answerKind: 'unknown' }),
};

describe('crate doctor', () => {
  it('all good: every line OK and exit 0', async () => {
    let closed = false;
    const { code, out } = await doctor(fullEnv(), { ...goodProbes, close: async () => void (closed = true) });
    expect(out).toMatch(/^OK {4}Settings/m);
    expect(out).toMatch(/^OK {4}Bot API token +@crate_test_bot \(id 7000001\) via 127\.0\.0\.1:\d+/m);
    expect(out).toMatch(/^OK {4}Owner +user 777 has opened the bot/m);
    expect(out).toMatch(/^OK {4}Telegram session +logged in as @owner/m);
    expect(out).toMatch(/^OK {4}External bot @LosslessRobot +@LosslessRobot \(id 123\)/m);
    expect(out).toMatch(/^OK {4}Download folder +.*(writable|not there yet, Crate creates it .* is writable\)), [\d.]+ GB free/m);
    expect(out).toContain('All good');
    expect(out).not.toContain(server.token);
    expect(code).toBe(0);
    expect(closed).toBe(true);
  });

  it('each failure says what to do, and the exit code is non-zero', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const { code, out } = await doctor(
      { ...fullEnv(), TELEGRAM_OWNER_ID: '778', SPOTIFY_CLIENT_ID: '', DOWNLOAD_FOLDER: path.join(blocker, 'music') },
      {
        session: async () => ({ state: 'expired', user: null, detail: 'SESSION_REVOKED' }),
        resolveExternalBot: async () => Promise.reject(new Error('USERNAME_NOT_OCCUPIED')),
        spotify: async () => ({ app: 'ok', user: 'missing' }),
      },
    );
    expect(code).toBe(2);
    expect(out).toMatch(/^FAIL {2}Settings +missing SPOTIFY_CLIENT_ID/m);
    expect(out).toContain('→ SPOTIFY_CLIENT_ID: developer.spotify.com/dashboard');
    expect(out).toMatch(/^FAIL {2}Owner +the bot cannot write to user 778 yet/m);
    expect(out).toContain('→ Open your bot in Telegram and press Start');
    expect(out).toMatch(/^FAIL {2}Telegram session +the session was revoked or expired \(SESSION_REVOKED\)/m);
    // Looked up through the session, which is gone: not checked rather than a second failure.
    expect(out).toMatch(/^WARN {2}External bot @LosslessRobot +not checked: it is looked up through the Telegram session/m);
    expect(out).toMatch(/^WARN {2}Spotify +app OK; no user login/m);
    expect(out).toMatch(/^FAIL {2}Download folder +The download folder .*music is a file \(or lies under one\), not a folder/m);
    expect(out).toContain('4 checks failed.');
  });

  it('a refused token is one FAIL line with the fix; without probes the user-side lines are WARN "not checked"', async () => {
    const { code, out } = await doctor({ ...fullEnv(), TELEGRAM_BOT_TOKEN: '7000001:AAWrongTokenWrongTokenWrong_123' });
    expect(code).toBe(2);
    expect(out).toMatch(/^FAIL {2}Bot API token +Telegram refused the bot token \(401 Unauthorized\)/m);
    expect(out).toContain('→ Copy the token again from @BotFather');
    expect(out).toMatch(/^WARN {2}Telegram session +not checked/m);
    expect(out).not.toContain('AAWrongTokenWrongTokenWrong_123');
  });

  it('shows whether the deep check can run: the reference decoder installed or not', async () => {
    const missing = await doctor(fullEnv(), { ...goodProbes, decoder: () => flacToolChecker({ command: 'flac-not-installed-here' }).available() });
    expect(missing.out).toMatch(/^WARN {2}FLAC decoder +the reference decoder `flac-not-installed-here` is not installed: downloads are checked for structure and completeness only/m);
    expect(missing.out).toContain('→ Install the reference FLAC tool: apt-get install flac');
    commands = [];
    const present = await doctor(fullEnv(), goodProbes);
    expect(present.out).toMatch(/^OK {4}FLAC decoder +flac 1\.4\.2: every download is decoded and checked against its MD5/m);
  });

  it('says whether first contact (/start) happened, and a gate in its answer', async () => {
    const done = await doctor(fullEnv(), goodProbes);
    expect(done.out).toMatch(/^OK {4}First contact with @LosslessRobot +\/start sent 2026-01-01 09:30 UTC; it answered text «👋 Здравствуйте!»/m);
    commands = [];
    const never = await doctor(fullEnv(), { ...goodProbes, firstContact: async () => null });
    expect(never.out).toMatch(/^OK {4}First contact with @LosslessRobot +not yet: Crate sends \/start once, before its first request/m);
    commands = [];
    const gated = await doctor(fullEnv(), {
      ...goodProbes,
      firstContact: async () => ({ sentAt: Date.UTC(2026, 0, 1), answer: 'text «Подпишитесь на @lossless_music»', answerKind: 'gate' }),
    });
    expect(gated.out).toMatch(/^WARN {2}First contact with @LosslessRobot +\/start sent .*Подпишитесь/m);
    expect(gated.out).toContain('→ The bot gates its use: open @LosslessRobot in Telegram');
  });

  it('reports a nearly full disk', async () => {
    const result = await folderCheck('Download folder', dir, { minFreeBytes: Number.MAX_SAFE_INTEGER }).run();
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/only [\d.]+ GB free/);
  });
});
