// Node flags Crate's long-running commands run with (bin/crate.js restarts itself with them; the
// download bench runs Crate's side with them, as production does).
//
// `serve` runs for months and is idle most of the time; `download` runs a whole playlist. V8's
// default young generation (up to 3 × 16 MB on 64-bit) stays committed once a busy stretch has
// grown it: about a fifth of an idle service's memory, and a third of a download's (GramJS
// decrypts each file part through many short-lived copies, which is exactly what fills it). A
// 1 MB semi-space costs more frequent, shorter scavenges: in the download bench (200 MB) peak RSS
// 163 -> 126-132 MB, and about 5-9% less throughput on a loaded machine (5.6 -> 5.1-5.3 MB/s).
export const SMALL_YOUNG_GENERATION = '--max-semi-space-size=1';

const LONG_RUNNING = new Set(['serve', 'download']);

/** The node flags `crate <command>` runs with (none for the short commands). */
export function nodeFlagsFor(command) {
  return LONG_RUNNING.has(command) ? [SMALL_YOUNG_GENERATION] : [];
}
