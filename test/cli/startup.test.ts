/**
 * Startup through the real binary: a command loads only what it needs (no GramJS or grammY for
 * --help, status, report, health), and the compiled build in dist/ runs (migrations found from dist/ too).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCrate } from '../fakes/crate-process.js';
import { freePort } from '../fakes/free-port.js';
import { REPO_ROOT, runCrate } from './support/crate-bin.js';

const RECORDER = path.join(REPO_ROOT, 'test/cli/support/record-loads.mjs');
/** A serve from the sources whose Bot API refuses at once (port 9 on loopback): the runtime (database, engine) is open by then. */
const SERVE_WITHOUT_BOT_API = {
  CRATE_RUN_FROM: 'src',
  TELEGRAM_BOT_TOKEN: '123456:AAbbccddeeffgghhiijjkkllmmnnooppqq',
  TELEGRAM_OWNER_ID: '5550001',
  TELEGRAM_BOT_API_ROOT: 'http://127.0.0.1:9',
  CRATE_DATA_DIR: 'data',
  DOWNLOAD_FOLDER: 'music',
  LOG_LEVEL: 'error',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-startup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function loadedPackages(args: string[], from: 'src' | 'dist'): Promise<{ code: number | null; packages: Set<string> }> {
  const out = path.join(dir, `loads-${from}-${args.join('_')}.txt`);
  const run = await runCrate(args, { cwd: dir, from, nodeArgs: ['--import', RECORDER], env: { CRATE_RECORD_LOADS: out } });
  const urls = readFileSync(out, 'utf8').split('\n');
  return { code: run.code, packages: new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? [])) };
}

describe('crate loads only what a command needs', () => {
  // report with no jobs yet ends with "No jobs yet" (2) after opening the database, like any report.
  it.each([
    { args: ['--help'], code: 0, db: false },
    { args: ['status'], code: 0, db: true },
    { args: ['report'], code: 2, db: true },
    // health only asks serve over HTTP (2 here: HEALTH_PORT is not set, so there is nothing to ask).
    { args: ['health'], code: 2, db: false },
  ])('$args.0 loads neither GramJS nor grammY', async ({ args, code, db }) => {
    const run = await loadedPackages(args, 'src');
    expect(run.code).toBe(code);
    expect(run.packages.has('commander')).toBe(true);
    expect(run.packages.has('drizzle-orm')).toBe(db);
    expect(run.packages.has('telegram')).toBe(false);
    expect(run.packages.has('grammy')).toBe(false);
  });

  it('doctor with a bot token does load grammY (the recorder sees lazy imports)', async () => {
    const out = path.join(dir, 'loads-doctor.txt');
    const run = await runCrate(['doctor'], {
      cwd: dir,
      nodeArgs: ['--import', RECORDER],
      // Port 9 on loopback refuses at once: the Bot API check fails fast, offline.
      env: { CRATE_RECORD_LOADS: out, TELEGRAM_BOT_TOKEN: '123456:AAbbccddeeffgghhiijjkkllmmnnooppqq', TELEGRAM_BOT_API_ROOT: 'http://127.0.0.1:9' },
    });
    expect(run.stdout).toContain('Bot API token');
    expect(readFileSync(out, 'utf8')).toMatch(/node_modules\/grammy\//);
  });

  it('serve waiting for its first /login loads grammY but not GramJS, music-metadata, whatwg-url or undici, with its memory flags', async () => {
    const out = path.join(dir, 'loads-serve.txt');
    const healthPort = await freePort();
    const crate = startCrate(['serve'], {
      cwd: dir,
      env: {
        CRATE_RECORD_LOADS: out,
        NODE_OPTIONS: `--import ${RECORDER}`,
        ...SERVE_WITHOUT_BOT_API,
        // The health endpoint is on (as in the container): it answers over node:http.
        HEALTH_PORT: String(healthPort),
      },
    });
    try {
      await crate.waitForOutput(/cannot reach the Telegram Bot API/, 20_000);
      expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(503);
      // The same process, replaced once by a node with the flags (process.execve keeps the pid).
      const cmdline = readFileSync(`/proc/${crate.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toContain('--max-semi-space-size=1');
      expect(cmdline).toContain('--optimize-for-size');
      expect(readFileSync(`/proc/${crate.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
      // The recorder writes what was loaded when the process exits.
      crate.kill('SIGTERM');
      expect(await crate.exit).toBe(0);
      const loaded = readFileSync(out, 'utf8');
      expect(loaded).toMatch(/node_modules\/grammy\//);
      expect(loaded).toMatch(/node_modules\/drizzle-orm\//);
      expect(loaded).not.toMatch(/node_modules\/telegram\//);
      expect(loaded).not.toMatch(/node_modules\/music-metadata\//);
      // grammY's node-fetch takes Node's URL, not whatwg-url and tr46's Unicode table (bin/crate.js).
      expect(loaded).toMatch(/node_modules\/node-fetch\//);
      expect(loaded).not.toMatch(/node_modules\/(whatwg-url|tr46)\//);
      // Node's bundled fetch (undici) is ~13 MB of RSS an idle serve has no use for: an ES import
      // of node:http loads it (its namespace reads http.WebSocket); grammY's requests go through
      // node-fetch over node:https.
      expect(loaded).toMatch(/^node-internal:http$/m);
      expect(loaded).not.toMatch(/^node-internal:internal\/deps\/undici/m);
    } finally {
      crate.kill('SIGTERM');
      await crate.exit;
    }
  });

  it("serve keeps the owner's own MALLOC_ARENA_MAX", async () => {
    const crate = startCrate(['serve'], {
      cwd: dir,
      env: {
        MALLOC_ARENA_MAX: '4',
        ...SERVE_WITHOUT_BOT_API,
      },
    });
    try {
      await crate.waitForOutput(/cannot reach the Telegram Bot API/, 20_000);
      expect(readFileSync(`/proc/${crate.pid}/cmdline`, 'utf8').split('\0')).toContain('--optimize-for-size');
      expect(readFileSync(`/proc/${crate.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=4');
    } finally {
      crate.kill('SIGTERM');
      await crate.exit;
    }
  });
});
