/**
 * A verification under way is in SQLite before it starts: a Crate that died during one finds it at
 * the next start, verifies once more, and after that quarantines the file with the reason instead of
 * trying it on every restart. Real SQLite file, real FLACs, the library's own verifier.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJobStore, type DrizzleJobStore } from '../../../src/db/job-store.js';
import { DrizzleVerificationLedger } from '../../../src/db/verification-ledger.js';
import type { JobRecord, TrackRecord } from '../../../src/domain/job.js';
import { FsLibrary } from '../../../src/library/fs-library.js';
import { readFlacFacts } from '../../../src/library/read-flac.js';
import { makeFlac } from '../../fakes/flac-writer.js';

describe('verifications recorded in SQLite', () => {
  let dir: string;
  let store: DrizzleJobStore;
  let ledger: DrizzleVerificationLedger;
  let close: () => void;
  let job: JobRecord;
  let track: TrackRecord;
  let reads: number;
  let library: FsLibrary;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-ledger-'));
    const opened = openJobStore(path.join(dir, 'crate.sqlite'));
    ({ store, close } = opened);
    ledger = new DrizzleVerificationLedger(opened.db.db);
    job = store.createJob({
      link: 'L',
      fingerprint: 'f',
      listing: {
        source: { type: 'playlist', id: 'P', name: 'P', total: 1, backend: 'user' },
        tracks: [{ position: 1, spotifyId: 's1', artists: ['Kerri Chandler'], title: 'Rain', album: null, durationMs: 20_000, isrc: null, releaseYear: null }],
        warnings: [],
      },
      options: { limit: null, startFrom: 1, batchSize: 1, organizeBy: 'playlist', yearFolders: false, outputDir: path.join(dir, 'music'), fileTemplate: '{artists} - {title}', quality: 'high' },
    });
    track = store.tracks(job.id)[0]!;
    reads = 0;
    library = new FsLibrary({
      store,
      ledger,
      readFacts: (file) => {
        reads++;
        return readFlacFacts(file);
      },
    });
  });
  afterEach(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function downloaded(): Promise<string> {
    const p = await library.downloadPath(job, track);
    writeFileSync(p, makeFlac({ artist: 'Kerri Chandler', title: 'Rain', durationMs: 20_000 }));
    return p;
  }

  it('a finished verification leaves nothing behind', async () => {
    const result = await library.accept(job, track, await downloaded());
    expect(result.kind).toBe('stored');
    expect(ledger.begin(track.id, 'x').unfinishedBefore).toBe(0);
  });

  it('one attempt cut short (Crate killed during it): verified once more, and stored', async () => {
    const file = await downloaded();
    ledger.begin(track.id, file); // what the killed run wrote before it started
    const result = await library.accept(job, track, file);
    expect(result.kind).toBe('stored');
    expect(reads).toBe(1);
  });

  it('cut short twice (two kills while it ran): verified once more, and stored', async () => {
    const file = await downloaded();
    ledger.begin(track.id, file);
    ledger.begin(track.id, file);
    const result = await library.accept(job, track, file);
    expect(result.kind).toBe('stored');
  });

  it('cut short three times: quarantined with the reason, not verified again', async () => {
    const file = await downloaded();
    ledger.begin(track.id, file);
    ledger.begin(track.id, file);
    ledger.begin(track.id, file);
    const result = await library.accept(job, track, file);
    expect(result).toMatchObject({ kind: 'quarantined', audio: null });
    expect(result.kind === 'quarantined' && result.reason).toMatch(/^verification did not finish 3 times .*not tried again/);
    expect(reads).toBe(0);
    // And the record is closed: the quarantined file is the owner's call now (accept from /missing).
    expect(ledger.begin(track.id, file).unfinishedBefore).toBe(0);
  });

  it('a download that is gone (moved before the restart) leaves no record to trip over', async () => {
    const file = path.join(dir, 'gone.flac');
    ledger.begin(track.id, file);
    ledger.begin(track.id, file);
    await expect(library.accept(job, track, file)).rejects.toThrow(/Cannot read the downloaded file/);
  });
});
