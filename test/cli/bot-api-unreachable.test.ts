/**
 * The real `crate serve` with TELEGRAM_BOT_API_ROOT pointing at a port that refuses connections
 * and at one that accepts and never answers (a black hole): it says so in plain words within
 * seconds, keeps retrying with backoff, and the first SIGTERM / SIGINT stops it at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCrate } from '../fakes/crate-process.js';
import { freePort } from '../fakes/free-port.js';

const TOKEN = '7000001:AAFakeTokenForTestsOnly_abcdefghijklmnop';

/** Accepts every connection and never says a word. */
async function blackHole(): Promise<{ port: number; close(): Promise<void>; connections(): number }> {
  const sockets: Socket[] = [];
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('crate serve when the Bot API cannot be reached (real process)', () => {
  let root: string | null = null;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    if (root) await rm(root, { recursive: true, force: true });
    root = null;
  });

  const env = (apiRoot: string) => ({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_OWNER_ID: '5550001',
    TELEGRAM_BOT_API_ROOT: apiRoot,
    CRATE_DATA_DIR: 'data',
    DOWNLOAD_FOLDER: 'music',
    LOG_LEVEL: 'error',
  });

  async function stopsAtOnce(signal: NodeJS.Signals, crate: ReturnType<typeof startCrate>): Promise<void> {
    const before = Date.now();
    crate.kill(signal);
    const code = await crate.exit;
    expect(code).toBe(0);
    expect(Date.now() - before).toBeLessThan(4000);
    expect(crate.stderr()).not.toMatch(/at .*\.ts:\d+/);
  }

  it('a refused connection: says so at once, retries with backoff, stops on the first SIGTERM', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'crate-botapi-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const crate = startCrate(['serve'], { env: env(url), cwd: root });
    cleanups.push(async () => crate.kill('SIGKILL'));
    await crate.waitForOutput(new RegExp(`crate: cannot reach the Telegram Bot API at ${url} \\(connection refused\\): retrying in 5 s`), 10_000);
    // The next attempt waits longer.
    await crate.waitForOutput(/retrying in 10 s/, 15_000);
    expect(crate.stdout()).not.toContain('Crate is running');
    await stopsAtOnce('SIGTERM', crate);
  }, 40_000);

  it('a black hole: says so within seconds, and the first Ctrl-C stops it at once', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'crate-botapi-'));
    const hole = await blackHole();
    cleanups.push(hole.close);
    const url = `http://127.0.0.1:${hole.port}`;
    const crate = startCrate(['serve'], { env: env(url), cwd: root });
    cleanups.push(async () => crate.kill('SIGKILL'));
    await crate.waitForOutput(new RegExp(`crate: cannot reach the Telegram Bot API at ${url} \\(no answer within 6 s\\): retrying in 5 s`), 15_000);
    expect(hole.connections()).toBeGreaterThanOrEqual(1);
    await stopsAtOnce('SIGINT', crate);
  }, 40_000);
});
