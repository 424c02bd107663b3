/**
 * Pipeline benchmark: how close does a job come to the pacer's floor (tracks × message gap)?
 *
 * 100 tracks, bot latency 5–30 s per track (message → menu → quality → file), message gap 3 s,
 * clicks paced too. The real engine runs: JobService, JobRunner, Pacer and DrizzleJobStore on a
 * SQLite file; only the bot and the library are fakes. Time is scaled down with the latency and
 * the gap together: by default on simulated time (every wait skipped, so the numbers do not depend
 * on how busy the machine is; a wall clock scaled ×0.01 turns 1 ms of timer lateness into 3 % of a
 * gap), or with CRATE_BENCH_SCALE=0.01 on the wall clock scaled by that factor.
 * Memory is measured in fresh child processes (1000 tracks vs 10).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openJobStore } from '../../src/db/job-store.js';
import type { AudioFacts, JobOptions, JobRecord, TrackRecord } from '../../src/domain/job.js';
import { scaledClock } from '../../src/engine/clock.js';
import type { Clock } from '../../src/engine/ports.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { JobService } from '../../src/engine/job-service.js';
import { Pacer } from '../../src/engine/pacer.js';
import type { Library } from '../../src/engine/ports.js';
import { silentLogger } from '../../src/logger.js';
import { FakeAcquirer } from '../fakes/fake-acquirer.js';
import { FakePlaylistSource, makeListing } from '../fakes/fake-listing.js';
import { seededRandom } from '../fakes/seeded-random.js';

const GAP_S = 3;
const LATENCY_MIN_MS = 5_000;
const LATENCY_MAX_MS = 30_000;
const AUDIO: AudioFacts = { bitDepth: 16, sampleRate: 44_100, channels: 2, durationMs: 200_000, sizeBytes: 45_000_000, quality: 'high' };


/** A library that keeps nothing in memory (the memory probe must measure the engine, not a fake's log). */
class BenchLibrary implements Library {
  plannedPath(job: JobRecord, track: TrackRecord | { title: string }): string {
    return `/bench/${job.name}/${track.title}.flac`;
  }
  async accept(job: JobRecord, track: TrackRecord) {
    return { kind: 'stored' as const, path: this.plannedPath(job, track), audio: AUDIO };
  }
  async findExisting() {
    return null;
  }
  async linkExisting(job: JobRecord, track: TrackRecord) {
    return this.plannedPath(job, track);
  }
  async writePlaylist(job: JobRecord) {
    return `/bench/${job.name}.m3u8`;
  }
  async downloadPath(_job: JobRecord, track: TrackRecord) {
    return `/bench/.partial/${track.id}.flac`;
  }
  async acceptQuarantined(job: JobRecord, track: TrackRecord) {
    return { path: this.plannedPath(job, track), audio: null };
  }
  async discardDownloads() {}
}

export interface PipelineResult {
  makespanMs: number;
  floorMs: number;
  messages: number;
  minMessageGapMs: number;
  /** First to last message. */
  messageSpanMs: number;
}

/**
 * Runs one job of `tracks` tracks with window `batchSize`. `scale` = 'virtual' runs on simulated
 * time (the engine code runs for real; only waiting is skipped), immune to machine load; a number
 * runs on the wall clock scaled by it.
 */
