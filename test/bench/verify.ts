/**
 * Verification benchmark: the library's verifier (structure + tail in the limited worker, then the
 * deep check with the reference decoder) over a folder of large real FLACs made with sox + flac
 * (10 × ~40 MB, 24-bit/96 kHz noise, so nothing compresses away), while a 5 ms timer on the main
 * thread measures the longest stall: the main thread's own CPU time between two ticks (what a
 * blocked event loop shows), beside the wall-clock gap (which on a loaded machine also counts time
 * the OS did not schedule us; an idle timer's gap is printed for comparison). The same files
 * through the shallow check run side by side.
 * Peak RSS is this process's (main thread + verification workers); `flac -t` runs in its own process.
 * The stall must stay under 50 ms: the benchmark fails otherwise.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { flacToolChecker } from '../../src/library/verify/deep-check.js';
import { FileVerifier } from '../../src/library/verify/verifier.js';
import { VerifyWorkerPool } from '../../src/library/verify/worker-pool.js';
import { startStallMeter } from '../fakes/stall-meter.js';

const FILES = Number(process.env.CRATE_BENCH_VERIFY_FILES ?? 10);
const SECONDS = Number(process.env.CRATE_BENCH_VERIFY_SECONDS ?? 72); // ≈ 40 MB at 24/96 stereo noise
const MAX_STALL_MS = 50;

/** The folder of test files, made once and kept in the temp folder between runs. */
function corpus(): string[] {
  const dir = path.join(tmpdir(), `crate-bench-verify-${SECONDS}s`);
  mkdirSync(dir, { recursive: true });
  const first = path.join(dir, 'track-01.flac');
  if (!existsSync(first)) {
    const wav = path.join(dir, 'source.wav');
    execFileSync('sox', ['-n', '-r', '96000', '-b', '24', '-c', '2', wav, 'synth', String(SECONDS), 'whitenoise', 'vol', '0.5'], { stdio: 'ignore' });
    execFileSync('flac', ['-s', '-f', '-0', '-T', 'ARTIST=Bench', '-T', 'TITLE=Noise', '-o', `${first}.tmp`, wav], { stdio: 'ignore' });
    renameSync(`${first}.tmp`, first);
  }
  const files = [first];
  for (let i = 2; i <= FILES; i++) {
    const f = path.join(dir, `track-${String(i).padStart(2, '0')}.flac`);
    if (!existsSync(f)) copyFileSync(first, f);
    files.push(f);
  }
  return files;
}

async function measure(files: string[], deep: boolean): Promise<{ seconds: number; stallMs: number; wallGapMs: number; ok: number }> {
  const pool = new VerifyWorkerPool({ size: 2 });
  const verifier = new FileVerifier({ pool, deep: flacToolChecker() });
  const meter = startStallMeter(5);
  const started = performance.now();
  let ok = 0;
  let next = 0;
  // Two at a time, as `crate verify` does.
  const lane = async () => {
    while (next < files.length) {
      const r = await verifier.verify(files[next++]!, { deep });
      if (r.verdict === 'ok') ok++;
      else throw new Error(`${r.file} was refused: ${r.reason}`);
    }
  };
  await Promise.all([lane(), lane()]);
  const seconds = (performance.now() - started) / 1000;
  const stall = meter.stop();
  await pool.close();
  return { seconds, stallMs: stall.maxBusyMs, wallGapMs: stall.maxWallGapMs, ok };
}

/** The same meter for 3 s with nothing to do: how late timers are on this machine anyway. */
async function idleWallGap(): Promise<number> {
  const meter = startStallMeter(5);
  await new Promise((r) => setTimeout(r, 3_000));
  return meter.stop().maxWallGapMs;
}

export async function run(): Promise<string[]> {
  for (const tool of ['sox', 'flac']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return [`verify: not run: ${tool} is not installed`];
    }
  }
  const files = corpus();
  const mb = files.reduce((sum, f) => sum + statSync(f).size, 0) / 1024 / 1024;
  const shallow = await measure(files, false);
  const deep = await measure(files, true);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const load = loadavg()[0]!.toFixed(1);
  const idle = await idleWallGap();
  const lines = [
    `verify: ${files.length} files in ${deep.seconds.toFixed(1)} s (deep), peak RSS ${rssMb.toFixed(0)} MB, main-thread max stall ${deep.stallMs.toFixed(1)} ms`,
    `verify: ${files.length} files in ${shallow.seconds.toFixed(1)} s (structure only), main-thread max stall ${shallow.stallMs.toFixed(1)} ms; ${mb.toFixed(0)} MB in all, deep ${(mb / deep.seconds).toFixed(0)} MB/s`,
    `verify: stall = main-thread CPU between 5 ms ticks; wall-clock gap ${deep.wallGapMs.toFixed(0)} ms (deep) vs ${idle.toFixed(0)} ms for an idle timer alone, load average ${load} on ${availableParallelism()} cores`,
  ];
  const worst = Math.max(deep.stallMs, shallow.stallMs);
  if (worst >= MAX_STALL_MS) throw new Error(`${lines.join('\n')}\nthe main thread stalled ${worst.toFixed(1)} ms (limit ${MAX_STALL_MS} ms)`);
  return lines;
}
