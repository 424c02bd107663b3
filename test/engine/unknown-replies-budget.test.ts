/**
 * The message count stays honest when the bot answers with something Crate cannot read: 100
 * tracks, every request answered with the same unknown text. The whole engine (JobService, real
 * Pacer and SQLite, the product acquirer over the simulated bot) on virtual time: the job pauses
 * after a few tracks and shows the reply; it never retries its way through the daily budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { openJobStore } from '../../src/db/job-store.js';
import { createJobService } from '../../src/engine/create-job-service.js';
import type { JobEvent } from '../../src/engine/ports.js';
import { VirtualClock } from '../../src/engine/virtual-clock.js';
import { FsLibrary } from '../../src/library/fs-library.js';
import { silentLogger } from '../../src/logger.js';
import { createLosslessAcquirer, losslessTimeouts, settingFirstContactStore, FIRST_CONTACT_KEY } from '../../src/lossless/create-acquirer.js';
import { FakeGateway, schedulerOnClock } from '../fakes/fake-gateway.js';
import { FakePlaylistSource, makeListing } from '../fakes/fake-listing.js';
import { SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';

const LINK = 'https://open.spotify.com/playlist/PL1';
const REPLY = 'Бот обновляется. Следите за новостями!';

describe('100 tracks, every reply unknown', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function run(env: Record<string, string>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'crate-unknown-'));
    dirs.push(dir);
    const config = parseConfig({ CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'music'), ...env });
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const opened = openJobStore(path.join(config.dataDir, 'crate.sqlite'), { now: () => clock.now() });
    const listing = makeListing(100);
    const bot = new SimulatedLosslessBot({
      catalogue: listing.tracks.map((t) => ({ id: t.spotifyId!, spotifyId: t.spotifyId!, artists: t.artists, title: t.title, durationSec: t.durationMs! / 1000, replyText: REPLY })),
      clock: schedulerOnClock(clock),
      latencyMs: { reply: [300, 900], file: [2_000, 5_000] },
    });
    const gateway = new FakeGateway(bot);
    const events: JobEvent[] = [];
    const { service, events: bus } = createJobService(config, {
      store: opened.store,
      source: new FakePlaylistSource({ [LINK]: listing }),
      acquirer: (pacer) =>
        createLosslessAcquirer({
          gateway,
          pacer,
          mode: 'chat',
          logger: silentLogger(),
          timeouts: losslessTimeouts(config.responseTimeoutSeconds),
          clock,
          pollIntervalMs: 0,
          firstContact: settingFirstContactStore(opened.store, FIRST_CONTACT_KEY),
          unknownReplyLimit: config.unknownReplyLimit,
        }),
      library: new FsLibrary({ store: opened.store }),
      sessionStatus: async () => ({ state: 'ready', user: null, detail: null }),
      logger: silentLogger(),
      clock,
    });
    bus.subscribe((e) => events.push(e));
    const job = await service.createJob(LINK);
    const finished = await clock.run(service.run(job.id), { maxVirtualMs: 48 * 3600_000 });
    const sent = opened.store.countOutgoingSince(0, ['message', 'inline']);
    const tracks = opened.store.tracks(job.id);
    const result = { finished, sent, tracks, events, config, bot, firstContact: opened.store.getSetting(FIRST_CONTACT_KEY) };
    opened.close();
    bot.close();
    return result;
  }

  it.each([
    ['one at a time', { BATCH_SIZE: '1' }],
    ['the default window of 12', {}],
  ])('%s: pauses with the reply verbatim after a few tracks, far from the daily budget', async (_name, env) => {
    const r = await run(env);
    expect(r.finished.status).toBe('paused');
    expect(r.finished.pauseReason).toContain(`text «${REPLY}»`);
    expect(r.finished.pauseReason).toContain('Crate was waiting for the search results');
    const paused = r.events.find((e) => e.type === 'job_paused');
    expect(paused).toMatchObject({ type: 'job_paused', safetyStop: true });
    // /start once, one request per track in flight, and at most a retry for each of the first
    // tracks to fail while the others still waited: a dozen or so, of a budget of 400.
    expect(r.sent).toBeLessThanOrEqual(1 + r.config.batchSize + r.config.unknownReplyLimit);
    expect(r.sent).toBeLessThan(r.config.dailyMessageBudget / 10);
    expect(r.bot.actions().filter((a) => a.kind === 'send' && a.detail === '/start')).toHaveLength(1);
    expect(JSON.parse(r.firstContact!)).toMatchObject({ state: 'sent' });
    // Nothing was given up on in silence: the tracks that were tried say what the bot answered.
    const tried = r.tracks.filter((t) => t.lastError);
    expect(tried.length).toBeGreaterThan(0);
    for (const t of tried) expect(t.lastError).toContain(REPLY);
    expect(r.tracks.filter((t) => t.state === 'queued').length).toBeGreaterThanOrEqual(100 - r.config.batchSize - 1);
  });
});
