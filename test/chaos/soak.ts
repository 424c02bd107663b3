/**
 * `npm run chaos -- soak` (issue 7, item 6): 1,000 tracks through the whole stack in one process
 * (openCore from src/main.ts: SQLite file, Spotify source against the fake server, Lossless
 * acquirer and reply router, pacer, FsLibrary writing real FLACs) against the simulated
 * @LosslessRobot behind FakeGateway.
 *
 * Time: one virtual clock (test/fakes/fake-clock.ts) drives the pacer, the engine, the router's
 * timeouts and the simulator, so the 2 s message gap and the bot's latencies (0.2–0.8 s replies,
 * 1–4 s files) cost no wall time while every file is really written, verified and moved.
 *
 * Measured after every 100 finished tracks (after a forced GC): RSS, heap, open file descriptors
 * (/proc/self/fd), process listeners, active handles, job-event listeners, the simulator's
 * subscribers and the reply router's internal tables. "Start" is after the first 100 tracks
 * (modules loaded, caches warm), "end" after the last.
 */
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { parseConfig } from '../../src/config.js';
import { JobEventEmitter } from '../../src/engine/job-events.js';
import type { JobEvent } from '../../src/engine/ports.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { openCore } from '../../src/main.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeGateway, schedulerOnClock } from '../fakes/fake-gateway.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify } from '../fakes/fake-spotify-server.js';
import { SimulatedLosslessBot, type SimTrack } from '../fakes/simulated-lossless/core.js';
import type { ChaosContext } from './context.js';

/** CRATE_SOAK_TRACKS=N runs a longer soak (does RSS level off?); the check and its line are the same. */
const TRACKS = Number(process.env.CRATE_SOAK_TRACKS ?? 1000);
const SAMPLE_EVERY = 100;
const GAP_S = 2;
/** Allowed growth from the first to the last sample (the simulator keeps every message and document it sent). */
const RSS_SLACK_MB = 40;
const HEAP_SLACK_MB = 16;

interface Sample {
  finished: number;
  rssMb: number;
  heapMb: number;
  /** V8 heap committed (heapTotal): what the main isolate holds from the OS, used or not. */
  heapCommittedMb: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers, ArrayBuffers). */
  externalMb: number;
  /** RSS split as the kernel counts it: anonymous memory (heaps, malloc) and file pages (the node binary, SQLite's files). */
  anonMb: number;
  fileMb: number;
  threads: number;
  fds: number;
  processListeners: number;
  activeHandles: number;
  eventListeners: number;
  botListeners: number;
  router: Record<string, number>;
}

const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'warning'];

function forceGc(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

function procStatus(): { anonMb: number; fileMb: number; threads: number } {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024, threads: kb('Threads') };
  } catch {
    return { anonMb: NaN, fileMb: NaN, threads: -1 };
  }
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

