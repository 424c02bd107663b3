/**
 * Everything the end-to-end CLI test runs on: the fake Spotify server, the simulated
 * @LosslessRobot behind the real GramjsGateway (a real GramJS client whose transport is simulated),
 * and a clock scaled down so that the 2 s message gap and the bot's latencies take a tenth of the
 * time. The simulator's own time is the same scaled clock, so its action log is in the units the
 * pacer promises (a "2 s" gap is 2000 in both).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli.js';
import { scaledClock } from '../../src/engine/clock.js';
import type { Clock } from '../../src/engine/ports.js';
import type { Wiring } from '../../src/main.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { SimulatedLosslessBot, type SimOptions } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';
import type { SimScheduler } from '../fakes/simulated-lossless/scheduler.js';
import { startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { buildCatalogue, PLAYLIST_ID, PLAYLIST_NAME, type E2ETrack } from './catalogue.js';

export class Sink extends Writable {
  text = '';
  isTTY = false;
  private readonly watchers: ((text: string) => void)[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    for (const w of this.watchers) w(this.text);
    cb();
  }
  /** Calls `fn` with the whole text after every write. */
  watch(fn: (text: string) => void): void {
    this.watchers.push(fn);
  }
}

/** The simulator's timers on the scaled clock: `ms` is clock time, the wait is ms × factor real. */
export function scaledScheduler(clock: Clock, factor: number): SimScheduler {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms) * factor),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

/** @LosslessRobot that answers one chosen message of ours (the n-th send) with a FloodWait. */
export class FloodingBot extends SimulatedLosslessBot {
  sends = 0;
  constructor(
    options: SimOptions,
    private readonly flood: { atSend: number; seconds: number },
  ) {
    super(options);
  }
  override sendText(text: string) {
    this.sends += 1;
    if (this.sends === this.flood.atSend) this.floodOnNext(this.flood.seconds);
    return super.sendText(text);
  }
}

export interface E2ERig {
  dir: string;
  factor: number;
  clock: Clock;
  catalogue: E2ETrack[];
  bot: FloodingBot;
  spotify: FakeSpotify;
  link: string;
  env: Record<string, string>;
  wiring: Wiring;
  /** Every simulated GramJS client built (one per command run that needed Telegram). */
  clients: SimulatedTelegramClient[];
  crate(args: string[], options?: { signal?: AbortSignal; stdout?: Sink }): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function createRig(options: { factor: number; floodAtSend: number; floodSeconds: number }): Promise<E2ERig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-e2e-'));
  const { factor } = options;
  const clock = scaledClock(factor);
  const catalogue = buildCatalogue();
  const bot = new FloodingBot(
    {
      catalogue: catalogue.map((t) => t.sim),
      clock: scaledScheduler(clock, factor),
      // Clock milliseconds: menus within 0.3–1.5 s, files within 1–8 s (late ones: 22 s).
      latencyMs: { reply: [300, 1500], file: [1000, 8000] },
      rowsPerPage: 5,
      seed: 2026,
    },
    { atSend: options.floodAtSend, seconds: options.floodSeconds },
  );
  const spotify = await startFakeSpotify({
    playlists: [{ id: PLAYLIST_ID, name: PLAYLIST_NAME, ownerId: 'owner', ownerName: 'DJ Owner', rows: catalogue.map((t) => t.spotify) }],
  });
  const refreshToken = spotify.issueRefreshToken('owner', 'DJ Owner');
  const env: Record<string, string> = {
    ...spotify.env(),
    SPOTIFY_REFRESH_TOKEN: refreshToken,
    TELEGRAM_API_ID: '12345',
    TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
    // Relative on purpose: taken from the command's working directory.
    CRATE_DATA_DIR: 'data',
    DOWNLOAD_FOLDER: 'downloads',
    DELAY_BETWEEN_REQUESTS: '2',
    RESPONSE_TIMEOUT: '60',
    LOSSLESS_QUALITY: 'max',
    // These runs check that each file is byte for byte what the bot served; tagging has its own tests.
    TAGS: 'keep',
    LOG_LEVEL: 'warn',
  };
  const clients: SimulatedTelegramClient[] = [];
  const wiring: Wiring = {
    clock,
    createGateway: async (config, logger, deps) => {
      const client = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', latencyMs: 0 });
      clients.push(client);
      return new GramjsGateway(client, {
        botUsername: config.telegram.externalBot,
        logger,
        // The bot's peer in the run's database, as production keeps it.
        ...(deps ? { botPeers: deps.botPeers, flood: deps.flood } : {}),
        download: { parallelParts: config.downloadParallelParts },
        // Real milliseconds: poll now and then too, as production does, to merge events and polls.
        polling: { activeIntervalMs: 400, idleIntervalMs: 2_000 },
      });
    },
  };

  const crate: E2ERig['crate'] = async (args, o = {}) => {
    const stdout = o.stdout ?? new Sink();
    const stderr = new Sink();
    const code = await runCli(['node', 'crate', ...args], {
      env,
      cwd: dir,
      stdout,
      stderr,
      shutdownSignal: o.signal ?? new AbortController().signal,
      wiring,
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  return {
    dir,
    factor,
    clock,
    catalogue,
    bot,
    spotify,
    link: `https://open.spotify.com/playlist/${PLAYLIST_ID}?si=e2e`,
    env,
    wiring,
    clients,
    crate,
    async close() {
      bot.close();
      for (const c of clients) c.sim.close();
      await spotify.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
