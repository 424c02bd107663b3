/**
 * The real binary with Telegram out of reach: a session file whose data centre address refuses
 * connections, or accepts them and never answers (a black hole on 127.77.x.y port 80, the port
 * GramJS dials). Each command ends on its own, in plain words naming Telegram, with the README's
 * exit code, and no stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSession } from '../../src/telegram/session-file.js';
import { sessionString } from '../fakes/mtproto/fake-network.js';

const root = new URL('../../', import.meta.url).pathname;
const REFUSING_IP = `127.77.${Math.floor(Math.random() * 200) + 1}.1`;
const BLACK_HOLE_IP = `127.77.${Math.floor(Math.random() * 200) + 1}.2`;
let blackHole: Server;
const sockets = new Set<Socket>();
const dirs: string[] = [];

beforeAll(async () => {
  blackHole = createServer((socket) => {
    sockets.add(socket); // accepted, read, never answered
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    blackHole.once('error', reject);
    blackHole.listen(80, BLACK_HOLE_IP, resolve);
  });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackHole.close(r));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function home(ip: string): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'crate-unreachable-'));
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  await saveSession(dataDir, sessionString({ dcId: 2, ip, port: 443, key: Buffer.alloc(256, 9) }));
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    CRATE_RUN_FROM: 'src',
    TELEGRAM_API_ID: '12345',
    TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
    TELEGRAM_PHONE_NUMBER: '+441234567890',
    // Where a fresh `crate login` connects: the same unreachable address.
    TELEGRAM_DC: `2@${ip}`,
    CRATE_DATA_DIR: dataDir,
    DOWNLOAD_FOLDER: join(dir, 'music'),
    SPOTIFY_CLIENT_ID: 'x',
    SPOTIFY_CLIENT_SECRET: 'y',
    SPOTIFY_API_URL: 'http://127.0.0.1:9/v1',
    SPOTIFY_ACCOUNTS_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'error',
  };
}

function crate(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/crate.js'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const LINK = 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M';

describe.each([
  ['refuses connections', REFUSING_IP],
  ['accepts and never answers', BLACK_HOLE_IP],
])('Telegram whose address %s', (_what, ip) => {
  it('crate status: ends at once and says "not checked", never a false "offline"', async () => {
    const r = await crate(['status'], await home(ip));
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(45);
    expect(r.out).toMatch(/^Telegram: session saved \(not checked: Telegram cannot be reached \(.+\)\)$/m);
    expect(r.out).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('crate doctor: the Telegram lines say it cannot be reached; exit 2 (a check failed)', async () => {
    const r = await crate(['doctor'], await home(ip));
    expect(r.code).toBe(2);
    expect(r.seconds).toBeLessThan(45);
    expect(r.out).toMatch(/^WARN\s+Telegram session\s+cannot reach Telegram/m);
    expect(r.out).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('crate download LINK: exit 4 with a plain message naming Telegram', async () => {
    const r = await crate(['download', LINK], await home(ip));
    expect(r.code).toBe(4);
    expect(r.seconds).toBeLessThan(45);
    expect(r.out).toMatch(/^crate: Telegram cannot be reached \(.+\)\.$/m);
    expect(r.out).toMatch(/run the same command again when Telegram is reachable/);
    expect(r.out).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('crate login: exit 4 with a plain message naming Telegram', async () => {
    const r = await crate(['login'], await home(ip));
    expect(r.code).toBe(4);
    expect(r.seconds).toBeLessThan(45);
    expect(r.out).toMatch(/^crate: Telegram cannot be reached \(.+\)\.$/m);
    expect(r.out).not.toMatch(/\n\s+at /);
  }, 60_000);
});