export async function run(ctx?: ChaosContext): Promise<{ lines: string[]; ok: boolean }> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-chaos-soak-'));
  const clock = new FakeClock(Date.UTC(2026, 4, 1, 8, 0, 0));
  const spotifyTracks = makeTracks(TRACKS, { prefix: 'Soak', featuring: true });
  const playlistId = fakeId('pl:soak');
  const spotify = await startFakeSpotify({ playlists: [{ id: playlistId, name: 'Soak Set', ownerId: 'owner', rows: spotifyTracks }] });
  const refresh = spotify.issueRefreshToken('owner');
  const catalogue: SimTrack[] = spotifyTracks.map((t, i) => ({
    id: `s${i + 1}`,
    spotifyId: t.id,
    artists: t.artists,
    title: t.name,
    durationSec: t.durationMs / 1000,
  }));
  const bot = new SimulatedLosslessBot({ catalogue, clock: schedulerOnClock(clock), latencyMs: { reply: [200, 800], file: [1000, 4000] }, seed: 5 });
  const config = parseConfig({
    ...spotify.env({ withApp: true }),
    SPOTIFY_REFRESH_TOKEN: refresh,
    CRATE_DATA_DIR: path.join(dir, 'data'),
    DOWNLOAD_FOLDER: path.join(dir, 'downloads'),
    TELEGRAM_API_ID: '12345',
    TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
    DELAY_BETWEEN_REQUESTS: String(GAP_S),
    DAILY_MESSAGE_BUDGET: '100000',
    LOG_LEVEL: 'silent',
  });
  // The simulator would keep every file it served (about 110 KB each here); once a file is on disk
  // it forgets it, so the memory measured is Crate's.
  const gateway = new FakeGateway(bot);
  const download = gateway.downloadDocument.bind(gateway);
  gateway.downloadDocument = async (messageId, target, options) => {
    // Virtual time stands still while the download's real writes and fsync run (VirtualClock.hold):
    // otherwise the clock races through other tracks' poll and pacer timers during a 20 ms fsync,
    // and the track's 300 s inactivity watchdog fires on a download that real time would finish.
    const result = await clock.hold(download(messageId, target, options));
    const documentId = bot.getMessages([messageId])[0]?.document?.id;
    if (documentId) bot.forgetDocument(documentId);
    return result;
  };
  // CRATE_SOAK_LOG=FILE writes Crate's debug log there, each line prefixed with the virtual time.
  const logFile = process.env.CRATE_SOAK_LOG ? createWriteStream(process.env.CRATE_SOAK_LOG) : null;
  const logger = logFile
    ? createLogger({ level: 'debug', secrets: [], pretty: false, destination: { write: (line: string) => logFile.write(`${new Date(clock.now()).toISOString()} ${line}`) } })
    : silentLogger();
  const core = await openCore(config, logger, { createGateway: async () => gateway, clock });
  const samples: Sample[] = [];
  let finished = 0;
  // CRATE_SOAK_HEAP=DIR writes a heap snapshot at every sample there (compare the first and last in DevTools).
  const heapDir = process.env.CRATE_SOAK_HEAP ?? null;
  const sample = () => {
    forceGc();
    if (heapDir) writeHeapSnapshot(path.join(heapDir, `soak-${String(finished).padStart(4, '0')}.heapsnapshot`));
    const mem = process.memoryUsage();
    samples.push({
      finished,
      rssMb: mem.rss / 1024 / 1024,
      heapMb: mem.heapUsed / 1024 / 1024,
      heapCommittedMb: mem.heapTotal / 1024 / 1024,
      externalMb: mem.external / 1024 / 1024,
      ...procStatus(),
      fds: openFds(),
      processListeners: PROCESS_EVENTS.reduce((n, e) => n + process.listenerCount(e), 0),
      activeHandles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length,
      eventListeners: core.service.events instanceof JobEventEmitter ? core.service.events.listenerCount : -1,
      botListeners: (bot as unknown as { listeners: Set<unknown> }).listeners.size,
      router: core.acquirer.debugSizes(),
    });
  };
  const onEvent = (e: JobEvent) => {
    if (e.type !== 'track_changed' || !['done', 'skipped', 'not_found', 'mismatch', 'failed'].includes(e.track.state)) return;
    finished++;
    if (finished % SAMPLE_EVERY === 0 && finished < TRACKS) sample();
  };
  let status = 'not started';
  let done = 0;
  let notDone: string[] = [];
  try {
    await core.connectUserSession();
    const job = await core.service.createJob(openUrl('playlist', playlistId));
    const unsubscribe = core.service.events.subscribe(onEvent);
    const result = await clock.run(core.service.run(job.id));
    unsubscribe();
    status = result.status;
    done = core.store.counts(job.id).done;
    // Which tracks fell short, and where each stopped: enough to find the cause without rerunning.
    notDone = core.store
      .tracks(job.id)
      .filter((t) => t.state !== 'done')
      .map((t) => `#${t.position} "${t.title}" ${t.state} after ${t.attempts} attempt(s): ${t.lastError ?? 'no error'} (request ${t.requestMessageId ?? '-'}, menu ${t.menuMessageId ?? '-'}, file ${t.fileMessageId ?? '-'})`);
    // Let the last writes (the m3u8) settle, then measure the idle service.
    await clock.run(new Promise<void>((r) => setTimeout(r, 20)));
    sample();
    samples[samples.length - 1]!.finished = finished;
  } finally {
    ctx?.recordPacing({ source: 'soak', actions: bot.actions(), floods: [], gapMs: GAP_S * 1000, timeScale: Infinity });
    await core.service.shutdown();
    await core.close();
    bot.close();
    logFile?.end();
    await spotify.close();
    // CRATE_SOAK_KEEP=1 keeps the data folder (SQLite, downloads) to look into after a failure.
    if (process.env.CRATE_SOAK_KEEP === '1') console.error(`soak: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }

  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const problems: string[] = [];
  if (status !== 'done' || done !== TRACKS) problems.push(`job ${status}, ${done}/${TRACKS} done`, ...notDone.slice(0, 10).map((t) => `  not done: ${t}`));
  if (last.rssMb - first.rssMb > RSS_SLACK_MB) problems.push(`RSS grew ${(last.rssMb - first.rssMb).toFixed(1)} MB`);
  if (last.heapMb - first.heapMb > HEAP_SLACK_MB) problems.push(`heap grew ${(last.heapMb - first.heapMb).toFixed(1)} MB`);
  if (last.fds > first.fds) problems.push(`open file descriptors ${first.fds} → ${last.fds}`);
  if (last.processListeners > first.processListeners) problems.push(`process listeners ${first.processListeners} → ${last.processListeners}`);
  if (last.eventListeners > first.eventListeners) problems.push(`job event listeners ${first.eventListeners} → ${last.eventListeners}`);
  if (last.botListeners > 1) problems.push(`${last.botListeners} subscribers on the bot chat`);
  if (last.activeHandles > first.activeHandles) problems.push(`active handles ${first.activeHandles} → ${last.activeHandles}`);
  const r = last.router;
  if ((r.conversations ?? 0) > 0 || (r.polling ?? 0) > 0) problems.push(`router still busy when idle: ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) if (v > 5000) problems.push(`router table ${k} has ${v} entries`);

  const mb = (x: number) => x.toFixed(0);
  const trend = samples.map((s) => mb(s.rssMb)).join(' ');
  const lines = [
    `soak: RSS start ${mb(first.rssMb)} MB end ${mb(last.rssMb)} MB, fds start ${first.fds} end ${last.fds}`,
    `  ${TRACKS} tracks (${done} done) in ${((Date.now() - started) / 1000).toFixed(0)} s wall, ${((clock.now() - Date.UTC(2026, 4, 1, 8, 0, 0)) / 3_600_000).toFixed(1)} h on the virtual clock shared by pacer, engine and simulator (gap ${GAP_S} s)`,
    `  RSS per 100 tracks: ${trend} MB (anonymous ${mb(first.anonMb)} → ${mb(last.anonMb)} MB, file pages ${mb(first.fileMb)} → ${mb(last.fileMb)} MB, threads ${first.threads} → ${last.threads}); heap ${mb(first.heapMb)} → ${mb(last.heapMb)} MB (committed ${mb(first.heapCommittedMb)} → ${mb(last.heapCommittedMb)} MB), external ${mb(first.externalMb)} → ${mb(last.externalMb)} MB; process listeners ${first.processListeners} → ${last.processListeners}; job-event listeners ${first.eventListeners} → ${last.eventListeners}; bot subscribers ${first.botListeners} → ${last.botListeners}; active handles ${first.activeHandles} → ${last.activeHandles}`,
    `  reply router at 100 tracks ${JSON.stringify(first.router)}, at the end ${JSON.stringify(last.router)}`,
    ...problems.map((p) => `  PROBLEM: ${p}`),
  ];
  return { lines, ok: problems.length === 0 };
}
