/**
 * What each Pioneer DJ player reads from USB, and the output settings that follow from it. Pure.
 * Sources: Pioneer DJ's specification pages (supported file formats) as summarised in issue #13:
 * FLAC up to 96 kHz/24-bit on CDJ-3000, CDJ-2000NXS2 and OPUS-QUAD; FLAC up to 48 kHz on
 * XDJ-1000MK2, XDJ-XZ and XDJ-RX3; no FLAC at all on CDJ-2000NXS, CDJ-900NXS, XDJ-1000 and XDJ-700,
 * which take AIFF/WAV at 44.1/48 kHz (we convert to 16-bit for those, the depth every one of them plays).
 */
export const OUTPUT_FORMATS = ['flac', 'aiff', 'wav'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const PLAYERS = [
  'cdj-3000',
  'cdj-2000nxs2',
  'opus-quad',
  'xdj-1000mk2',
  'xdj-xz',
  'xdj-rx3',
  'cdj-2000nxs',
  'cdj-900nxs',
  'xdj-1000',
  'xdj-700',
  'none',
] as const;
export type PlayerId = (typeof PLAYERS)[number];

export interface PlayerProfile {
  label: string;
  formats: readonly OutputFormat[];
  maxSampleRate: number;
  maxBitDepth: number;
  /** What Crate writes for this player when OUTPUT_FORMAT is not set. */
  preferred: OutputFormat;
}

const FLAC_96: Omit<PlayerProfile, 'label'> = { formats: ['flac', 'aiff', 'wav'], maxSampleRate: 96000, maxBitDepth: 24, preferred: 'flac' };
const FLAC_48: Omit<PlayerProfile, 'label'> = { formats: ['flac', 'aiff', 'wav'], maxSampleRate: 48000, maxBitDepth: 24, preferred: 'flac' };
const NO_FLAC: Omit<PlayerProfile, 'label'> = { formats: ['aiff', 'wav'], maxSampleRate: 48000, maxBitDepth: 16, preferred: 'aiff' };

export const PLAYER_PROFILES: Record<Exclude<PlayerId, 'none'>, PlayerProfile> = {
  'cdj-3000': { label: 'CDJ-3000', ...FLAC_96 },
  'cdj-2000nxs2': { label: 'CDJ-2000NXS2', ...FLAC_96 },
  'opus-quad': { label: 'OPUS-QUAD', ...FLAC_96 },
  'xdj-1000mk2': { label: 'XDJ-1000MK2', ...FLAC_48 },
  'xdj-xz': { label: 'XDJ-XZ', ...FLAC_48 },
  'xdj-rx3': { label: 'XDJ-RX3', ...FLAC_48 },
  'cdj-2000nxs': { label: 'CDJ-2000NXS', ...NO_FLAC },
  'cdj-900nxs': { label: 'CDJ-900NXS', ...NO_FLAC },
  'xdj-1000': { label: 'XDJ-1000', ...NO_FLAC },
  'xdj-700': { label: 'XDJ-700', ...NO_FLAC },
};

export function profileOf(player: PlayerId): PlayerProfile | null {
  return player === 'none' ? null : PLAYER_PROFILES[player];
}

/** The settings as the owner wrote them (undefined = not set). */
export interface OutputSettings {
  player: PlayerId;
  outputFormat?: OutputFormat;
  maxSampleRate?: number;
  maxBitDepth?: 16 | 24;
}

export interface OutputTarget {
  format: OutputFormat;
  /** Files above this rate are resampled; null = any rate. */
  maxSampleRate: number | null;
  /** Files deeper than this are dithered down; null = any depth. */
  maxBitDepth: number | null;
}

/** The owner's own settings win; the player fills in what they leave open. */
export function outputTarget(s: OutputSettings): OutputTarget {
  const p = profileOf(s.player);
  return {
    format: s.outputFormat ?? p?.preferred ?? 'flac',
    maxSampleRate: s.maxSampleRate ?? p?.maxSampleRate ?? null,
    maxBitDepth: s.maxBitDepth ?? p?.maxBitDepth ?? null,
  };
}

/** Why the configured output would not play on the chosen player, in plain words ([] = fine). */
export function settingsConflicts(s: OutputSettings): string[] {
  const p = profileOf(s.player);
  if (!p) return [];
  const t = outputTarget(s);
  const out: string[] = [];
  if (!p.formats.includes(t.format)) out.push(`OUTPUT_FORMAT=${t.format}: the ${p.label} does not play ${t.format.toUpperCase()} files (it takes ${p.formats.join(', ').toUpperCase()})`);
  if (t.maxSampleRate === null || t.maxSampleRate > p.maxSampleRate) out.push(`MAX_SAMPLE_RATE=${t.maxSampleRate ?? 'unlimited'}: the ${p.label} plays at most ${p.maxSampleRate / 1000} kHz`);
  if (t.maxBitDepth === null || t.maxBitDepth > p.maxBitDepth) out.push(`MAX_BIT_DEPTH=${t.maxBitDepth ?? 'unlimited'}: the ${p.label} plays at most ${p.maxBitDepth}-bit files`);
  return out;
}

/** Why one file would not play on the player ("24-bit/192 kHz FLAC"), or null when it plays. */
export function unplayableReason(
  p: PlayerProfile,
  file: { format: OutputFormat; sampleRate: number | null; bitDepth: number | null },
): string | null {
  const why: string[] = [];
  if (!p.formats.includes(file.format)) why.push(`${file.format.toUpperCase()} is not supported`);
  if (file.sampleRate !== null && file.sampleRate > p.maxSampleRate) why.push(`${file.sampleRate / 1000} kHz is over ${p.maxSampleRate / 1000} kHz`);
  if (file.bitDepth !== null && file.bitDepth > p.maxBitDepth) why.push(`${file.bitDepth}-bit is over ${p.maxBitDepth}-bit`);
  return why.length > 0 ? why.join(', ') : null;
}

export function formatOfPath(file: string): OutputFormat | null {
  const m = /\.(flac|aiff?|wav)$/i.exec(file);
  if (!m) return null;
  const ext = m[1]!.toLowerCase();
  return ext === 'aif' || ext === 'aiff' ? 'aiff' : (ext as OutputFormat);
}
