import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { openJobStore } from '../../src/db/job-store.js';
import { scaledClock } from '../../src/engine/clock.js';
import { createJobService } from '../../src/engine/create-job-service.js';
import { FsLibrary } from '../../src/library/fs-library.js';
import { silentLogger } from '../../src/logger.js';
import { FakeAcquirer } from '../fakes/fake-acquirer.js';
import { flacFileWriter } from '../fakes/flac-file-writer.js';
import { FakePlaylistSource, makeListing } from '../fakes/fake-listing.js';

const LINK = 'https://open.spotify.com/playlist/PL1';

describe('JobService on the real library (files, m3u8, quarantine, restart)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function build(dir: string, wrongPositions: Set<number>) {
    const config = parseConfig({ CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'music'), BATCH_SIZE: '3' });
    // A 3 s gap and 10 s of bot latency take 3 ms and 10 ms here.
    const clock = scaledClock(0.001);
    const opened = openJobStore(path.join(config.dataDir, 'crate.sqlite'), { now: () => clock.now() });
    let acquirer!: FakeAcquirer;
    const { service } = createJobService(config, {
      store: opened.store,
      source: new FakePlaylistSource({ [LINK]: makeListing(8, { name: 'Sunday: Selects' }) }),
      acquirer: (pacer) =>
        (acquirer = new FakeAcquirer({
          clock,
          pacer,
          writeFile: flacFileWriter(wrongPositions, (t) => ({ sampleRate: t.position % 2 ? 44_100 : 96_000, bitDepth: t.position % 2 ? 16 : 24 })),
        })),
      library: new FsLibrary({ store: opened.store }),
      sessionStatus: async () => ({ state: 'ready', user: null, detail: null }),
      logger: silentLogger(),
      clock,
    });
    return { service, store: opened.store, close: opened.close, acquirer: () => acquirer, config };
  }

  it('turns a playlist into named, verified FLACs with an m3u8; a wrong file is quarantined; a restart resumes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crate-e2e-'));
    dirs.push(dir);
    const a = build(dir, new Set([3]));
    const job = await a.service.createJob(LINK);
    const ac = new AbortController();
    const first = a.service.run(job.id, { signal: ac.signal });
    setTimeout(() => ac.abort(), 25);
    expect((await first).status).toBe('paused');
    a.close();

    const b = build(dir, new Set([3]));
    const resumed = await b.service.createJob(LINK);
    expect(resumed.id).toBe(job.id);
    const done = await b.service.run(job.id);
    expect(done.status).toBe('done');
    const tracks = b.store.tracks(job.id);
    expect(tracks.map((t) => t.state)).toEqual(['done', 'done', 'mismatch', 'done', 'done', 'done', 'done', 'done']);
    const folder = path.join(dir, 'music', 'Sunday - Selects');
    const files = readdirSync(folder).sort();
    expect(files).toContain('Artist 1, Guest - Title 1.flac');
    expect(files).toContain('Sunday - Selects.m3u8');
    expect(files).toContain('_quarantine');
    expect(files.filter((f) => f.endsWith('.flac'))).toHaveLength(7); // each findable track exactly once
    expect(readdirSync(path.join(folder, '_quarantine'))).toEqual(['Artist 3 - Title 3.flac']);
    expect(tracks[2]!.lastError).toBeTruthy();
    expect(tracks[1]!.audio).toMatchObject({ bitDepth: 24, sampleRate: 96_000, quality: 'high' });
    const m3u = readFileSync(path.join(folder, 'Sunday - Selects.m3u8'), 'utf8').split('\n');
    expect(m3u[0]).toBe('#EXTM3U');
    expect(m3u[1]).toBe('#EXTINF:180,Artist 1, Guest - Title 1');
    expect(m3u[2]).toBe('Artist 1, Guest - Title 1.flac');
    expect(m3u.filter((l) => l.endsWith('.flac'))).toHaveLength(7);
    expect(existsSync(path.join(dir, 'music', '.crate-partial'))).toBe(false);
    // Messages were never closer than the gap, across both processes.
    const sends = b.store.outgoingTimes(0).filter((o) => o.kind === 'message').map((o) => o.sentAt);
    expect(Math.min(...sends.slice(1).map((t, i) => t - sends[i]!))).toBeGreaterThanOrEqual(3000);
    b.close();
  });
});
