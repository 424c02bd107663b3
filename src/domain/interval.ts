/** Intervals as people write them ("30m", "6h", "1d"; a bare number is minutes), for watches and settings. */
const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3600_000, d: 24 * 3600_000 };

/** Milliseconds, or null when the text is not an interval. */
export function parseIntervalMs(text: string): number | null {
  const m = /^\s*(\d{1,6}(?:\.\d{1,3})?)\s*(m|min|h|d)?\s*$/i.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * (UNIT_MS[(m[2] ?? 'm').toLowerCase()] ?? 60_000));
}

/** "6h", "1d 2h", "45m": the shortest exact form of an interval. */
export function formatInterval(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  return [days ? `${days}d` : '', hours ? `${hours}h` : '', mins || minutes === 0 ? `${mins}m` : ''].filter(Boolean).join(' ');
}
