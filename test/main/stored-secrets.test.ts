/**
 * Secrets Crate stores while it runs are scrubbed like configured ones (issue 12 item 10): the
 * Spotify refresh token stored by /spotify (or `crate spotify-login`, or rotated by Spotify) and
 * the one already on disk when Crate starts. Real files, the real composition root.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openCore } from '../../src/main.js';
import { UnavailableGateway } from '../../src/telegram/unavailable-gateway.js';
import { SpotifyTokenStore } from '../../src/spotify/token-store.js';
import { saveSession } from '../../src/telegram/session-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => lines.join('') };
}

describe('stored secrets join the scrubbed ones', () => {
  it('a refresh token on disk at start, and one stored while running, never reach a log line', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'crate-secrets-'));
    dirs.push(dataDir);
    const onDisk = 'AQDstoredBeforeStart0123456789abcdef';
    const later = 'AQDstoredWhileRunning0123456789abcdef';
    new SpotifyTokenStore(dataDir).write({ refreshToken: onDisk, clientId: 'app', scope: '', savedAt: 0, user: null });
    const out = capture();
    const logger = createLogger({ level: 'info', secrets: [], destination: out.stream, pretty: false });
    const config = parseConfig({ CRATE_DATA_DIR: dataDir, DOWNLOAD_FOLDER: path.join(dataDir, 'music'), SPOTIFY_CLIENT_ID: 'app' });
    const core = await openCore(config, logger, { createGateway: async () => new UnavailableGateway('not logged in') });
    try {
      logger.info(`refresh with ${onDisk}`);
      // What /spotify's completion and Spotify's token rotation both do: store a new login.
      core.source.tokenStore.write({ refreshToken: later, clientId: 'app', scope: '', savedAt: 1, user: null });
      logger.child({ component: 'spotify' }).warn({ body: `refresh_token=${encodeURIComponent(later)}` }, `token ${later}`);
    } finally {
      await core.close();
    }
    const text = out.text();
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(onDisk);
    expect(text).not.toContain(later);
  });
});

describe('the saved Telegram session', () => {
  it('is scrubbed from log lines once Crate has read it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'crate-secrets-'));
    dirs.push(dataDir);
    const session = `1BVtsOK${'x'.repeat(300)}AuthKeyEnd`;
    await saveSession(dataDir, session);
    const out = capture();
    const logger = createLogger({ level: 'info', secrets: [], destination: out.stream, pretty: false });
    const config = parseConfig({ CRATE_DATA_DIR: dataDir, DOWNLOAD_FOLDER: path.join(dataDir, 'music') });
    const core = await openCore(config, logger, { createGateway: async () => new UnavailableGateway('test') });
    try {
      logger.warn({ detail: { raw: `StringSession(${session})` } }, 'a library printed its session');
    } finally {
      await core.close();
    }
    expect(out.text()).toContain('[redacted]');
    expect(out.text()).not.toContain('AuthKeyEnd');
  });
});
