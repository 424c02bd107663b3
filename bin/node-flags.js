// Node flags Crate's long-running commands run with (bin/crate.js restarts itself with them; the
// download bench runs Crate's side with them, as production does).
//
// `serve` runs for months and is idle most of the time; `download` runs a whole playlist. V8's
// default young generation (up to 3 × 16 MB on 64-bit) stays committed once a busy stretch has
// grown it: about a fifth of an idle service's memory and of a download's peak (GramJS
// decrypts each file part through many short-lived copies, which is exactly what fills it). A
// 1 MB semi-space costs more frequent, shorter scavenges: in the download bench (200 MB, Crate's
// process alone) peak RSS 164 -> 125-128 MB at the same speed (5.6-5.9 MB/s either way on a quiet
// machine; both slow down alike when the machine is loaded).
export const SMALL_YOUNG_GENERATION = '--max-semi-space-size=1';

// `serve` only, measured with `npm run bench -- startup` (idle serve, built, after 20 s):
// V8's memory-saving mode, the one it also takes for Chrome's background tabs. Without it V8's
// memory reducer, which is meant to give back what start-up left committed once the process is
// idle, keeps judging from start-up's allocation rate that serve is busy and waits (~100 s on
// this machine, ~4 MB of heap committed until then; 93.6 -> ~88 MB with it). Matching (match
// bench) and GramJS's AES-IGE decryption of 1 MiB parts ran as fast with it.
export const MEMORY_SAVING_MODE = '--optimize-for-size';

const LONG_RUNNING = new Set(['serve', 'download']);

/** The node flags `crate <command>` runs with (none for the short commands). */
export function nodeFlagsFor(command) {
  if (command === 'serve') return [SMALL_YOUNG_GENERATION, MEMORY_SAVING_MODE];
  return LONG_RUNNING.has(command) ? [SMALL_YOUNG_GENERATION] : [];
}

// glibc gives each thread that allocates (V8's workers, libuv's pool) a malloc arena of its own
// that keeps what was freed in it; two are plenty for a process with one JS thread (idle serve
// ~1.5 MB smaller). It is read when the process starts, so it goes in the restarted process's
// environment; the owner's own value wins.
const SERVE_ENV = { MALLOC_ARENA_MAX: '2' };

/** The environment `crate <command>` restarts itself with: `env` with the command's defaults under it. */
export function nodeEnvFor(command, env) {
  return command === 'serve' ? { ...SERVE_ENV, ...env } : env;
}
