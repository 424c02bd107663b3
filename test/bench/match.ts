/**
 * `npm run bench -- match`: scores the matcher on the dev set (../shared/eval/match-dev.json, or
 * CRATE_MATCH_EVAL) and times attribution for a 30-request window.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attributeFiles } from '../../src/matching/attribute.js';
import { evalFileSchema, runScenario, toIncomingFiles, toPendingRequests, type EvalFile } from '../../src/matching/eval-format.js';
import type { IncomingFile, PendingRequest } from '../../src/matching/types.js';
import { MATCH_DEV_SET } from '../fixtures/paths.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function devSetPath(): string {
  if (process.env.CRATE_MATCH_EVAL) return process.env.CRATE_MATCH_EVAL;
  const shared = path.resolve(here, '../../../shared/eval/match-dev.json');
  return existsSync(shared) ? shared : MATCH_DEV_SET;
}

export function loadDevSet(file = devSetPath()): EvalFile {
  return evalFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export interface DevScore {
  correct: number;
  files: number;
  wrongTrack: number;
  falseAccept: number;
  menuRight: number;
  menus: number;
  failures: string[];
}

/** Runs every scenario through the product's functions and compares with `expected`. */
export function scoreDevSet(data: EvalFile): DevScore {
  const score: DevScore = { correct: 0, files: 0, wrongTrack: 0, falseAccept: 0, menuRight: 0, menus: 0, failures: [] };
  for (const s of data.scenarios) {
    const out = runScenario(s);
    if (s.kind === 'attribution' && 'assignments' in out) {
      for (const f of s.files) {
        const got = out.assignments[f.id] ?? null;
        const want = s.expected?.[f.id] ?? null;
        score.files++;
        if (got === want) score.correct++;
        else {
          if (got !== null && want !== null) score.wrongTrack++;
          if (got !== null && want === null) score.falseAccept++;
          score.failures.push(`${s.id} ${f.id}: got ${got} want ${want}`);
        }
      }
    } else if (s.kind === 'menu' && 'choice' in out) {
      score.menus++;
      const want = s.expected ?? null;
      if (out.choice === want) score.menuRight++;
      else score.failures.push(`${s.id}: got ${out.choice} want ${want}`);
    }
  }
  return score;
}

/** A 30-request window and 30 files drawn from the dev set (distinct requests, files of all kinds). */
function window30(data: EvalFile): { requests: PendingRequest[]; files: IncomingFile[] } {
  const requests = new Map<string, PendingRequest>();
  const files: IncomingFile[] = [];
  for (const s of data.scenarios) {
    if (s.kind !== 'attribution') continue;
    for (const r of toPendingRequests(s)) if (requests.size < 30) requests.set(r.id, r);
    for (const f of toIncomingFiles(s.files)) if (files.length < 30) files.push(f);
  }
  return { requests: [...requests.values()], files };
}

function flip(text: string | null | undefined, round: number): string | null | undefined {
  if (!text) return text;
  const i = round % text.length;
  const c = text.charAt(i);
  const swapped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return `${text.slice(0, i)}${swapped}${text.slice(i + 1)}${round % 2 === 0 ? '' : ' '}`;
}

/** Milliseconds per 1,000 file attributions against a 30-request window (median of 5 runs). */
export function timeAttribution(data: EvalFile): number {
  const { requests, files } = window30(data);
  const perRun: number[] = [];
  for (let run = 0; run < 5; run++) {
    let done = 0;
    let round = 0;
    const t0 = performance.now();
    while (done < 1000) {
      // Fresh strings each round (one letter's case flipped) so no memo cache hides the parsing cost.
      const batch = files.map((f) => ({ ...f, id: `${f.id}#${round}`, fileName: flip(f.fileName, round), artist: flip(f.artist, round), title: flip(f.title, round) }));
      attributeFiles(requests, batch);
      done += batch.length;
      round++;
    }
    perRun.push(((performance.now() - t0) * 1000) / done);
  }
  perRun.sort((a, b) => a - b);
  return perRun[2] ?? 0;
}

export async function run(): Promise<string[]> {
  const data = loadDevSet();
  const s = scoreDevSet(data);
  const ms = timeAttribution(data);
  const lines = [
    `match: attribution ${s.correct}/${s.files} correct, ${s.wrongTrack} wrong-track, ${s.falseAccept} false-accept; menu ${s.menuRight}/${s.menus}`,
    `match: ${ms.toFixed(1)} ms per 1,000 attributions (30-request window)`,
  ];
  for (const f of s.failures) lines.push(`match: miss ${f}`);
  return lines;
}
