import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { createCliContext } from '../../src/cli/context.js';
import { runJobInForeground } from '../../src/cli/download-run.js';
import { qualitySummary } from '../../src/cli/job-format.js';
import { reportCsv } from '../../src/cli/report.js';
import type { Harness } from '../engine/harness.js';
import { LINK, createHarness, removeDir } from '../engine/harness.js';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('download run, status, report, reset', () => {
  const hs: Harness[] = [];
  afterEach(() => {
    for (const h of hs.splice(0)) {
      h.close();
      removeDir(h.dir);
    }
  });

  const cli = async (h: Harness, argv: string[]) => {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli(['node', 'crate', ...argv], {
      stdout,
      stderr,
      env: { CRATE_DATA_DIR: h.dir, LOG_LEVEL: 'silent' },
      cwd: h.dir,
      shutdownSignal: new AbortController().signal,
    });
    return { code, out: stdout.text, err: stderr.text };
  };

  it('runs a download in the foreground with plain progress lines and a summary; Ctrl-C pauses and the same command resumes', async () => {
    const h = createHarness({ tracks: 6, acquirer: { script: (t) => (t.position === 4 ? { kind: 'not_found', reason: 'the bot found nothing' } : undefined) } });
    hs.push(h);
    const stdout = new Capture();
    const ac = new AbortController();
    const ctx = createCliContext({ stdout, stderr: new Capture(), env: { LOG_LEVEL: 'silent' }, cwd: h.dir, shutdownSignal: ac.signal });
    const first = runJobInForeground(ctx, h.service, LINK, { batchSize: 2 }, { tracks: (id) => h.store.tracks(id), pacer: h.pacer });
    await h.clock.advance(25_000);
    ac.abort();
    const paused = await h.clock.run(first);
    expect(paused.status).toBe('paused');
    expect(stdout.text).toMatch(/Starting job #1 "Test Playlist": 6 tracks → \/lib, 2 at a time/);
    expect(stdout.text).toMatch(/Paused: interrupted\nRun the same command again to resume where it stopped\./);

    const again = new Capture();
    const ctx2 = createCliContext({ stdout: again, stderr: new Capture(), env: { LOG_LEVEL: 'silent' }, cwd: h.dir, shutdownSignal: new AbortController().signal });
    const done = await h.clock.run(runJobInForeground(ctx2, h.service, LINK, { batchSize: 2 }, { tracks: (id) => h.store.tracks(id) }));
    expect(done.status).toBe('done');
    expect(again.text).toMatch(/Resuming job #1/);
    const lines = stdout.text + again.text;
    expect(lines).toMatch(/\d of 6 finished · done: Artist 1, Guest - Title 1 \(16\/44\.1\)/);
    expect(lines).toMatch(/\d of 6 finished · not found: Artist 4, Guest - Title 4 — the bot found nothing/);
    expect(again.text).toMatch(/6 of 6 finished · done/);
    expect(again.text).toMatch(/Test Playlist: 5 done, 1 not found in /);
    expect(again.text).toMatch(/Quality: 5 × 16\/44\.1/);
    expect(again.text).toMatch(/Not downloaded \(1\):\n {2}\s*4\. Artist 4, Guest - Title 4 \[not found\] the bot found nothing/);

    const status = await cli(h, ['status']);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/Pacer: .*messages in the last 24 h/);
    expect(status.out).toMatch(/#1 Test Playlist \[done\] 5 of 6 in library; 5 done, 1 not found/);
    expect(status.out).toMatch(/quality: 5 × 16\/44\.1/);

    const report = await cli(h, ['report', '1']);
    expect(report.out).toMatch(/ {2}4\. Artist 4, Guest - Title 4 {2}\[not found\] {2}the bot found nothing/);
    const csv = await cli(h, ['report', '--csv']);
    expect(csv.out.split('\r\n')[0]).toBe(
      'position,artists,title,album,isrc,spotify_id,state,file,quarantine,bit_depth,sample_rate,channels,duration_ms,size_bytes,quality,attempts,last_error',
    );
    expect(csv.out.split('\r\n')).toHaveLength(8);
    const json = JSON.parse((await cli(h, ['report', '--json'])).out) as { counts: { done: number }; tracks: unknown[] };
    expect(json.counts.done).toBe(5);
    expect(json.tracks).toHaveLength(6);

    const reset = await cli(h, ['reset', '1']);
    expect(reset.out).toMatch(/Removed job #1 "Test Playlist" \(6 tracks, done\)\.\nReset 1 job\. Files in the library were kept/);
    const missing = await cli(h, ['report', '1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/No job 1/);
  });

  it('draws a live block in a terminal: bar, tracks in flight with percentages, pacer', async () => {
    const h = createHarness({ tracks: 4, acquirer: { latencyMs: 30_000 } });
    hs.push(h);
    const stdout = new Capture();
    stdout.isTTY = true;
    const ctx = createCliContext({ stdout, stderr: new Capture(), env: { LOG_LEVEL: 'silent' }, cwd: h.dir, shutdownSignal: new AbortController().signal });
    const job = runJobInForeground(ctx, h.service, LINK, { batchSize: 2, refreshMs: 1 }, { pacer: h.pacer });
    await h.clock.run(job);
    expect(stdout.text).toMatch(/\[#+-*\] \d\/4 {2}\d in flight/);
    expect(stdout.text).toContain(`${String.fromCharCode(27)}[0J`);
    // At the end the block is cleared (no stale in-flight rows) and one line with the count stays.
    const afterLastClear = stdout.text.slice(stdout.text.lastIndexOf(`${String.fromCharCode(27)}[0J`));
    expect(afterLastClear).toMatch(/^\S+4 of 4 tracks finished\n/);
    expect(afterLastClear).not.toContain('in flight');
    expect(stdout.text).toMatch(/Quality: 4 × 16\/44\.1/);
  });

  it('summarises quality and writes CSV that spreadsheets cannot execute', () => {
    const a = (bitDepth: number, sampleRate: number) => ({
      state: 'done' as const,
      audio: { bitDepth, sampleRate, channels: 2, durationMs: 1, sizeBytes: 1, quality: 'high' as const },
    });
    expect(qualitySummary([a(16, 44_100), a(24, 96_000), a(16, 44_100), { state: 'failed', audio: null }])).toBe('2 × 16/44.1, 1 × 24/96');
    const csv = reportCsv([
      {
        id: 1, jobId: 1, position: 1, spotifyId: null, artists: ['=cmd', 'B "q"'], title: 'x, y', album: null, durationMs: null, isrc: null,
        releaseYear: null, state: 'failed', attempts: 1, lastError: 'line\nbreak', nextAttemptAt: null, requestMessageId: null,
        menuMessageId: null, pickedRow: null, fileMessageId: null, receivedFile: null, filePath: null, quarantinePath: null, audio: null,
        rememberedChoice: null, createdAt: 0, updatedAt: 0,
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe(`1,"'=cmd, B ""q""","x, y",,,,failed,,,,,,,,,1,"line\nbreak"`);
  });
});
