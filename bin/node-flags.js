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

const LONG_RUNNING = new Set(['serve', 'download']);

/** The node flags `crate <command>` runs with (none for the short commands). */
export function nodeFlagsFor(command) {
  return LONG_RUNNING.has(command) ? [SMALL_YOUNG_GENERATION] : [];
}
