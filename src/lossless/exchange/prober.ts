/**
 * What `crate probe` and the control bot's `/probe` share: reads the query (a track link through
 * the product's Spotify source, or "Artist - Title"), refuses while a job is running (its replies
 * and the probe's would share the chat), and runs one probe on the product's gateway and pacer.
 */
import { UserError } from '../../domain/errors.js';
import type { TelegramGateway } from '../../domain/telegram.js';
import type { TrackInfo } from '../../domain/track.js';
import type { Clock, MessagePacer, PlaylistSource } from '../../engine/ports.js';
import type { Logger } from '../../logger.js';
import type { FirstContactStore } from '../first-contact.js';
import { recordingOf, runProbe, trackFromQuery, verdictLine, type ProbeReport } from './probe.js';

export interface ProberDeps {
  source: PlaylistSource;
  gateway: TelegramGateway;
  pacer: MessagePacer;
  clock: Clock;
  mode: 'chat' | 'inline';
  quality: 'high' | 'max';
  responseTimeoutSeconds: number;
  logger: Logger;
  /** The account's first-contact record (SQLite in production). */
  firstContact?: FirstContactStore;
  /** Why a probe cannot run now (a job is running), or null. */
  busy(): string | null;
}

export interface Prober {
  /** Longest a probe may take, in seconds (the reply and file timeouts), to tell the owner. */
  readonly maxSeconds: number;
  probe(query: string, options?: { signal?: AbortSignal }): Promise<ProbeReport>;
}

const LINK = /^(?:https?:\/\/|spotify:)/i;

export function createProber(deps: ProberDeps): Prober {
  return {
    maxSeconds: deps.responseTimeoutSeconds * 2,
    async probe(query, options = {}) {
      const q = query.trim();
      if (q === '') throw new UserError('Say what to probe: a Spotify track link or "Artist - Title".');
      const busy = deps.busy();
      if (busy) throw new UserError(`Cannot probe now: ${busy}.`, 'Pause it first (a probe and a job would share the chat with @LosslessRobot), then probe.');
      const track = LINK.test(q) ? await trackOfLink(deps.source, q, options.signal) : byName(q);
      const status = await deps.gateway.status();
      if (status.state !== 'ready') {
        throw new UserError(`The Telegram session is not ready (${status.state}${status.detail ? `: ${status.detail}` : ''}).`, 'Log in first (`crate login` or /login).');
      }
      return runProbe(deps, track, { ...(options.signal ? { signal: options.signal } : {}), ownerNames: [...(status.user ? [status.user] : []), ...(status.names ?? [])] });
    },
  };
}

async function trackOfLink(source: PlaylistSource, link: string, signal?: AbortSignal): Promise<TrackInfo> {
  const listing = await source.load(link, signal ? { signal } : {});
  if (listing.source.type !== 'track' || listing.tracks.length !== 1) {
    throw new UserError(`A probe asks for one track; that link is a ${listing.source.type} of ${listing.tracks.length} tracks.`, 'Send a track link (open.spotify.com/track/…) or "Artist - Title".');
  }
  return listing.tracks[0]!;
}

function byName(query: string): TrackInfo {
  const parsed = trackFromQuery(query);
  if (!parsed) throw new UserError(`"${query}" is neither a Spotify track link nor "Artist - Title".`, 'Example: crate probe "Benny Benassi - Satisfaction"');
  return { ...parsed, position: 1, spotifyId: null, album: null, durationMs: null, isrc: null, releaseYear: null };
}

/** The control bot's view of a prober (its ExchangeProbe port): the steps, the verdict and the recording as text. */
export function probeForChat(prober: Prober): {
  maxSeconds: number;
  probe(query: string, options?: { signal?: AbortSignal }): Promise<{ lines: string[]; verdict: string; recording: string; fileName: string }>;
} {
  return {
    maxSeconds: prober.maxSeconds,
    async probe(query, options) {
      const report = await prober.probe(query, options);
      return { lines: report.lines, verdict: verdictLine(report.result), recording: recordingOf(report), fileName: `${report.scenario.id}.json` };
    },
  };
}