export async function simulate(tracks: number, batchSize: number, scale: number | 'virtual', seed = 42): Promise<PipelineResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-bench-pipeline-'));
  const fake = scale === 'virtual' ? new FakeClock(Date.now()) : null;
  const clock: Clock = fake ?? scaledClock(scale as number);
  const opened = openJobStore(path.join(dir, 'crate.sqlite'), { now: () => clock.now() });
  try {
    const store = opened.store;
    const random = seededRandom(seed);
    const latency = Array.from({ length: tracks + 1 }, () => LATENCY_MIN_MS + random() * (LATENCY_MAX_MS - LATENCY_MIN_MS));
    const pacer = new Pacer({ store, clock, messageGapSeconds: GAP_S, dailyBudget: 1_000_000, random: seededRandom(seed + 1) });
    const acquirer = new FakeAcquirer({ clock, pacer, clicks: 2, latencyMs: (t) => latency[t.position]!, progressSteps: 4 });
    const link = 'https://open.spotify.com/playlist/bench';
    const options: JobOptions = {
      limit: null,
      startFrom: 1,
      batchSize,
      organizeBy: 'playlist',
      yearFolders: false,
      outputDir: '/bench',
      fileTemplate: '{artists} - {title}',
      quality: 'high',
    };
    const service = new JobService({
      store,
      source: new FakePlaylistSource({ [link]: makeListing(tracks) }),
      acquirer,
      library: new BenchLibrary(),
      pacer,
      clock,
      logger: silentLogger(),
      sessionStatus: async () => ({ state: 'ready', user: null, detail: null }),
      defaults: { options, maxRetries: 3, responseTimeoutSeconds: 300, messageGapSeconds: GAP_S },
    });
    const job = await service.createJob(link);
    const start = clock.now();
    const done = fake ? await fake.run(service.run(job.id)) : await service.run(job.id);
    const makespanMs = clock.now() - start;
    if (done.status !== 'done' || store.counts(job.id).done !== tracks) throw new Error(`bench job did not finish: ${done.status}`);
    const sends = store.outgoingTimes(0).filter((o) => o.kind === 'message').map((o) => o.sentAt);
    const gaps = sends.slice(1).map((t, i) => t - sends[i]!);
    return {
      makespanMs,
      floorMs: tracks * GAP_S * 1000,
      messages: sends.length,
      minMessageGapMs: Math.min(...gaps),
      messageSpanMs: sends[sends.length - 1]! - sends[0]!,
    };
  } finally {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * V8 sizes its young generation by allocation rate: a long busy run grows it from 16 to 32 MB
 * whatever it keeps, which a 10-track run never reaches. Pinning it (at V8's default maximum) in
 * both probes makes the ratio measure what the engine retains per track.
 */
const PINNED_YOUNG_GEN = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

/** Peak RSS (bytes) of a fresh process running `tracks` tracks. */
function peakRss(tracks: number, scale: number | 'virtual', v8Flags: string[] = []): number {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...v8Flags, '--import', 'tsx', self, '--memory-child', String(tracks), String(scale)], {
    encoding: 'utf8',
    cwd: path.resolve(path.dirname(self), '..', '..'),
  });
  const m = /maxRSS=(\d+)/.exec(child.stdout);
  if (child.status !== 0 || !m) throw new Error(`memory probe failed (${child.status}): ${child.stderr || child.stdout}`);
  return Number(m[1]) * 1024;
}

export async function run(): Promise<string[]> {
  const envScale = Number(process.env.CRATE_BENCH_SCALE);
  const scale: number | 'virtual' = envScale > 0 ? envScale : 'virtual';
  // The makespan's tail is the last track's random bot latency (5–30 s): one seed is one draw, so
  // R is the median over several playlists' worth of latencies, with the range shown.
  const seeds = scale === 'virtual' ? [42, 7, 99, 1234, 2026] : [42];
  const runs: PipelineResult[] = [];
  for (const seed of seeds) runs.push(await simulate(100, 12, scale, seed));
  const ratios = runs.map((x) => x.makespanMs / x.floorMs).sort((a, b) => a - b);
  const r = ratios[Math.floor(ratios.length / 2)]!;
  const windowed = runs[0]!;
  const sequential = await simulate(100, 1, scale);
  const s = sequential.makespanMs / windowed.makespanMs;
  const small = peakRss(10, scale, PINNED_YOUNG_GEN);
  const large = peakRss(1000, scale, PINNED_YOUNG_GEN);
  const smallFree = peakRss(10, scale);
  const largeFree = peakRss(1000, scale);
  const q = large / small;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  return [
    `pipeline: makespan/floor ${r.toFixed(3)} (floor = tracks × gap), sequential/windowed ${s.toFixed(2)}`,
    `  makespan/floor over ${seeds.length} latency draws: median ${r.toFixed(3)}, range ${ratios[0]!.toFixed(3)}–${ratios.at(-1)!.toFixed(3)}`,
    `memory: peak RSS 1000 tracks / 10 tracks = ${q.toFixed(3)}`,
    `  100 tracks, gap ${GAP_S} s, bot latency ${LATENCY_MIN_MS / 1000}–${LATENCY_MAX_MS / 1000} s, window 12, ${scale === 'virtual' ? 'simulated time' : `wall clock ×${scale}`}: makespan ${(windowed.makespanMs / 1000).toFixed(1)} s vs floor ${(windowed.floorMs / 1000).toFixed(0)} s (messages span ${(windowed.messageSpanMs / 1000).toFixed(1)} s, the rest is the last track's latency); min message gap ${(windowed.minMessageGapMs / 1000).toFixed(3)} s`,
    `  sequential (--sequential) ${(sequential.makespanMs / 1000).toFixed(0)} s vs windowed ${(windowed.makespanMs / 1000).toFixed(0)} s`,
    `  peak RSS: 10 tracks ${mb(small)} MB, 1000 tracks ${mb(large)} MB (young generation pinned at 16 MB); unpinned ${mb(smallFree)} → ${mb(largeFree)} MB = ${(largeFree / smallFree).toFixed(3)}, mostly V8 growing its young generation under the compressed load`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--memory-child')) {
  const i = process.argv.indexOf('--memory-child');
  const tracks = Number(process.argv[i + 1]);
  const scale = process.argv[i + 2] === 'virtual' ? 'virtual' : Number(process.argv[i + 2]);
  await simulate(tracks, 12, scale);
  process.stdout.write(`maxRSS=${process.resourceUsage().maxRSS}\n`);
}
