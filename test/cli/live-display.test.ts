/**
 * Issue 12 item 17: the live progress block and log lines on one terminal. stdout and stderr of
 * the command write to one emulated screen (xterm.js), at the default LOG_LEVEL=info, and the
 * test reads what the user sees at the end: every log line whole above the block, no stale rows
 * of the block, nothing left of a "^C" after Ctrl-C.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCliContext } from '../../src/cli/context.js';
import { runJobInForeground } from '../../src/cli/download-run.js';
import { TerminalScreen } from '../fakes/terminal-screen.js';
import { LINK, createHarness, removeDir, type Harness } from '../engine/harness.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Rows that only the live block draws (the bar, a track in flight, the pacer). */
const blockRow = /^\[[#-]+\] \d+\/\d+ |^ {2}(asked|picked|downloading|verifying)\b|^ {2}pacer: /;

describe('the live progress block with log lines on the same terminal', () => {
  const hs: Harness[] = [];
  const screens: TerminalScreen[] = [];
  afterEach(() => {
    for (const h of hs.splice(0)) {
      h.close();
      removeDir(h.dir);
    }
    for (const s of screens.splice(0)) s.dispose();
  });

  const setup = (options: Parameters<typeof createHarness>[0], signal: AbortSignal) => {
    const screen = new TerminalScreen(80);
    screens.push(screen);
    const ctx = createCliContext({ stdout: screen.stdout, stderr: screen.stderr, env: { LOG_LEVEL: 'info' }, cwd: '/', shutdownSignal: signal });
    // The engine logs through the command's logger, as src/main.ts wires it for `crate download`.
    const h = createHarness({ ...options, service: { logger: ctx.logger() } });
    hs.push(h);
    return { screen, ctx, h };
  };

  it('prints each log line whole above the block and leaves no row of the block behind', async () => {
    const { screen, ctx, h } = setup(
      {
        tracks: 5,
        acquirer: { latencyMs: 30_000, script: (t, attempt) => (t.position === 2 && attempt === 1 ? { kind: 'failed', reason: 'unknown reply', retryable: true } : undefined) },
      },
      new AbortController().signal,
    );
    const job = await h.clock.run(runJobInForeground(ctx, h.service, LINK, { batchSize: 2, refreshMs: 1 }, { pacer: h.pacer, tracks: (id) => h.store.tracks(id) }));
    expect(job.status).toBe('done');
    const rows = await screen.lines();
    const text = rows.join('\n');
    // The block was drawn (and redrawn) while the job ran...
    expect(screen.raw).toMatch(/\[#*-*\] \d\/5 {2}\d in flight/);
    // ...and nothing of it stays (a log line inside it made the redraw miss rows)...
    expect(rows.filter((r) => blockRow.test(r)), text).toEqual([]);
    // ...while the log lines of the run are on screen, each on rows of its own.
    for (const msg of ['job created', 'job started', 'track will be retried', 'job finished']) {
      expect(rows.filter((r) => r.endsWith(`: ${msg}`) && r.includes(' INFO ')), `${msg}\n${text}`).toHaveLength(1);
    }
    expect(rows.filter((r) => r.includes('{"level"')), text).toEqual([]);
    const end = rows.indexOf('5 of 5 tracks finished');
    expect(end, text).toBeGreaterThan(rows.findIndex((r) => r.endsWith(': job finished')));
    expect(rows.slice(end + 1, end + 3).join('\n')).toMatch(/^\nTest Playlist: 5 done in /);
  });

  it('leaves a clean screen after Ctrl-C: no tracks in flight, no "^C", the pause in plain words', async () => {
    const stop = new AbortController();
    const { screen, ctx, h } = setup({ tracks: 6, acquirer: { latencyMs: 60_000 } }, stop.signal);
    const run = runJobInForeground(ctx, h.service, LINK, { batchSize: 3, refreshMs: 1 }, { pacer: h.pacer, tracks: (id) => h.store.tracks(id) });
    await h.clock.advance(40_000);
    await settle();
    expect(screen.raw).toMatch(/ {2}(asked|picked) {2}Artist \d/);
    // The terminal echoes Ctrl-C where the cursor is (the row below the block), then SIGINT.
    screen.type('^C');
    stop.abort();
    const job = await h.clock.run(run);
    expect(job.status).toBe('paused');
    const rows = await screen.lines();
    const text = rows.join('\n');
    expect(rows.filter((r) => blockRow.test(r)), text).toEqual([]);
    expect(text).not.toContain('^C');
    // The pause was logged while the block was still shown (the runner stops at a safe point).
    expect(rows.filter((r) => r.endsWith(': job paused') && r.includes(' INFO ')), text).toHaveLength(1);
    expect(text).toMatch(/\d of 6 tracks finished\n\nTest Playlist: .*\nPaused: interrupted\nRun the same command again to resume where it stopped\.$/);
  });
});
