import { chmod, mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { deleteSession, loadSession, saveSession, sessionFilePath } from '../../src/telegram/session-file.js';

const SESSION = '1BAAOMTQ5LjE1NC4xNjcuNTAAUHkGXc3Fh0Ssecret';

function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', secrets: [], destination, pretty: false }), lines };
}

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

describe('session file', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crate-session-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is saved 0600 inside a 0700 folder and read back', async () => {
    const { logger, lines } = capturingLogger();
    const file = await saveSession(dataDir, SESSION);
    expect(file).toBe(sessionFilePath(dataDir));
    expect(file).toBe(path.join(dataDir, 'session', 'telegram.session'));
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(path.dirname(file))).toBe(0o700);
    expect(await loadSession(dataDir, logger)).toBe(SESSION);
    expect(lines.join('')).not.toContain(SESSION);
  });

  it('is missing or empty → null (not logged in), and deleted on logout', async () => {
    const { logger } = capturingLogger();
    expect(await loadSession(dataDir, logger)).toBeNull();
    await mkdir(path.join(dataDir, 'session'), { mode: 0o700 });
    await writeFile(sessionFilePath(dataDir), '  \n', { mode: 0o600 });
    expect(await loadSession(dataDir, logger)).toBeNull();
    await saveSession(dataDir, SESSION);
    await deleteSession(dataDir);
    expect(await loadSession(dataDir, logger)).toBeNull();
  });

  it('repairs looser modes on load, with a warning that never shows the session', async () => {
    const file = await saveSession(dataDir, SESSION);
    await chmod(file, 0o644);
    await chmod(path.dirname(file), 0o755);
    const { logger, lines } = capturingLogger();
    expect(await loadSession(dataDir, logger)).toBe(SESSION);
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(path.dirname(file))).toBe(0o700);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; mode: string });
    expect(warnings.filter((w) => w.level === 40).map((w) => w.mode)).toEqual(['755', '644']);
    expect(lines.join('')).not.toContain(SESSION);
    // Once fixed, no more warnings.
    lines.length = 0;
    await loadSession(dataDir, logger);
    expect(lines).toEqual([]);
  });

  it('replaces an existing session atomically and refuses an empty one', async () => {
    await saveSession(dataDir, 'old-session-value');
    await saveSession(dataDir, SESSION);
    expect((await readFile(sessionFilePath(dataDir), 'utf8')).trim()).toBe(SESSION);
    await expect(saveSession(dataDir, '')).rejects.toThrow(/empty/);
    expect((await readFile(sessionFilePath(dataDir), 'utf8')).trim()).toBe(SESSION);
  });
});
