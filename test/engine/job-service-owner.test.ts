/**
 * What the control bot relies on from JobService (issue 12): a cancelled job cannot be started
 * again, "missing" means what needs the owner (not what was never asked for), and asking the bot
 * for a menu without a session fails before the pacer charges a message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError, UserError } from '../../src/domain/errors.js';
import { LINK, createHarness, removeDir, type Harness } from './harness.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) {
    h.close();
    removeDir(h.dir);
  }
});
const make = (...args: Parameters<typeof createHarness>) => {
  const h = createHarness(...args);
  harnesses.push(h);
  return h;
};

describe('JobService for the owner', () => {
  it('refuses to start a cancelled job (an old Start button)', async () => {
    const h = make({ tracks: 3 });
    const job = await h.service.createJob(LINK);
    await h.service.cancel(job.id);
    expect(() => h.service.start(job.id)).toThrow(UserError);
    expect(() => h.service.start(job.id)).toThrow(`Job #${job.id} was cancelled; send its link again to start over.`);
    expect(h.store.getJob(job.id)?.status).toBe('cancelled');
    expect(h.store.countOutgoingSince(0)).toBe(0);
  });

  it('missing() is not_found, mismatch and failed — never tracks not asked for yet', async () => {
    const h = make({
      tracks: 5,
      acquirer: { script: (t) => (t.position === 2 ? { kind: 'not_found' } : t.position === 4 ? { kind: 'failed', retryable: false, reason: 'broken' } : undefined) },
    });
    const job = await h.service.createJob(LINK);
    expect(h.service.missing(job.id)).toEqual([]);
    expect(h.service.tracks(job.id).map((t) => t.state)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);
    await h.clock.run(h.service.run(job.id));
    expect(h.service.missing(job.id).map((t) => [t.position, t.state])).toEqual([
      [2, 'not_found'],
      [4, 'failed'],
    ]);
  });

  it('menuRows without a session throws SessionExpiredError before any message is recorded', async () => {
    const h = make({ tracks: 2, service: { sessionStatus: async () => ({ state: 'no_session', user: null, detail: null }) } });
    // An acquirer that asks the bot for the menu the way the real one does: through the pacer.
    Object.assign(h.acquirer, {
      listMenuRows: async () => {
        await h.pacer.acquire('message');
        return ['Artist 1 - Title 1 [3:00]'];
      },
    });
    const job = await h.service.createJob(LINK);
    const track = h.service.tracks(job.id)[0]!;
    const rows = h.service.menuRows(track.id);
    await expect(rows).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(rows).rejects.toMatchObject({ notLoggedIn: true });
    expect(h.store.countOutgoingSince(0)).toBe(0);
    expect(() => h.service.tracks(999)).toThrow('There is no job #999.');
  });
});
