/**
 * The control bot's playlist watch on the fake Bot API server: the notices (one per check, the
 * postponed one, the job's own finished notice held back for a watch's run), ⏰ Watch on a finished
 * playlist's notice, /watch errors in plain words, and the /watches card buttons. The watches here
 * are an in-memory WatchControl (the engine's WatchService is tested on virtual time, and the whole
 * path through `crate serve` in test/e2e/serve-watch.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import type { WatchControl } from '../../src/bot/features/watch.js';
import { UserError } from '../../src/domain/errors.js';
import type { WatchRecord } from '../../src/engine/watch-ports.js';
import { parseInterval } from '../../src/engine/watch-service.js';
import { OWNER, PLAYLIST_LINK, startHarness, type Harness } from './harness.js';

class MemoryWatches implements WatchControl {
  readonly watches = new Map<number, WatchRecord>();
  readonly calls: string[] = [];
  runs = new Set<number>();

  async add(link: string, options: { everyMs?: number } = {}) {
    this.calls.push(`add ${link} ${options.everyMs ?? '-'}`);
    const w: WatchRecord = {
      id: this.watches.size + 1, link, sourceId: 'src', name: 'Summer Mix', everyMs: options.everyMs ?? 6 * 3600_000, status: 'active',
      jobId: 1, nextCheckAt: Date.now() + 3600_000, lastCheckAt: null, lastSnapshot: null, trackKeys: ['a', 'b'], removed: [],
      lastResult: null, lastError: null, pendingNotice: null, createdAt: Date.now(),
    };
    this.watches.set(w.id, w);
    return { watch: w, job: { id: 1, status: 'done', total: 2 } as never, created: true };
  }
  list() {
    return [...this.watches.values()];
  }
  get(id: number) {
    const w = this.watches.get(id);
    if (!w) throw new UserError(`There is no watch #${id}.`);
    return w;
  }
  remove(id: number) {
    this.calls.push(`remove ${id}`);
    this.watches.delete(id);
  }
  setPaused(id: number, paused: boolean) {
    this.calls.push(`paused ${id} ${paused}`);
    const w = { ...this.get(id), status: paused ? ('paused' as const) : ('active' as const) };
    this.watches.set(id, w);
    return w;
  }
  async check(id: number) {
    this.calls.push(`check ${id}`);
    const w = { ...this.get(id), lastCheckAt: Date.now(), lastResult: { at: Date.now(), added: 0, removed: 0, unchanged: 2, skippedUnchanged: true } };
    this.watches.set(id, w);
    return { watch: w, added: [], removed: [], unchanged: 2, skippedUnchanged: true, jobId: 1 };
  }
  isWatchRun(jobId: number) {
    return this.runs.has(jobId);
  }
}

const memory = new MemoryWatches();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ bot: { watches: memory } });
});
afterAll(async () => {
  await h.stop();
});

const sent = (fragment: string) => h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).includes(fragment)).at(-1));
const buttons = (m: { payload: Record<string, any> }) => (m.payload.reply_markup?.inline_keyboard ?? []).flat() as { text: string; callback_data: string }[];

describe('playlist watch in the control bot', () => {
  it('a finished playlist job not yet watched gets ⏰ Watch; pressing it watches the playlist', async () => {
    const job = await h.service.createJob(PLAYLIST_LINK);
    h.service.start(job.id);
    const notice = await sent('✅ Finished: Summer Mix');
    const watch = buttons(notice).find((b) => b.text === '⏰ Watch');
    expect(watch?.callback_data).toBe(encodeCallback('watchAdd', job.id));
    h.server.pushCallbackQuery(OWNER, notice.messageId, watch!.callback_data);
    const card = await sent('Watching it now.');
    expect(card.text).toContain('⏰ Summer Mix (watch #1) · every 6h');
    expect(memory.calls).toContain(`add ${PLAYLIST_LINK} -`);
    expect(buttons(card).map((b) => b.text)).toEqual(['🔄 Check now', '⏸ Pause', '🗑 Stop']);
  });

  it('a job run by a watch check has no finished notice of its own; the watch report is the one message', async () => {
    const job = await h.service.createJob(PLAYLIST_LINK, { resume: false });
    memory.runs.add(job.id);
    const before = h.server.callsOf('sendMessage').length;
    h.service.start(job.id);
    await h.server.waitFor(() => h.service.progress(job.id).job.status === 'done', 10_000);
    h.service.events.emit({ type: 'watch_report', watchId: 1, name: 'Summer Mix', jobId: job.id, added: 3, downloaded: 2, notFound: 1, failed: 0, removed: 2, removedLabels: ['A - One', 'B - Two'] });
    const report = await sent('3 new tracks');
    expect(report.text).toBe('⏰ Summer Mix: 3 new tracks — 2 downloaded, 1 not found\n2 tracks left the playlist (files kept)\n  − A - One\n  − B - Two');
    expect(buttons(report).map((b) => b.text)).toEqual([`📋 Job #${job.id}`, '🔎 Missing (1)']);
    await new Promise((r) => setTimeout(r, 200));
    const newMessages = h.server.callsOf('sendMessage').slice(before).map((c) => String(c.payload.text));
    // The progress card of the run may be sent (it is edited, never rings twice); no "Finished" notice.
    expect(newMessages.filter((t) => t.startsWith('✅ Finished'))).toEqual([]);
    expect(newMessages.filter((t) => t.startsWith('⏰'))).toHaveLength(1);
  });

  it('a postponed check is said once with the reason and the time', async () => {
    const until = Date.UTC(2030, 0, 2, 9, 30);
    h.service.events.emit({ type: 'watch_postponed', watchId: 1, name: 'Summer Mix', reason: '3 new tracks need about 3 messages and the daily budget has 0 left', until });
    const notice = await sent('the check waits until');
    expect(notice.text).toContain('⏰ Summer Mix: the check waits until 2030-01-02 09:30 UTC');
    expect(notice.text).toContain('the daily budget has 0 left');
  });

  it('/watches buttons: Check now edits the card, Pause / Resume swap, Stop removes', async () => {
    h.server.pushMessage(OWNER, '/watches');
    const card = await h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).startsWith('⏰ Summer Mix (watch #1)')).at(-1));
    h.server.pushCallbackQuery(OWNER, card.messageId, encodeCallback('watchCheck', 1));
    await h.server.waitFor(() => (h.server.messageText(OWNER.id, card.messageId) ?? '').includes('no change'));
    await h.server.waitFor(() => h.server.callsOf('answerCallbackQuery').some((c) => c.payload.text === 'Checking…'));
    h.server.pushCallbackQuery(OWNER, card.messageId, encodeCallback('watchPause', 1));
    await h.server.waitFor(() => (h.server.messageText(OWNER.id, card.messageId) ?? '').includes('Next check: paused'));
    h.server.pushCallbackQuery(OWNER, card.messageId, encodeCallback('watchResume', 1));
    await h.server.waitFor(() => !(h.server.messageText(OWNER.id, card.messageId) ?? '').includes('paused'));
    h.server.pushCallbackQuery(OWNER, card.messageId, encodeCallback('watchStop', 1));
    await h.server.waitFor(() => (h.server.messageText(OWNER.id, card.messageId) ?? '').includes('🗑 Stopped watching Summer Mix'));
    expect(memory.calls.slice(-4)).toEqual(['check 1', 'paused 1 true', 'paused 1 false', 'remove 1']);
  });

  it('/watch errors are plain words: no link, an interval below 30 minutes', async () => {
    h.server.pushMessage(OWNER, '/watch');
    expect((await sent('Send /watch with a playlist link')).text).not.toMatch(/went wrong/);
    h.server.pushMessage(OWNER, `/watch ${PLAYLIST_LINK} 10m`);
    expect((await sent('at most every 30 minutes')).text).toContain('Use an interval like 30m, 6h or 1d.');
    h.server.pushMessage(OWNER, `/watch ${PLAYLIST_LINK} 12h`);
    await h.server.waitFor(() => memory.calls.includes(`add ${PLAYLIST_LINK} ${parseInterval('12h')}`));
  });
});
