import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/engine/ports.js';
import { silentLogger } from '../../src/logger.js';
import { createSpotifySource, type SpotifySourceDeps } from '../../src/spotify/playlist-source.js';
import type { FakeSpotify } from '../fakes/fake-spotify-server.js';

/** A clock whose sleeps return at once but are recorded and move time forward. */
export function fakeClock(start = Date.UTC(2026, 3, 1, 12, 0, 0)): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

export function tmpDir(prefix = 'crate-spotify-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function configFor(fake: FakeSpotify, dataDir: string, extra: Record<string, string> = {}, withApp = true): Config {
  return parseConfig({ ...fake.env({ withApp }), CRATE_DATA_DIR: dataDir, ...extra });
}

export function sourceFor(config: Config, deps: Partial<SpotifySourceDeps> = {}) {
  const clock = deps.clock ?? fakeClock();
  return { clock, source: createSpotifySource(config, { logger: silentLogger(), clock, random: () => 0, ...deps }) };
}
