/**
 * Shared set-up of the protocol tests: the simulated @LosslessRobot behind a FakeGateway, one
 * virtual clock for both sides, a recording pacer, and requests whose breadcrumbs are kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TrackRecord } from '../../src/domain/job.js';
import type { AcquireOutcome, AcquireRequest, TrackProgressPatch } from '../../src/engine/ports.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createLosslessAcquirer, type LosslessAcquirer } from '../../src/lossless/create-acquirer.js';
import type { ProtocolMatcher } from '../../src/lossless/matcher.js';
import type { FirstContactStore } from '../../src/lossless/first-contact.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeGateway, schedulerOnClock, type FakeGatewayOptions } from '../fakes/fake-gateway.js';
import { FakePacer } from '../fakes/fake-pacer.js';
import { SimulatedLosslessBot, type SimOptions, type SimTrack } from '../fakes/simulated-lossless/core.js';

export const TIMEOUTS = { replyMs: 30_000, fileMs: 120_000 };

export interface Rig {
  clock: FakeClock;
  bot: SimulatedLosslessBot;
  gateway: FakeGateway;
  pacer: FakePacer;
  acquirer: LosslessAcquirer;
  dir: string;
  /** Builds a request for a catalogue track (or any track info), recording its breadcrumbs. */
  request(track: Partial<TrackRecord> & Pick<TrackRecord, 'artists' | 'title'>, extra?: Partial<AcquireRequest>): TestRequest;
  run<T>(p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface TestRequest extends AcquireRequest {
  patches: TrackProgressPatch[];
  bytes: number[];
}

export interface RigOptions {
  sim?: Omit<SimOptions, 'catalogue' | 'clock'>;
  gateway?: FakeGatewayOptions;
  mode?: 'chat' | 'inline';
  matcher?: ProtocolMatcher;
  pollIntervalMs?: number;
  logger?: Logger;
  /** Turns first contact (/start once) on, kept here. */
  firstContact?: FirstContactStore;
  unknownReplyLimit?: number;
}

let nextTrackId = 1;

export async function makeRig(catalogue: SimTrack[], options: RigOptions = {}): Promise<Rig> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const bot = new SimulatedLosslessBot({
    latencyMs: { reply: [200, 900], file: [2_000, 9_000] },
    ...options.sim,
    catalogue,
    clock: schedulerOnClock(clock),
  });
  const gateway = new FakeGateway(bot, options.gateway);
  const pacer = new FakePacer(() => clock.now());
  const acquirer = createLosslessAcquirer({
    gateway,
    pacer,
    mode: options.mode ?? 'chat',
    logger: options.logger ?? silentLogger(),
    timeouts: TIMEOUTS,
    clock,
    pollIntervalMs: options.pollIntervalMs ?? 0,
    ...(options.matcher ? { matcher: options.matcher } : {}),
    ...(options.firstContact ? { firstContact: options.firstContact } : {}),
    ...(options.unknownReplyLimit !== undefined ? { unknownReplyLimit: options.unknownReplyLimit } : {}),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'crate-lossless-'));
  return {
    clock,
    bot,
    gateway,
    pacer,
    acquirer,
    dir,
    request(track, extra = {}) {
      const t = trackRecord(track);
      const patches: TrackProgressPatch[] = [];
      const bytes: number[] = [];
      const req: TestRequest = {
        track: t,
        downloadPath: path.join(dir, `track-${t.id}.flac`),
        quality: 'high',
        signal: new AbortController().signal,
        async record(patch) {
          patches.push(patch);
          Object.assign(t, patch);
        },
        onBytes(received) {
          bytes.push(received);
        },
        patches,
        bytes,
        ...extra,
      };
      return req;
    },
    run: (p) => clock.run(p),
    async close() {
      acquirer.close();
      bot.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function trackRecord(t: Partial<TrackRecord> & Pick<TrackRecord, 'artists' | 'title'>): TrackRecord {
  return {
    id: nextTrackId++,
    jobId: 1,
    position: 1,
    spotifyId: null,
    album: null,
    durationMs: null,
    isrc: null,
    releaseYear: null,
    state: 'queued',
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    requestMessageId: null,
    menuMessageId: null,
    pickedRow: null,
    fileMessageId: null,
    receivedFile: null,
    filePath: null,
    quarantinePath: null,
    audio: null,
    rememberedChoice: null,
    createdAt: 0,
    updatedAt: 0,
    ...t,
  };
}

/** The track record the Spotify side would have for a simulator catalogue entry. */
export function fromSim(t: SimTrack, extra: Partial<TrackRecord> = {}): Partial<TrackRecord> & Pick<TrackRecord, 'artists' | 'title'> {
  return {
    artists: t.artists,
    title: t.title,
    durationMs: t.durationSec * 1000,
    spotifyId: t.spotifyId ?? null,
    isrc: t.isrc ?? null,
    album: t.album ?? null,
    ...extra,
  };
}

export function expectDownloaded(outcome: AcquireOutcome): Extract<AcquireOutcome, { kind: 'downloaded' }> {
  if (outcome.kind !== 'downloaded') throw new Error(`expected a download, got ${JSON.stringify(outcome)}`);
  return outcome;
}
