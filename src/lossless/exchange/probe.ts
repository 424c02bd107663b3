/**
 * `crate probe` / `/probe`: one real exchange with the external bot through the product's own
 * strategy (chat or inline, as configured) and pacer, every step written down as it happens
 * (RecordingGateway), read back in plain words, and optionally turned into an anonymised
 * `crate-exchange/1` recording. Nothing is downloaded and no job is touched.
 */
import type { TrackRecord } from '../../domain/job.js';
import type { TelegramGateway } from '../../domain/telegram.js';
import type { TrackInfo } from '../../domain/track.js';
import type { AcquireRequest, Clock, MessagePacer } from '../../engine/ports.js';
import type { Logger } from '../../logger.js';
import { echoOf } from '../chat-strategy.js';
import { EXCHANGE_FORMAT, type ExchangeScenarioInput } from './format.js';
import { transcript } from './probe-transcript.js';
import { recordScenario } from './record.js';
import { RecordingGateway, type ProbeStep } from './recording-gateway.js';
import type { FirstContactStore } from '../first-contact.js';
import { chosenSent, inlineSent, productAcquirer, resultOf, resultOfError, trackFromRequest, type ExchangeTrace, type ReplayResult } from './replay.js';

export interface ProbeDeps {
  gateway: TelegramGateway;
  pacer: MessagePacer;
  clock: Clock;
  mode: 'chat' | 'inline';
  quality: 'high' | 'max';
  responseTimeoutSeconds: number;
  logger: Logger;
  /** The account's first-contact record: a probe before any job sends /start first, as a job would. */
  firstContact?: FirstContactStore;
}

export interface ProbeReport {
  steps: ProbeStep[];
  /** The steps in plain words, one line each. */
  lines: string[];
  /** The same line `crate debug exchange` prints for a replay of the recording. */
  result: ReplayResult;
  /** The exchange as an anonymised crate-exchange/1 scenario. */
  scenario: ExchangeScenarioInput;
}

/** What the owner typed: a track link (resolved by the caller) or "Artist - Title". */
export function trackFromQuery(query: string): Pick<TrackInfo, 'artists' | 'title'> | null {
  const m = /^\s*(.+?)\s+[-–—]\s+(.+?)\s*$/.exec(query);
  if (!m) return null;
  return { artists: m[1]!.split(/\s*,\s*/).filter(Boolean), title: m[2]! };
}

export async function runProbe(deps: ProbeDeps, info: TrackInfo, options: { signal?: AbortSignal; ownerNames?: string[]; id?: string } = {}): Promise<ProbeReport> {
  const startedAt = deps.clock.now();
  const recorder = new RecordingGateway(deps.gateway, deps.clock);
  const logger = deps.logger.child({ component: 'probe' });
  const acquirer = productAcquirer({ ...deps, gateway: recorder, logger });
  const track: TrackRecord = {
    ...trackFromRequest({ artists: info.artists, title: info.title }),
    spotifyId: info.spotifyId,
    album: info.album,
    durationMs: info.durationMs,
    isrc: info.isrc,
    releaseYear: info.releaseYear,
    // Not a job's track: an id no job uses, so nothing is written for it.
    id: -1,
    jobId: -1,
  };
  const request: AcquireRequest = {
    track,
    downloadPath: '/dev/null',
    quality: deps.quality,
    signal: options.signal ?? new AbortController().signal,
    record: async (patch) => void Object.assign(track, patch, { updatedAt: deps.clock.now() }),
    onBytes: () => undefined,
  };
  const id = options.id ?? `probe-${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}`;
  let result: ReplayResult;
  try {
    const outcome = await acquirer.acquire(request);
    result = resultOf(id, traceOf(recorder.steps), outcome);
  } catch (err) {
    if (request.signal.aborted) throw err;
    result = resultOfError(id, traceOf(recorder.steps), err);
  } finally {
    acquirer.close();
    recorder.close();
  }
  const steps = recorder.steps;
  const lines = transcript(steps, { echo: echoOf(track), startedAt });
  const recording = recordScenario(steps, { id, mode: deps.mode, quality: deps.quality, track, result, ownerNames: options.ownerNames ?? [] });
  if (result.outcome === 'download') result = { ...result, document: recording.documentRef };
  return { steps, lines, result, scenario: recording.scenario };
}

/** The file `--record` writes (and `/probe` attaches). */
export function recordingOf(report: ProbeReport): string {
  const file = {
    format: EXCHANGE_FORMAT,
    note: 'Recorded by `crate probe`; ids, file references, phone numbers and the owner\'s names removed. Replay with `crate debug exchange --input FILE`.',
    scenarios: [report.scenario],
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

function traceOf(steps: ProbeStep[]): ExchangeTrace {
  const sent: string[] = [];
  const clicks: string[] = [];
  // Results are numbered r1, r2... in order, as the recording names them.
  const results = new Map<string, number>();
  for (const s of steps) {
    if (s.kind === 'sent') sent.push(s.text);
    else if (s.kind === 'inline') {
      sent.push(inlineSent(s.query));
      for (const x of s.results) results.set(x.resultId, results.size + 1);
    } else if (s.kind === 'chosen') sent.push(chosenSent(`r${results.get(s.resultId) ?? '?'}`));
    else if (s.kind === 'clicked') clicks.push(s.button?.text ?? '(a button that is not there)');
  }
  // The document's ref comes from the recording (recordScenario), which numbers the messages.
  return { sent, clicks, downloaded: null };
}

/** The probe's outcome in one sentence for people (the JSON line is `report.result`). */
export function verdictLine(result: ReplayResult): string {
  const what: Record<ReplayResult['outcome'], string> = {
    download: 'Crate would download the file',
    not_found: 'Crate would mark the track not found',
    mismatch: 'Crate would refuse the file the bot sent (not this track)',
    paused: `Crate would pause the job (${result.pause ?? 'stop'})`,
    failed: 'Crate would count a failed attempt and try again later',
  };
  return `Verdict: ${result.outcome} — ${what[result.outcome]}: ${result.reason}`;
}
