/**
 * The pacing proof over the simulator's own action logs (what the external bot saw, not our
 * `outgoing` table): consecutive messages (texts, inline queries, inline sends — the pacer's
 * message lane) never closer than the configured gap and never below 2 s, and nothing at all
 * (messages or clicks) sent while a FloodWait runs.
 */
import type { SimAction } from '../fakes/simulated-lossless/core.js';
import type { PacingRecord } from './context.js';

export const FLOOR_MS = 2000;
const MESSAGE_KINDS = new Set<SimAction['kind']>(['send', 'inline', 'sendInline']);

export interface PacingVerdict {
  /** Smallest gap between two consecutive messages over all records, ms (Infinity if < 2 messages). */
  minGapMs: number;
  messages: number;
  clicks: number;
  /** Actions of any kind sent while a FloodWait ran. */
  duringFlood: number;
  /** Smallest message gap per record (source → ms). */
  perSource: Record<string, number>;
  problems: string[];
  ok: boolean;
}

export function checkPacing(records: PacingRecord[]): PacingVerdict {
  let minGapMs = Infinity;
  let messages = 0;
  let clicks = 0;
  let duringFlood = 0;
  const problems: string[] = [];
  const perSource: Record<string, number> = {};
  for (const r of records) {
    const required = Math.max(FLOOR_MS, r.gapMs);
    const sends = r.actions.filter((a) => MESSAGE_KINDS.has(a.kind)).sort((a, b) => a.at - b.at);
    messages += sends.length;
    clicks += r.actions.length - sends.length;
    for (let i = 1; i < sends.length; i++) {
      const gap = sends[i]!.at - sends[i - 1]!.at;
      minGapMs = Math.min(minGapMs, gap);
      perSource[r.source] = Math.min(perSource[r.source] ?? Infinity, gap);
      if (gap < required) problems.push(`${r.source}: two messages ${gap} ms apart (gap ${required} ms): "${sends[i - 1]!.detail}", "${sends[i]!.detail}"`);
    }
    for (const f of r.floods) {
      const until = f.at + f.seconds * 1000;
      for (const a of r.actions) {
        if (a.at > f.at && a.at < until) {
          duringFlood++;
          problems.push(`${r.source}: ${a.kind} "${a.detail}" sent ${until - a.at} ms before a ${f.seconds} s FloodWait ended`);
        }
      }
    }
  }
  return { minGapMs, messages, clicks, duringFlood, perSource, problems, ok: problems.length === 0 };
}

export function describePacing(v: PacingVerdict, records: PacingRecord[]): string[] {
  const g = Number.isFinite(v.minGapMs) ? (v.minGapMs / 1000).toFixed(3) : 'n/a';
  const lines = [`pacing: min gap ${g} s over ${v.messages} messages, ${v.duringFlood} sent during flood waits`];
  const floods = records.reduce((n, r) => n + r.floods.length, 0);
  const scaled = records.filter((r) => (r.timeScale ?? 1) !== 1).map((r) => r.source);
  lines.push(
    `  from the simulator's action logs of: ${records.map((r) => `${r.source} (min ${((v.perSource[r.source] ?? Infinity) / 1000).toFixed(3)} s)`).join(', ') || 'nothing'}; ${v.clicks} clicks, ${floods} FloodWaits` +
      (scaled.length ? `; ${scaled.join(', ')} on a virtual or scaled clock shared by pacer and simulator (gaps in simulated seconds)` : ''),
  );
  for (const p of v.problems.slice(0, 10)) lines.push(`  ${p}`);
  if (v.problems.length > 10) lines.push(`  … and ${v.problems.length - 10} more`);
  return lines;
}
