/**
 * The conversion step of the library: a verified, tagged FLAC that the DJ's player would not take
 * (format, sample rate, bit depth) is converted by the reference tools in child processes, one at a
 * time (the machine's cores are shared), under a short temporary name in the same folder. The same
 * tags and cover go into the result (Vorbis comments for FLAC, ID3 chunk for AIFF, LIST INFO + id3
 * chunk for WAV), and the result is read back and checked before it is handed on.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { AudioFacts } from '../../domain/job.js';
import type { TrackInfo } from '../../domain/track.js';
import type { Logger } from '../../logger.js';
import type { FinishedFile, FormatStep } from '../finish/file-finisher.js';
import { writeFlacTagsAs, type TagOutcome } from '../tags/flac-tagger.js';
import { writeChunkTags } from './chunk-tags.js';
import { describePlan, planConversion, type ConversionPlan } from './conversion-plan.js';
import type { OutputTarget } from './player-profiles.js';
import { convertWithSox } from './sox-convert.js';
import { loadMusicMetadata } from '../music-metadata.js';

export interface SoxFormatStepOptions {
  target: OutputTarget;
  /** Commands (tests may point them elsewhere). */
  flac?: string;
  sox?: string;
  logger?: Logger;
}

const EXTENSIONS = { flac: '.flac', aiff: '.aiff', wav: '.wav' } as const;

export class SoxFormatStep implements FormatStep {
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  constructor(private readonly o: SoxFormatStepOptions) {}

  plan(audio: Pick<AudioFacts, 'sampleRate' | 'bitDepth'>): ConversionPlan | null {
    return planConversion(audio, this.o.target);
  }

  async convert(file: string, audio: AudioFacts, tags: TagOutcome | null, _track: TrackInfo): Promise<Omit<FinishedFile, 'notes'> & { note: string | null }> {
    const plan = this.plan(audio);
    if (!plan) return { path: file, extension: '.flac', audio: {}, note: null };
    // One conversion at a time: sox's resampler takes a whole core.
    const run = this.queue.then(() => this.run(file, audio, tags, plan));
    this.queue = run.catch(() => {});
    return run;
  }

  private async run(file: string, audio: AudioFacts, tags: TagOutcome | null, plan: ConversionPlan) {
    const ext = EXTENSIONS[plan.format];
    // Short on purpose: never longer than the final name (the folder is the job's partial folder).
    const out = path.join(path.dirname(file), `.v${process.pid.toString(36)}${(this.counter++).toString(36)}${ext}`);
    const seconds = (audio.durationMs ?? 600_000) / 1000;
    const timeoutMs = Math.max(120_000, seconds * 4000);
    try {
      await convertWithSox(file, out, plan, { timeoutMs, ...(this.o.flac ? { flac: this.o.flac } : {}), ...(this.o.sox ? { sox: this.o.sox } : {}) });
      const comments = tags?.comments ?? [];
      const cover = tags?.frontCover ?? null;
      if (plan.format === 'flac') await writeFlacTagsAs(out, comments, cover);
      else await writeChunkTags(out, { comments, cover: cover ? { data: cover.data, mime: cover.info.mime } : null });
      const facts = await readBack(out, plan, audio);
      return { path: out, extension: ext, audio: facts, note: describePlan(plan, audio) };
    } catch (err) {
      await rm(out, { force: true });
      throw err;
    }
  }
}

/** The converted file as a reader sees it: container, rate, depth and length must be what was planned. */
async function readBack(file: string, plan: ConversionPlan, source: AudioFacts): Promise<Partial<AudioFacts>> {
  const meta = await (await loadMusicMetadata()).parseFile(file, { duration: true, skipCovers: true });
  const container = (meta.format.container ?? '').toUpperCase();
  const expected = { flac: 'FLAC', aiff: 'AIFF', wav: 'WAVE' }[plan.format];
  if (!container.startsWith(expected)) throw new Error(`converted file reads as ${container || 'unknown'}, not ${expected}`);
  const rate = meta.format.sampleRate ?? null;
  const bits = meta.format.bitsPerSample ?? null;
  if (rate !== (plan.sampleRate ?? source.sampleRate)) throw new Error(`converted file is ${rate} Hz, expected ${plan.sampleRate ?? source.sampleRate}`);
  if (bits !== (plan.bitDepth ?? source.bitDepth)) throw new Error(`converted file is ${bits}-bit, expected ${plan.bitDepth ?? source.bitDepth}`);
  const durationMs = typeof meta.format.duration === 'number' ? Math.round(meta.format.duration * 1000) : null;
  if (durationMs !== null && source.durationMs !== null && Math.abs(durationMs - source.durationMs) > Math.max(50, source.durationMs * 0.001)) {
    throw new Error(`converted file lasts ${durationMs} ms, the source ${source.durationMs} ms`);
  }
  return { sampleRate: rate, bitDepth: bits, channels: meta.format.numberOfChannels ?? source.channels, durationMs: durationMs ?? source.durationMs };
}
