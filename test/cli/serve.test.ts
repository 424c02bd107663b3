import { Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { RegisterCommand } from '../../src/cli/commands.js';
import { createServeCommand, type ServeRuntime } from '../../src/cli/serve.js';
import { FakeBotApiServer } from '../fakes/fake-bot-api-server.js';
import { FakeSettingsStore, FakeSpotifyLogin, FakeTelegramLoginFlow } from '../fakes/fake-bot-ports.js';
import { FakeJobService } from '../fakes/fake-job-service.js';

const OWNER = { id: 5150, first_name: 'Owner' };

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

// Only the command under test is registered.
let commands: RegisterCommand[] = [];
function register(module: RegisterCommand) {
  commands.push(module);
}
beforeEach(() => {
  commands = [];
});

describe('crate serve', () => {
  it('with nothing configured exits non-zero at once, naming what is missing, before building anything', async () => {
    let built = false;
    register(createServeCommand({ createRuntime: async () => ((built = true), Promise.reject(new Error('unreachable'))) }));
    const out = sink();
    const err = sink();
    const code = await runCli(['node', 'crate', 'serve'], { env: {}, stdout: out.stream, stderr: err.stream, shutdownSignal: new AbortController().signal, commands });
    expect(code).not.toBe(0);
    expect(err.text()).toContain('TELEGRAM_BOT_TOKEN');
    expect(err.text()).toContain('TELEGRAM_OWNER_ID');
    expect(err.text()).not.toMatch(/\n\s+at /);
    expect(built).toBe(false);
  });

  it('runs the bot while the user session is missing, says so in /status, and shuts down in order on the signal', async () => {
    const server = new FakeBotApiServer();
    const apiRoot = await server.start();
    const service = new FakeJobService({ listings: {}, session: { state: 'no_session', user: null, detail: null } });
    const order: string[] = [];
    const originalShutdown = service.shutdown.bind(service);
    service.shutdown = async () => {
      order.push('service.shutdown');
      await originalShutdown();
    };
    const runtime: ServeRuntime = {
      service,
      login: new FakeTelegramLoginFlow({ phone: '+15550001111', code: '11111', password: null }),
      spotify: new FakeSpotifyLogin(),
      settings: new FakeSettingsStore(),
      probes: { session: async () => ({ state: 'no_session', user: null, detail: null }) },
      startUserSession: async () => {
        throw new Error('no session file yet');
      },
      close: async () => void order.push('close'),
    };
    register(createServeCommand({ createRuntime: async () => runtime, apiRoot }));
    const controller = new AbortController();
    const out = sink();
    const err = sink();
    const exit = runCli(['node', 'crate', 'serve'], {
      env: { TELEGRAM_BOT_TOKEN: server.token, TELEGRAM_OWNER_ID: String(OWNER.id), LOG_LEVEL: 'silent', DOWNLOAD_FOLDER: '/tmp', CRATE_DATA_DIR: '/tmp' },
      stdout: out.stream,
      stderr: err.stream,
      shutdownSignal: controller.signal,
      commands,
    });
    await server.waitFor((calls) => calls.some((c) => c.method === 'getUpdates'));
    expect(out.text()).toContain('talk to @crate_test_bot');

    server.pushMessage(OWNER, '/status');
    const status = await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('Crate status'))[0]);
    expect(status.text).toContain('Telegram session: not logged in — send /login');
    // The short doctor list, without a second word on the session (its own line said it, in chat words).
    expect(status.text).toMatch(/Checks: \d+ OK, \d+ need attention/);
    expect(status.text.match(/Telegram session/g)).toHaveLength(1);
    expect(status.text).not.toContain('crate login');

    controller.abort();
    expect(await exit).toBe(0);
    expect(order).toEqual(['service.shutdown', 'close']);
    const polls = server.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.callsOf('getUpdates').length).toBe(polls);
    await server.close();
  });

  it('a revoked bot token is a short user error, not a stack', async () => {
    const server = new FakeBotApiServer();
    const apiRoot = await server.start();
    const service = new FakeJobService({ listings: {} });
    let closed = false;
    register(
      createServeCommand({
        apiRoot,
        createRuntime: async () => ({
          service,
          login: new FakeTelegramLoginFlow({ phone: '+15550001111', code: '11111', password: null }),
          spotify: new FakeSpotifyLogin(),
          settings: new FakeSettingsStore(),
          close: async () => void (closed = true),
        }),
      }),
    );
    const err = sink();
    const otherToken = '7000001:AAOtherTokenThatTelegramRefuses_xyz123';
    const code = await runCli(['node', 'crate', 'serve'], {
      env: { TELEGRAM_BOT_TOKEN: otherToken, TELEGRAM_OWNER_ID: '1', LOG_LEVEL: 'silent' },
      stdout: sink().stream,
      stderr: err.stream,
      shutdownSignal: new AbortController().signal,
      commands,
    });
    expect(code).toBe(2);
    expect(err.text()).toContain('Telegram refused the bot token (401 Unauthorized)');
    expect(err.text()).not.toContain(otherToken);
    expect(closed).toBe(true);
    await server.close();
  });
});
