/**
 * The deep check: decode every frame and compare the audio with STREAMINFO's MD5. This is what
 * catches a file whose middle was zeroed or damaged while its head and tail look fine.
 *
 * Done by the reference decoder, `flac -t` (libFLAC, the Xiph tool): it checks every frame's CRC and
 * the MD5, it is what every other FLAC tool is measured against, and as a separate process it runs
 * on another core, cannot touch our heap, and is killed outright at its time limit or on abort.
 * A JS/WASM decoder (flac.js / libflac.js builds of the same C code, or a pure-JS decoder) would
 * decode 40–200 MB on our own threads, needs its own MD5 plumbing, and the pure-JS ones do not check
 * the MD5 at all; so none is used, and without `flac` installed the deep check is reported as
 * unavailable (`crate doctor` says so) instead of pretending.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { DEFAULT_DEEP_TIMEOUT_MS } from './limits.js';

export type DeepCheckResult = { ok: true; md5Checked: boolean } | { ok: false; kind: 'damaged' | 'timeout'; reason: string };

export interface DeepChecker {
  /** Is a decoder installed? (asked once; the answer is kept) */
  available(): Promise<{ ok: true; version: string } | { ok: false; reason: string }>;
  check(file: string, options?: { signal?: AbortSignal; md5Known?: boolean }): Promise<DeepCheckResult>;
}

const STDERR_LIMIT = 16 * 1024;

export interface FlacToolOptions {
  /** The `flac` executable (default: `flac` on PATH). */
  command?: string;
  timeoutMs?: number;
}

export function flacToolChecker(options: FlacToolOptions = {}): DeepChecker {
  const command = options.command ?? 'flac';
  const timeoutMs = options.timeoutMs ?? DEFAULT_DEEP_TIMEOUT_MS;
  let probe: ReturnType<DeepChecker['available']> | null = null;
  return {
    available() {
      probe ??= run(command, ['--version'], 10_000).then(
        (r) => (r.code === 0 ? { ok: true as const, version: r.stdout.trim() || command } : { ok: false as const, reason: `\`${command} --version\` failed (${r.stderr.trim() || `exit ${r.code}`})` }),
        (err: NodeJS.ErrnoException) => ({
          ok: false as const,
          reason: err.code === 'ENOENT' ? `the reference decoder \`${command}\` is not installed` : `\`${command}\` cannot run (${err.message})`,
        }),
      );
      return probe;
    },
    async check(file, opts = {}) {
      // -t: decode and test (frame CRCs, MD5); -s: no progress. Not -w: it would fail every file
      // without an MD5 (allowed by the format). `--` so a file name can never be read as an option.
      const r = await run(command, ['-t', '-s', '--', file], timeoutMs, opts.signal);
      if (r.timedOut) return { ok: false, kind: 'timeout', reason: `refused: decoding it took longer than ${Math.round(timeoutMs / 1000)} s (stopped)` };
      if (r.code === 0) return { ok: true, md5Checked: opts.md5Known ?? !/MD5 signature since it was unset/i.test(r.stderr) };
      return { ok: false, kind: 'damaged', reason: `damaged audio: ${decoderReason(r.stderr)}` };
    },
  };
}

/** The decoder's complaint in plain words (its first specific error line). */
export function decoderReason(stderr: string): string {
  if (/MD5 signature mismatch/i.test(stderr)) return 'the decoded audio does not match the MD5 stored in the file';
  if (/LOST_SYNC/.test(stderr)) return 'frames are broken (the decoder lost sync inside the audio)';
  if (/FRAME_CRC_MISMATCH/.test(stderr)) return 'a frame fails its checksum (CRC)';
  if (/BAD_HEADER/.test(stderr)) return 'a frame header is broken';
  if (/UNPARSEABLE_STREAM/.test(stderr)) return 'the audio cannot be parsed';
  if (/END_OF_STREAM|unexpected EOF|premature/i.test(stderr)) return 'the audio ends early';
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('flac ') && !/^Copyright|^flac comes with|^welcome to|^This is free/i.test(l));
  return line ? `the decoder says "${line.slice(0, 200)}"` : 'the decoder refused it';
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(command: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Decoding is background work: let downloads and the bot have the CPU first.
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // Not allowed here (some containers): it runs at normal priority.
      }
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < STDERR_LIMIT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(signal.reason);
      else resolve({ code, stdout, stderr, timedOut });
    });
  });
}
