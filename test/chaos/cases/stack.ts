/**
 * The whole product below the CLI and the bot, wired the way src/main.ts wires it (createJobService
 * + createLosslessAcquirer + FsLibrary + DrizzleJobStore on a real SQLite file), in front of the
 * simulated @LosslessRobot behind a TelegramGateway (the plain-data FakeGateway, or GramjsGateway
 * over a real GramJS client whose transport is simulated). One virtual clock drives the engine and
 * the bot, so hours of FloodWait take milliseconds. Faults are injected by wrapping the gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig, secretValues, type Config } from '../../../src/config.js';
import { openJobStore, type DrizzleJobStore } from '../../../src/db/job-store.js';
import type { JobRecord, TrackRecord } from '../../../src/domain/job.js';
import type { TelegramGateway } from '../../../src/domain/telegram.js';
import type { SourceListing, TrackInfo } from '../../../src/domain/track.js';
import { createJobService } from '../../../src/engine/create-job-service.js';
import type { JobService } from '../../../src/engine/job-service.js';
import type { Pacer } from '../../../src/engine/pacer.js';
import type { JobEvent, Library, PlaylistSource } from '../../../src/engine/ports.js';
import { FsLibrary } from '../../../src/library/fs-library.js';
import { createLogger, type Logger } from '../../../src/logger.js';
import { createLosslessAcquirer, losslessTimeouts, type LosslessAcquirer } from '../../../src/lossless/create-acquirer.js';
import { VirtualClock } from './virtual-clock.js';
import { FakeGateway, schedulerOnClock, type FakeGatewayOptions } from '../../fakes/fake-gateway.js';
import { FakePlaylistSource } from '../../fakes/fake-listing.js';
import { SimulatedLosslessBot, type SimOptions, type SimTrack } from '../../fakes/simulated-lossless/core.js';
import {
  createSimulatedTelegramClient,
  type SimulatedClientOptions,
  type SimulatedLink,
} from '../../fakes/simulated-lossless/gramjs-adapter.js';
import { GramjsGateway } from '../../../src/telegram/gramjs-gateway.js';
import type { StringSession } from 'telegram/sessions/index.js';

export const LINK = 'https://open.spotify.com/playlist/ChaosPlaylist0000000001';

/**
 * `n` catalogue tracks the simulated bot knows, with Spotify ids the listing uses too. Each name has
 * its own word ("A7", "T7"): the router tells menus apart by words, as it does with real titles.
 */
