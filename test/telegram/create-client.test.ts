import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { SessionExpiredError, UserError } from '../../src/domain/errors.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { createTelegramClient } from '../../src/telegram/create-client.js';
import { createGatewayFromConfig } from '../../src/telegram/gateway-from-config.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { CrateNetSocket } from '../../src/telegram/net-socket.js';
import { saveSession } from '../../src/telegram/session-file.js';
import { loggedInSession } from '../fakes/fake-invoke.js';

const API = { TELEGRAM_API_ID: '12345', TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef' };

describe('createTelegramClient', () => {
  let dataDir: string;
  let config: Config;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crate-client-'));
    config = parseConfig({ ...API, CRATE_DATA_DIR: dataDir });
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('never sleeps through a flood wait and never prints to stdout', () => {
    const log = vi.spyOn(console, 'log');
    const write = vi.spyOn(process.stdout, 'write');
    const client = createTelegramClient(config, { session: '', logger: silentLogger() });
    expect(client.floodSleepThreshold).toBe(0);
    // Our socket, not GramJS's (which copies a packet over and over while it arrives).
    expect(client.networkSocket).toBe(CrateNetSocket);
    expect(client.logger.canSend('error' as never)).toBe(false);
    client.logger.info('would have gone to stdout');
    client.logger.error('this too');
    expect(log).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it('bridges GramJS logs to our logger at debug level only', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', secrets: [], destination, pretty: false });
    const log = vi.spyOn(console, 'log');
    const client = createTelegramClient(config, { session: '', logger });
    client.logger.info('hello from gramjs');
    expect(log).not.toHaveBeenCalled();
    const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; component: string });
    expect(entries.some((e) => e.msg === 'hello from gramjs' && e.level === 20 && e.component === 'gramjs')).toBe(true);
  });

  it('asks for the api settings and explains a damaged session', () => {
    expect(() => createTelegramClient(parseConfig({}), { session: '' })).toThrow(UserError);
    expect(() => createTelegramClient(config, { session: 'garbage' })).toThrow(/session .* is damaged/);
  });
});

describe('createGatewayFromConfig', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crate-gateway-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('without a session: status no_session, calls fail with SessionExpiredError, no crash', async () => {
    const gateway = await createGatewayFromConfig(parseConfig({ ...API, CRATE_DATA_DIR: dataDir }), silentLogger());
    await gateway.connect();
    expect(await gateway.status()).toEqual({
      state: 'no_session',
      user: null,
      detail: 'not logged in: run `crate login` or send /login to the control bot',
    });
    await expect(gateway.sendText('x')).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(gateway.downloadDocument(1, path.join(dataDir, 'x.flac'))).rejects.toMatchObject({ code: 'NO_SESSION' });
    expect(typeof gateway.onMessage(() => undefined)).toBe('function');
    await gateway.disconnect();
  });

  it('without api settings: status no_session naming them', async () => {
    const gateway = await createGatewayFromConfig(parseConfig({ CRATE_DATA_DIR: dataDir }), silentLogger());
    expect((await gateway.status()).detail).toMatch(/TELEGRAM_API_ID/);
  });

  it('with a saved session: a GramjsGateway (not connected until asked)', async () => {
    const config = parseConfig({ ...API, CRATE_DATA_DIR: dataDir });
    await saveSession(dataDir, (await loggedInSession()).save());
    const gateway = await createGatewayFromConfig(config, silentLogger());
    expect(gateway).toBeInstanceOf(GramjsGateway);
  });

  it('with a damaged session file: status no_session saying so', async () => {
    const config = parseConfig({ ...API, CRATE_DATA_DIR: dataDir });
    await saveSession(dataDir, 'not-a-session');
    const gateway = await createGatewayFromConfig(config, silentLogger());
    expect((await gateway.status()).detail).toMatch(/damaged/);
  });
});
