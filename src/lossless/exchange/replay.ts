/**
 * Replays one `crate-exchange/1` scenario through the product's own acquirer (the same chat or
 * inline strategy, reply router and matcher `crate serve` builds) against the scenario's scripted
 * bot, with the engine's real Pacer, all on virtual time: minutes of bot latency and message gaps
 * in milliseconds, every gap still kept (in virtual time).
 */
import path from 'node:path';
import { tmpdir } from 'node:os';
import { FloodWaitError, SafetyStopError, errorMessage } from '../../domain/errors.js';
import type { TrackRecord } from '../../domain/job.js';
import type { AcquireOutcome, AcquireRequest, Clock, MessagePacer } from '../../engine/ports.js';
import { Pacer } from '../../engine/pacer.js';
import { VirtualClock } from '../../engine/virtual-clock.js';
import { silentLogger, type Logger } from '../../logger.js';
import { createLosslessAcquirer, losslessTimeouts, type LosslessAcquirer } from '../create-acquirer.js';
import { memoryFirstContactStore, type FirstContactStore } from '../first-contact.js';
import type { TelegramGateway } from '../../domain/telegram.js';
import type { ExchangeRequest, ExchangeScenario } from './format.js';
import { MemoryPacerStore } from './memory-pacer-store.js';
import { ScriptedBot } from './scripted-bot.js';

export type ReplayOutcome = 'download' | 'not_found' | 'mismatch' | 'paused' | 'failed';
export type ReplayPause = 'gate' | 'quota' | 'unknown_reply';

/** One line of `crate debug exchange`. */
export interface ReplayResult {
  id: string;
  outcome: ReplayOutcome;
  /** Ref of the message whose document Crate would download, or null. */
  document: string | null;
  pause: ReplayPause | null;
  /** Each text Crate sent (inline queries as `@bot query`, chosen inline results as `(chosen REF)`). */
  sent: string[];
  /** Text of each button Crate pressed, in order. */
  clicks: string[];
  reason: string;
}

export interface ReplayOptions {
  /** RESPONSE_TIMEOUT in seconds (default 300, the product's default). */
  responseTimeoutSeconds?: number;
  /** DELAY_BETWEEN_REQUESTS in seconds (default 3; the pacer's 2 s floor holds whatever is passed). */
  messageGapSeconds?: number;
  logger?: Logger;
  /** Virtual start time (epoch ms). */
  startAt?: number;
}

/** What the replay builds, for callers that drive the acquirer themselves (tests, `crate probe`). */
export interface ReplayRig {
  clock: VirtualClock;
  bot: ScriptedBot;
  pacer: MessagePacer;
  acquirer: LosslessAcquirer;
  track: TrackRecord;
  request: AcquireRequest;
}

/**
 * The acquirer exactly as the product wires it (create-acquirer.ts), over any gateway. Kept in
 * one place so a change of the product's wiring (first contact, a new setting) reaches replays.
 */
export function productAcquirer(deps: {
  gateway: TelegramGateway;
  pacer: MessagePacer;
  clock: Clock;
  mode: 'chat' | 'inline';
  responseTimeoutSeconds: number;
  logger: Logger;
  /** Where "/start was sent" is kept: a replay is a fresh account (memory), a probe the owner's (SQLite); absent: never sent. */
  firstContact?: FirstContactStore;
}): LosslessAcquirer {
  return createLosslessAcquirer({
    gateway: deps.gateway,
    pacer: deps.pacer,
    mode: deps.mode,
    logger: deps.logger,
    timeouts: losslessTimeouts(deps.responseTimeoutSeconds),
    clock: deps.clock,
    ...(deps.firstContact ? { firstContact: deps.firstContact } : {}),
  });
}

/**
 * The account state a scenario was recorded in: with a rule for `/start` it was a fresh account
 * (Crate sends /start first, as in production); without, first contact had already happened.
 */
export function firstContactOf(scenario: ExchangeScenario): FirstContactStore {
  const fresh = scenario.bot.some((rule) => rule.on.sent === 'start');
  return memoryFirstContactStore(fresh ? null : { state: 'sent', at: 0, messageId: null, answer: null, answerKind: null });
}

export function replayRig(scenario: ExchangeScenario, options: ReplayOptions = {}): ReplayRig {
  const clock = new VirtualClock(options.startAt ?? Date.UTC(2026, 0, 1, 12));
  const bot = new ScriptedBot(scenario, { clock });
  const pacer = new Pacer({
    store: new MemoryPacerStore(),
    clock,
    messageGapSeconds: options.messageGapSeconds ?? 3,
    dailyBudget: 10_000,
    random: () => 0.5,
  });
  const acquirer = productAcquirer({
    gateway: bot,
    pacer,
    clock,
    mode: scenario.mode,
    responseTimeoutSeconds: options.responseTimeoutSeconds ?? 300,
    logger: options.logger ?? silentLogger(),
    firstContact: firstContactOf(scenario),
  });
  const track = trackFromRequest(scenario.request);
  const request: AcquireRequest = {
    track,
    // Never written: the scripted bot has no bytes (see ScriptedBot.downloadDocument).
    downloadPath: path.join(tmpdir(), `crate-replay-${track.id}.flac`),
    quality: scenario.quality,
    signal: new AbortController().signal,
    record: async (patch) => void Object.assign(track, patch, { updatedAt: clock.now() }),
    onBytes: () => undefined,
  };
  return { clock, bot, pacer, acquirer, track, request };
}