export function catalogue(n: number, extra: (i: number) => Partial<SimTrack> = () => ({})): SimTrack[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i + 1}`,
    spotifyId: `Chaos${String(i + 1).padStart(17, '0')}`,
    artists: [`Chaos Artist A${i + 1}`],
    title: `Chaos Title T${i + 1}`,
    durationSec: 180 + i * 7,
    isrc: `QZCHA${String(2600000 + i + 1)}`,
    album: 'Chaos Album',
    ...extra(i),
  }));
}

export function listingOf(tracks: SimTrack[], name = 'Chaos Set'): SourceListing {
  const infos: TrackInfo[] = tracks.map((t, i) => ({
    position: i + 1,
    spotifyId: t.spotifyId ?? null,
    artists: t.artists,
    title: t.title,
    album: t.album ?? null,
    durationMs: t.durationSec * 1000,
    isrc: t.isrc ?? null,
    releaseYear: 2026,
  }));
  return { source: { type: 'playlist', id: 'ChaosPlaylist0000000001', name, total: infos.length, backend: 'user' }, tracks: infos, warnings: [] };
}

export interface StackOptions {
  tracks?: SimTrack[];
  /** Catalogue the bot knows (default: `tracks`); the listing is always `tracks`. */
  botCatalogue?: SimTrack[];
  playlistName?: string;
  sim?: Partial<Omit<SimOptions, 'catalogue' | 'clock'>>;
  gateway?: FakeGatewayOptions;
  /**
   * 'fake' (default): the plain-data FakeGateway. 'gramjs': the real GramjsGateway and our own
   * upload.GetFile downloader over a real GramJS client whose transport is simulated.
   */
  transport?: 'fake' | 'gramjs';
  gramjs?: Partial<SimulatedClientOptions>;
  /**
   * 'gramjs' only: hand the gateway a client factory, as production does, so an outage replaces
   * the client (sharing the network and session of the first one).
   */
  gramjsFactory?: boolean;
  /** Wraps whatever gateway there is, to inject faults. */
  wrap?(gateway: TelegramGateway, bot: SimulatedLosslessBot, clock: VirtualClock): TelegramGateway;
  /** The same simulated bot as a previous stack (a restart: the bot's chat and its late files live on). */
  bot?: SimulatedLosslessBot;
  /** Wraps the library (disk faults). */
  wrapLibrary?(library: Library): Library;
  source?: PlaylistSource;
  env?: Record<string, string>;
  /** Reuse a directory (a "restart"). */
  dir?: string;
  clock?: VirtualClock;
  pollIntervalMs?: number;
}

export interface Stack {
  dir: string;
  music: string;
  config: Config;
  clock: VirtualClock;
  bot: SimulatedLosslessBot;
  gateway: TelegramGateway;
  /** The simulated GramJS transport (transport 'gramjs' only): inject RPC errors, revoke the session... */
  link: SimulatedLink | null;
  store: DrizzleJobStore;
  service: JobService;
  pacer: Pacer;
  acquirer: LosslessAcquirer;
  events: JobEvent[];
  /** Every byte the logger wrote (JSON lines). */
  logs: string[];
  logger: Logger;
  tracks(jobId: number): TrackRecord[];
  /** Creates the job for LINK and runs it on virtual time until it stops. */
  download(options?: { signal?: AbortSignal; maxVirtualMs?: number }): Promise<JobRecord>;
  /** Closes the process side; `keepBot` leaves the simulated bot running (a restart follows). */
  close(options?: { keepBot?: boolean }): void;
  /** Removes the directory (after close). */
  dispose(): void;
}

export function createStack(options: StackOptions = {}): Stack {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'crate-chaos-'));
  const music = path.join(dir, 'music');
  const tracks = options.tracks ?? catalogue(4);
  const config = parseConfig({
    CRATE_DATA_DIR: path.join(dir, 'data'),
    DOWNLOAD_FOLDER: music,
    DELAY_BETWEEN_REQUESTS: '3',
    RESPONSE_TIMEOUT: '120',
    BATCH_SIZE: '4',
    MAX_RETRIES: '3',
    LOG_LEVEL: 'trace',
    ...options.env,
  });
  const clock = options.clock ?? new VirtualClock(Date.UTC(2026, 4, 1, 12, 0, 0));
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    secrets: secretValues(config),
    pretty: false,
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const bot = options.bot ?? new SimulatedLosslessBot({
    latencyMs: { reply: [300, 1500], file: [2_000, 8_000] },
    ...options.sim,
    catalogue: options.botCatalogue ?? tracks,
    clock: schedulerOnClock(clock),
  });
  let link: SimulatedLink | null = null;
  let base: TelegramGateway;
  if (options.transport === 'gramjs') {
    const client = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', ...options.gramjs });
    link = client.sim;
    let latest = client;
    let built = 0;
    const factory = () => {
      if (built++ === 0) return client;
      latest.sim.close();
      latest = createSimulatedTelegramClient(bot, { botUsername: 'LosslessRobot', ...options.gramjs, network: client.sim.network, session: client.session as StringSession });
      return latest;
    };
    base = new GramjsGateway(options.gramjsFactory ? factory : client, {
      botUsername: config.telegram.externalBot,
      logger: logger.child({ component: 'telegram' }),
      // Polling runs on real timers: the acquirer's own polling (virtual time) covers missed events.
      polling: { activeIntervalMs: 3_600_000, idleIntervalMs: 3_600_000 },
      now: () => clock.now(),
    });
  } else {
    base = new FakeGateway(bot, options.gateway);
  }
  const held = new HeldDownloads(base, clock);
  const gateway = options.wrap ? options.wrap(held, bot, clock) : held;
  const connectionSource = base;
  const opened = openJobStore(path.join(config.dataDir, 'crate.sqlite'), { now: () => clock.now() });
  const store = opened.store;
  let acquirer!: LosslessAcquirer;
  const fsLibrary = new FsLibrary({ store, logger: logger.child({ component: 'library' }) });
  const { service, pacer } = createJobService(config, {
    store,
    source: options.source ?? new FakePlaylistSource({ [LINK]: listingOf(tracks, options.playlistName) }),
    acquirer: (p) =>
      (acquirer = createLosslessAcquirer({
        gateway,
        pacer: p,
        mode: config.losslessMode,
        logger,
        timeouts: losslessTimeouts(config.responseTimeoutSeconds),
        clock,
        pollIntervalMs: options.pollIntervalMs ?? 15_000,
      })),
    library: heldLibrary(options.wrapLibrary ? options.wrapLibrary(fsLibrary) : fsLibrary, clock),
    sessionStatus: () => gateway.status(),
    logger,
    clock,
  });
  const events: JobEvent[] = [];
  // As src/main.ts: an outage pauses the running job and a recovery resumes it.
  connectionSource.onConnectionChange?.((change) => service.telegramConnection(change));
  service.events.subscribe((e) => events.push(e));
  let closed = false;
  let connected = false;
  return {
    dir,
    music,
    config,
    clock,
    bot,
    gateway,
    link,
    store,
    service,
    pacer,
    acquirer,
    events,
    logs,
    logger,
    tracks: (jobId) => store.tracks(jobId),
    async download(o = {}) {
      if (!connected) {
        connected = true;
        await clock.run(gateway.connect().then(() => gateway.resolveBot(config.telegram.externalBot)));
      }
      const job = await clock.run(service.createJob(LINK));
      return clock.run(service.run(job.id, o.signal ? { signal: o.signal } : {}), { maxVirtualMs: o.maxVirtualMs ?? 30 * 24 * 3600_000 });
    },
    close(o = {}) {
      if (closed) return;
      closed = true;
      acquirer.close();
      if (!o.keepBot) bot.close();
      link?.close();
      void gateway.disconnect().catch(() => undefined);
      opened.close();
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A gateway that delegates everything; fault wrappers override what they break. */
export class GatewayProxy implements TelegramGateway {
  constructor(protected readonly inner: TelegramGateway) {}
  connect() {
    return this.inner.connect();
  }
  disconnect() {
    return this.inner.disconnect();
  }
  status() {
    return this.inner.status();
  }
  resolveBot(username: string) {
    return this.inner.resolveBot(username);
  }
  sendText(text: string) {
    return this.inner.sendText(text);
  }
  clickButton(messageId: number, data: string) {
    return this.inner.clickButton(messageId, data);
  }
  inlineQuery(query: string) {
    return this.inner.inlineQuery(query);
  }
  sendInlineResult(result: Parameters<TelegramGateway['sendInlineResult']>[0]) {
    return this.inner.sendInlineResult(result);
  }
  history(o: { minId: number; limit: number }) {
    return this.inner.history(o);
  }
  getMessages(ids: number[]) {
    return this.inner.getMessages(ids);
  }
  onMessage(handler: Parameters<TelegramGateway['onMessage']>[0]) {
    return this.inner.onMessage(handler);
  }
  downloadDocument(messageId: number, targetPath: string, o?: Parameters<TelegramGateway['downloadDocument']>[2]) {
    return this.inner.downloadDocument(messageId, targetPath, o);
  }
}

/** Virtual time stands still while a download's real I/O runs (see VirtualClock.hold). */
class HeldDownloads extends GatewayProxy {
  constructor(
    inner: TelegramGateway,
    private readonly clock: VirtualClock,
  ) {
    super(inner);
  }
  override downloadDocument(messageId: number, targetPath: string, o?: Parameters<TelegramGateway['downloadDocument']>[2]) {
    return this.clock.hold(this.inner.downloadDocument(messageId, targetPath, o));
  }
  override sendText(text: string) {
    return this.clock.hold(this.inner.sendText(text));
  }
  override clickButton(messageId: number, data: string) {
    return this.clock.hold(this.inner.clickButton(messageId, data));
  }
  override history(o: { minId: number; limit: number }) {
    return this.clock.hold(this.inner.history(o));
  }
  override getMessages(ids: number[]) {
    return this.clock.hold(this.inner.getMessages(ids));
  }
}

/** Virtual time stands still while the library's real file I/O runs (verify, move, m3u8). */
function heldLibrary(library: Library, clock: VirtualClock): Library {
  return new Proxy(library, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? clock.hold(result) : result;
      };
    },
  });
}
