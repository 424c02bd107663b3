/**
 * Scores a replay line against a scenario's `expected` block, as the dev file's note describes:
 * outcome; document when the key is present; pause when paused; no click of a mustNotClick text;
 * at most maxSent sent texts when maxSent is not null. Returns the broken expectations (none = met).
 */
import type { ReplayResult } from '../../../src/lossless/exchange/replay.js';

export interface Expected {
  outcome: string;
  document?: string | null;
  pause?: string | null;
  mustNotClick?: string[];
  maxSent?: number | null;
}

export function broken(result: ReplayResult, expected: Expected): string[] {
  const out: string[] = [];
  if (result.outcome !== expected.outcome) out.push(`outcome ${result.outcome}, expected ${expected.outcome} (${result.reason})`);
  if ('document' in expected && result.document !== expected.document) out.push(`document ${result.document}, expected ${expected.document}`);
  if (expected.outcome === 'paused' && result.pause !== (expected.pause ?? null)) out.push(`pause ${result.pause}, expected ${expected.pause}`);
  for (const text of expected.mustNotClick ?? []) if (result.clicks.includes(text)) out.push(`clicked "${text}"`);
  if (expected.maxSent !== null && expected.maxSent !== undefined && result.sent.length > expected.maxSent) {
    out.push(`sent ${result.sent.length} texts, at most ${expected.maxSent} allowed`);
  }
  return out;
}