/** Replays one scenario; never throws for what the exchange does (that is the result). */
export async function replayScenario(scenario: ExchangeScenario, options: ReplayOptions = {}): Promise<ReplayResult> {
  const rig = replayRig(scenario, options);
  try {
    const outcome = await rig.clock.run(rig.acquirer.acquire(rig.request)).then(
      (o) => ({ ok: o }) as const,
      (err: unknown) => ({ err }) as const,
    );
    return 'ok' in outcome ? resultOf(scenario.id, traceOf(rig.bot), outcome.ok) : resultOfError(scenario.id, traceOf(rig.bot), outcome.err);
  } finally {
    rig.acquirer.close();
    rig.bot.close();
  }
}

export async function replayAll(scenarios: ExchangeScenario[], options: ReplayOptions = {}): Promise<ReplayResult[]> {
  const out: ReplayResult[] = [];
  for (const s of scenarios) out.push(await replayScenario(s, options));
  return out;
}

/** The track Crate would hold for the scenario's request (Spotify id from the link, when it has one). */
export function trackFromRequest(r: ExchangeRequest): TrackRecord {
  const spotifyId = /(?:track[/:])([A-Za-z0-9]{22})(?![A-Za-z0-9])/.exec(r.spotifyUrl ?? '')?.[1] ?? null;
  return {
    id: 1,
    jobId: 1,
    position: 1,
    spotifyId,
    artists: r.artists,
    title: r.title,
    album: r.album ?? null,
    durationMs: r.durationMs ?? null,
    isrc: r.isrc ?? null,
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
  };
}

/** What the bot saw of an exchange: what was sent and pressed, and which message's file was downloaded. */
export interface ExchangeTrace {
  sent: string[];
  clicks: string[];
  /** Ref of the message downloaded last, or null. */
  downloaded: string | null;
}

/** The result line for an acquire that returned (also used by the simulator's runs of a scenario). */
export function resultOf(id: string, trace: ExchangeTrace, outcome: AcquireOutcome): ReplayResult {
  const base = { sent: trace.sent, clicks: trace.clicks };
  switch (outcome.kind) {
    case 'downloaded': {
      const file = outcome.receivedFile['fileName'];
      return {
        id,
        outcome: 'download',
        document: trace.downloaded,
        pause: null,
        ...base,
        reason: `would download ${typeof file === 'string' ? `"${file}"` : 'the file'}${outcome.pickedRow ? ` (picked "${outcome.pickedRow}")` : ''}`,
      };
    }
    case 'not_found':
      return { id, outcome: 'not_found', document: null, pause: null, ...base, reason: oneLine(outcome.reason) };
    case 'mismatch':
      return { id, outcome: 'mismatch', document: null, pause: null, ...base, reason: oneLine(outcome.reason) };
    case 'failed':
      return { id, outcome: 'failed', document: null, pause: null, ...base, reason: oneLine(outcome.reason) };
  }
}

/** The result line for an acquire that threw (safety stops are pauses). */
export function resultOfError(id: string, trace: ExchangeTrace, err: unknown): ReplayResult {
  const base = { sent: trace.sent, clicks: trace.clicks };
  if (err instanceof SafetyStopError) {
    return { id, outcome: 'paused', document: null, pause: pauseOf(err.signal), ...base, reason: oneLine(`${err.signal}: ${err.message}`) };
  }
  if (err instanceof FloodWaitError) return { id, outcome: 'paused', document: null, pause: 'quota', ...base, reason: oneLine(err.message) };
  return { id, outcome: 'failed', document: null, pause: null, ...base, reason: oneLine(`error: ${errorMessage(err)}`) };
}

/**
 * The job-level pause a safety stop stands for. Signals are matched by name so that new ones
 * (a gate, an unknown reply seen too often) need no change here when they follow the names.
 */
export function pauseOf(signal: string): ReplayPause {
  if (/gate|subscri|start/i.test(signal)) return 'gate';
  if (/unknown/i.test(signal)) return 'unknown_reply';
  return 'quota';
}

function traceOf(bot: ScriptedBot): ExchangeTrace {
  const sent: string[] = [];
  const clicks: string[] = [];
  let downloaded: string | null = null;
  for (const a of bot.actions) {
    if (a.kind === 'sent') sent.push(a.text);
    else if (a.kind === 'inline') sent.push(inlineSent(a.query));
    else if (a.kind === 'chosen') sent.push(chosenSent(a.ref));
    else if (a.kind === 'clicked') clicks.push(a.text ?? '(a button that is not there)');
    else if (a.kind === 'download') downloaded = a.ref;
  }
  return { sent, clicks, downloaded };
}

/** How an inline query and a chosen result appear among the texts sent. */
export const inlineSent = (query: string): string => `@LosslessRobot ${query}`;
export const chosenSent = (ref: string): string => `(chosen ${ref})`;

function oneLine(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
