import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openJobStore, type DrizzleJobStore } from '../../src/db/job-store.js';
import type { CrateDb } from '../../src/db/open.js';
import type { JobOptions } from '../../src/domain/job.js';
import type { SourceListing } from '../../src/domain/track.js';
import { JobEventEmitter } from '../../src/engine/job-events.js';
import { JobService, type JobServiceDeps } from '../../src/engine/job-service.js';
import { Pacer, type PacerOptions } from '../../src/engine/pacer.js';
import type { JobEvent, Library } from '../../src/engine/ports.js';
import { silentLogger } from '../../src/logger.js';
import { FakeAcquirer, type FakeAcquirerOptions } from '../fakes/fake-acquirer.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeLibrary } from '../fakes/fake-library.js';
import { FakePlaylistSource, makeListing } from '../fakes/fake-listing.js';

export const LINK = 'https://open.spotify.com/playlist/PL1';

export const baseOptions: JobOptions = {
  limit: null,
  startFrom: 1,
  batchSize: 4,
  organizeBy: 'playlist',
  yearFolders: false,
  outputDir: '/lib',
  fileTemplate: '{artists} - {title}',
  quality: 'high',
};

export interface Harness {
  dir: string;
  file: string;
  clock: FakeClock;
  store: DrizzleJobStore;
  /** The Drizzle handle on the same SQLite file (for other stores of the same database). */
  db: CrateDb;
  pacer: Pacer;
  acquirer: FakeAcquirer;
  library: Library & Partial<FakeLibrary>;
  source: FakePlaylistSource;
  service: JobService;
  events: JobEvent[];
  /** A second "process": new store, pacer, acquirer and service on the same SQLite file and clock. */
  restart(overrides?: HarnessOptions): Harness;
  close(): void;
}

export interface HarnessOptions {
  listings?: Record<string, SourceListing>;
  tracks?: number;
  acquirer?: Partial<FakeAcquirerOptions>;
  pacer?: Partial<PacerOptions>;
  service?: Partial<Omit<JobServiceDeps, 'defaults'>> & { defaults?: Partial<JobServiceDeps['defaults']> };
  library?: (store: DrizzleJobStore) => Library;
  clock?: FakeClock;
  dir?: string;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'crate-engine-'));
  const file = path.join(dir, 'crate.sqlite');
  const clock = options.clock ?? new FakeClock();
  const opened = openJobStore(file, { now: () => clock.now() });
  const store = opened.store;
  const emitter = new JobEventEmitter();
  const pacer = new Pacer({
    store,
    clock,
    messageGapSeconds: 3,
    dailyBudget: 1000,
    onWait: (seconds, reason) => emitter.emit({ type: 'pacer_waiting', seconds, reason }),
    ...options.pacer,
  });
  const acquirer = new FakeAcquirer({ clock, pacer, ...options.acquirer });
  const library = (options.library?.(store) ?? new FakeLibrary(store)) as Library & Partial<FakeLibrary>;
  const listings = options.listings ?? { [LINK]: makeListing(options.tracks ?? 10) };
  const source = new FakePlaylistSource(listings);
  const { defaults, ...rest } = options.service ?? {};
  const service = new JobService({
    store,
    source,
    acquirer,
    library,
    pacer,
    clock,
    logger: silentLogger(),
    events: emitter,
    sessionStatus: async () => ({ state: 'ready', user: 'owner', detail: null }),
    defaults: {
      options: baseOptions,
      maxRetries: 2,
      responseTimeoutSeconds: 300,
      messageGapSeconds: 3,
      ...defaults,
    },
    backoff: { baseMs: 10_000, random: () => 0 },
    ...rest,
  });
  const events: JobEvent[] = [];
  emitter.subscribe((e) => events.push(e));
  const h: Harness = {
    dir,
    file,
    clock,
    store,
    db: opened.db.db,
    pacer,
    acquirer,
    library,
    source,
    service,
    events,
    restart: (overrides = {}) => createHarness({ ...options, ...overrides, listings, clock, dir }),
    close: () => {
      opened.close();
    },
  };
  return h;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Track states in the order each track went through them, from the emitted events. */
export function stateHistory(events: JobEvent[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const e of events) {
    if (e.type !== 'track_changed') continue;
    const list = out.get(e.track.id) ?? [];
    if (list[list.length - 1] !== e.track.state) list.push(e.track.state);
    out.set(e.track.id, list);
  }
  return out;
}
