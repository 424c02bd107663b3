/**
 * Whether a verified FLAC must be converted for the DJ's player, and into what. Pure.
 * Resampling stays within the rate family (176.4/88.2 kHz → 88.2/44.1 kHz, 192/96 kHz → 96/48 kHz),
 * so the resampler only ever divides by a whole number where it can.
 */
import type { OutputFormat, OutputTarget } from './player-profiles.js';

export interface ConversionPlan {
  format: OutputFormat;
  /** Resample to this rate, or null to keep the rate. */
  sampleRate: number | null;
  /** Dither down to this depth, or null to keep the depth. */
  bitDepth: number | null;
}

const FAMILIES = [
  [44100, 88200, 176400, 352800],
  [48000, 96000, 192000, 384000],
];

/** The highest rate of the file's family that is not above `max` (44.1/48 kHz at the least). */
export function targetRate(rate: number, max: number): number {
  if (rate <= max) return rate;
  const family = FAMILIES.find((f) => f.includes(rate)) ?? (rate % 44100 === 0 ? FAMILIES[0]! : FAMILIES[1]!);
  const fits = family.filter((r) => r <= max);
  return fits.length > 0 ? fits[fits.length - 1]! : Math.min(max, family[0]!);
}

export function planConversion(audio: { sampleRate: number | null; bitDepth: number | null }, target: OutputTarget): ConversionPlan | null {
  const sampleRate = audio.sampleRate !== null && target.maxSampleRate !== null && audio.sampleRate > target.maxSampleRate ? targetRate(audio.sampleRate, target.maxSampleRate) : null;
  const bitDepth = audio.bitDepth !== null && target.maxBitDepth !== null && audio.bitDepth > target.maxBitDepth ? target.maxBitDepth : null;
  if (target.format === 'flac' && sampleRate === null && bitDepth === null) return null;
  return { format: target.format, sampleRate, bitDepth };
}

export function describePlan(plan: ConversionPlan, audio: { sampleRate: number | null; bitDepth: number | null }): string {
  const from = `${audio.bitDepth ?? '?'}-bit/${audio.sampleRate !== null ? audio.sampleRate / 1000 : '?'} kHz FLAC`;
  const to = `${plan.bitDepth ?? audio.bitDepth ?? '?'}-bit/${(plan.sampleRate ?? audio.sampleRate ?? 0) / 1000} kHz ${plan.format.toUpperCase()}`;
  return `converted ${from} → ${to}`;
}
