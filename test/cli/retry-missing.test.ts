/**
 * Issue 12 item 18: running `crate download LINK` again after a finished run asked the bot again,
 * silently, for every track that run did not get. Now it says so before anything is sent (with
 * the number of messages), and `--no-retry-missing` leaves those tracks as they were.
 * Through runCli and the real `download` command; the engine runs on the fake bot (harness).
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { createDownloadCommand } from '../../src/cli/download.js';
import { LINK, createHarness, removeDir, type Harness } from '../engine/harness.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('crate download LINK after a finished run of the same link', () => {
  const hs: Harness[] = [];
  afterEach(() => {
    for (const h of hs.splice(0)) {
      h.close();
      removeDir(h.dir);
    }
  });

  const setup = () => {
    // Track 2 is never found; track 4 always comes as the wrong file.
    const h = createHarness({
      tracks: 6,
      acquirer: { script: (t) => (t.position === 2 ? { kind: 'not_found' } : t.position === 4 ? { kind: 'mismatch', reason: 'wrong performer' } : undefined) },
    });
    hs.push(h);
    const download = createDownloadCommand({
      createDownloadRuntime: async () => ({ service: h.service, pacer: h.pacer, tracks: (id) => h.store.tracks(id), close: async () => {} }),
    });
    const crate = async (...args: string[]) => {
      const stdout = new Capture();
      const stderr = new Capture();
      const sentBefore = h.acquirer.messagesSent;
      const code = await h.clock.run(
        runCli(['node', 'crate', 'download', LINK, ...args], {
          stdout,
          stderr,
          env: { CRATE_DATA_DIR: h.dir, DOWNLOAD_FOLDER: h.dir, LOG_LEVEL: 'silent' },
          cwd: h.dir,
          shutdownSignal: new AbortController().signal,
          commands: [download],
        }),
      );
      return { code, out: stdout.text, err: stderr.text, sent: h.acquirer.messagesSent - sentBefore };
    };
    return { h, crate };
  };

  it('says how many tracks it asks for again, and how many messages that costs, before sending them', async () => {
    const { h, crate } = setup();
    const first = await crate();
    expect(first.code).toBe(0);
    expect(first.out).not.toContain('last time');
    expect(first.sent).toBe(6);

    const again = await crate();
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(
      '1 track was not found and 1 got a file that did not match last time (job #1): asking again (2 messages). To leave them out: --no-retry-missing.',
    );
    // Said before the job started, and it is what went out: the two tracks, nothing else.
    expect(again.out.indexOf('last time')).toBeLessThan(again.out.indexOf('Starting job #2'));
    expect(again.sent).toBe(2);
    expect(h.store.counts(2)).toMatchObject({ skipped: 4, not_found: 1, mismatch: 1 });
  });

  it('--no-retry-missing leaves those tracks as the last run left them and sends nothing for them', async () => {
    const { h, crate } = setup();
    expect((await crate()).code).toBe(0);
    const last = h.store.tracks(1);
    const skip = await crate('--no-retry-missing');
    expect(skip.code, skip.err).toBe(0);
    expect(skip.out).toContain(
      '1 track was not found and 1 got a file that did not match last time (job #1): not asking again (--no-retry-missing); `crate report` lists them.',
    );
    expect(skip.sent).toBe(0);
    const tracks = h.store.tracks(2);
    expect(tracks.map((t) => t.state)).toEqual(['skipped', 'not_found', 'skipped', 'mismatch', 'skipped', 'skipped']);
    expect(tracks[1]?.lastError).toBe('not found in job #1 (the bot found nothing); not asked again');
    expect(tracks[3]?.lastError).toBe('did not match in job #1 (wrong performer); not asked again');
    expect(tracks[3]?.quarantinePath).toBe(last[3]?.quarantinePath);
    expect(skip.out).toMatch(/Not downloaded \(2\):/);
  });

  it('refuses --no-retry-missing with a listing (it only applies to a download)', async () => {
    const { crate } = setup();
    const r = await crate('--dry-run', '--no-retry-missing');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--no-retry-missing only apply to a download, not to --dry-run.');
  });
});
