import { readFile, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FloodWaitError, SafetyStopError, SessionExpiredError } from '../../src/domain/errors.js';
import { losslessTimeouts } from '../../src/lossless/create-acquirer.js';
import { QUALITY_BUTTONS, type SimTrack } from '../fakes/simulated-lossless/core.js';
import { expectDownloaded, fromSim, makeRig, TIMEOUTS, type Rig, type RigOptions } from './support.js';

const satisfaction: SimTrack = {
  id: 'sat',
  spotifyId: '3sF5ZUj1TvHhMXqvA8a2Mi',
  artists: ['Benny Benassi'],
  title: 'Satisfaction',
  durationSec: 285,
  album: 'Hypnotica',
  isrc: 'ITZ010300011',
  decoys: [
    'Alon Renser - Satisfaction (Benny Benassi Cover) [4:45]',
    'Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [4:45]',
    'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]',
  ],
  rowIndex: 2,
};

const rain: SimTrack = { id: 'rain', spotifyId: '1ZbLAz3nDeeyUJyEdyTxgQ', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371 };
const overpowered: SimTrack = { id: 'ovp', spotifyId: '6K8qKeWo5MsFED7wCR6Kop', artists: ['Róisín Murphy'], title: 'Overpowered', durationSec: 278 };
const krovi: SimTrack = { id: 'krovi', spotifyId: '1BGXJfTIqtEhOKcOu0Lj3c', artists: ['Kino'], title: 'Gruppa Krovi', durationSec: 283 };
const minus: SimTrack = { id: 'minus', spotifyId: '2zUP5xkQz5mJj7D5m2vQdb', artists: ['Robert Hood'], title: 'Minus', durationSec: 276 };

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function setup(catalogue: SimTrack[], options: RigOptions = {}): Promise<Rig> {
  rig = await makeRig(catalogue, options);
  return rig;
}

describe('ChatStrategy on the simulated bot', () => {
  it('skips covers and karaoke rows, picks the original, chooses High and downloads the file', async () => {
    const r = await setup([satisfaction]);
    const req = r.request(fromSim(satisfaction));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));

    expect(out.pickedRow).toBe('Benny Benassi - Satisfaction [4:45]');
    expect(out.receivedFile).toMatchObject({ performer: 'Benny Benassi', title: 'Satisfaction', durationSec: 285 });
    const onDisk = await stat(out.path);
    expect(onDisk.size).toBe(out.sizeBytes);
    expect((await readFile(out.path)).subarray(0, 4).toString()).toBe('fLaC');
    expect(req.bytes.at(-1)).toBe(out.sizeBytes);

    // The link went first; High was clicked, never Low.
    const actions = r.bot.actions();
    expect(actions[0]).toMatchObject({ kind: 'send', detail: 'https://open.spotify.com/track/3sF5ZUj1TvHhMXqvA8a2Mi' });
    expect(actions.filter((a) => a.kind === 'click').map((a) => a.detail.split(':').slice(1, 2)[0])).toEqual(['r', 'q']);
    expect(actions.at(-1)!.detail).toMatch(/:high$/);

    // Every action toward the bot was paced first.
    expect(r.pacer.calls.map((c) => c.kind)).toEqual(['message', 'click', 'click']);
    expect(r.pacer.calls.every((c) => c.trackId === req.track.id)).toBe(true);

    // Breadcrumbs: intent before the send, then the message ids as they came; 'downloading' as the
    // quality click goes out (the file is on its way), again when the file is taken.
    const states = req.patches.map((p) => p.state).filter(Boolean);
    expect(states).toEqual(['requested', 'picked', 'picked', 'downloading', 'downloading']);
    expect(req.track.requestMessageId).toBe(1);
    expect(req.track.menuMessageId).toBeGreaterThan(1);
    expect(req.track.fileMessageId).toBeGreaterThan(req.track.menuMessageId!);
    const firstWithId = req.patches.findIndex((p) => p.requestMessageId);
    expect(req.patches.findIndex((p) => p.state === 'requested')).toBeLessThan(firstWithId);
  });

  it('chooses Max when the job asks for it', async () => {
    const r = await setup([{ ...rain, bitDepth: 24, sampleRate: 96_000 }]);
    const req = r.request(fromSim(rain), { quality: 'max' });
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.bot.actions().at(-1)!.detail).toMatch(/:max$/);
  });

  it('pages on when no row on the first page fits', async () => {
    const track: SimTrack = {
      ...satisfaction,
      decoys: [...satisfaction.decoys!, 'Satisfaction Tribute Band - Satisfaction [4:44]', 'The Karaoke Channel - Satisfaction [4:45]'],
      rowIndex: 4,
    };
    const r = await setup([track], { sim: { rowsPerPage: 3 } });
    const out = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(track)))));
    expect(out.pickedRow).toBe('Benny Benassi - Satisfaction [4:45]');
    expect(r.bot.actions().filter((a) => a.kind === 'click').map((a) => a.detail.split(':')[1])).toEqual(['p', 'r', 'q']);
  });

  it('gives up after a few pages: not found, after also asking by name', async () => {
    const decoys = Array.from({ length: 12 }, (_, i) => `Cover Band ${i} - Satisfaction (Benny Benassi Cover) [4:45]`);
    const track: SimTrack = { ...satisfaction, decoys, rowIndex: 12 };
    const r = await setup([track], { sim: { rowsPerPage: 2 } });
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(track))));
    expect(out.kind).toBe('not_found');
    expect(r.bot.actions().filter((a) => a.kind === 'send').map((a) => a.detail)).toEqual([
      'https://open.spotify.com/track/3sF5ZUj1TvHhMXqvA8a2Mi',
      'Benny Benassi - Satisfaction',
    ]);
    // 3 pages looked at per query: two page clicks each, never a row click.
    expect(r.bot.actions().filter((a) => a.kind === 'click').map((a) => a.detail.split(':')[1])).toEqual(['p', 'p', 'p', 'p']);
  });

  it('nothing found (photo) by link and by name → not_found', async () => {
    const missing: SimTrack = { ...rain, notFound: true };
    const r = await setup([missing]);
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(missing))));
    expect(out).toMatchObject({ kind: 'not_found' });
    expect(r.gateway.count('sendText')).toBe(2);
    expect(r.gateway.count('clickButton')).toBe(0);
  });

  it('falls back to "Artist - Title" when the link finds nothing', async () => {
    const r = await setup([rain]);
    const req = r.request(fromSim(rain, { spotifyId: '0000000000000000000000' }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.bot.actions().filter((a) => a.kind === 'send').map((a) => a.detail)).toEqual([
      'https://open.spotify.com/track/0000000000000000000000',
      'Kerri Chandler - Rain',
    ]);
  });

  it('the premium promo stops with SafetyStopError("promo")', async () => {
    const r = await setup([rain], { sim: { promo: { afterRequests: 0 } } });
    const err = await r.run(r.acquirer.acquire(r.request(fromSim(rain)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyStopError);
    expect((err as SafetyStopError).signal).toBe('promo');
    expect(r.gateway.count('clickButton')).toBe(0);
  });

  it('a lone promo button (no text) stops with signal "promo"', async () => {
    const r = await setup([rain], {
      sim: { promo: { afterRequests: 0 } },
      gateway: { rewriteEvent: (m) => ({ ...m, text: '' }) },
    });
    const err = await r.run(r.acquirer.acquire(r.request(fromSim(rain)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyStopError);
    expect((err as SafetyStopError).signal).toBe('promo');
  });

  it('a silent bot → retryable timeout failure', async () => {
    const r = await setup([{ ...rain, silent: true }]);
    const started = r.clock.now();
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out).toMatchObject({ kind: 'failed', retryable: true });
    expect((out as { reason: string }).reason).toMatch(/^timeout/);
    expect(r.clock.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.replyMs);
  });

  it('silence after the quality click waits the file timeout, then fails retryably', async () => {
    const r = await setup([rain], { gateway: { dropEvent: (m) => m.document !== null } });
    const started = r.clock.now();
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out).toMatchObject({ kind: 'failed', retryable: true });
    expect(r.clock.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.fileMs);
  });

  it('an unknown reply is a failure of that track, never a success', async () => {
    const r = await setup([rain], {
      gateway: { rewriteEvent: (m) => (m.buttons.length > 0 ? { ...m, text: 'Сервер перегружен, попробуйте позже', buttons: [] } : m) },
    });
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out).toMatchObject({ kind: 'failed', retryable: true });
    expect((out as { reason: string }).reason).toContain('Сервер перегружен');
    expect(r.gateway.count('downloadDocument')).toBe(0);
  });

  it('a wrong file is rejected before downloading (mismatch)', async () => {
    const r = await setup([{ ...rain, wrongFile: true }]);
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out.kind).toBe('mismatch');
    expect(out).toMatchObject({ pickedRow: 'Kerri Chandler - Rain [6:11]', receivedFile: { performer: 'Ameritz Countdown Karaoke' } });
    expect(r.gateway.count('downloadDocument')).toBe(0);
  });

  it('the owner’s remembered row wins over the picker’s own choice', async () => {
    const r = await setup([satisfaction]);
    const req = r.request(fromSim(satisfaction, { rememberedChoice: 'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]' }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.pickedRow).toBe('Benny Benassi - Satisfaction (RL Grime Remix) [4:19]');
    // The owner's row is the recording to expect: the remix file is taken, not refused.
    expect(out.receivedFile).toMatchObject({ title: 'Satisfaction (RL Grime Remix)' });
  });

  it('concurrent requests: late, out-of-order files each reach their own track; strays are not taken', async () => {
    const catalogue: SimTrack[] = [
      { ...rain, fileDelayMs: 40_000 },
      { ...overpowered, fileDelayMs: 25_000 },
      { ...krovi, fileDelayMs: 10_000 },
      { ...minus, fileDelayMs: 2_000 },
    ];
    const r = await setup(catalogue);
    r.bot.sendUnsolicitedFile({ artist: 'Daft Punk', title: 'Around the World', durationSec: 429 }, 12_000);
    const reqs = catalogue.map((t) => r.request(fromSim(t)));
    const outs = await r.run(Promise.all(reqs.map((q) => r.acquirer.acquire(q))));
    outs.forEach((o, i) => {
      const d = expectDownloaded(o);
      expect(d.receivedFile).toMatchObject({ title: catalogue[i]!.title, performer: catalogue[i]!.artists.join(', ') });
    });
    // Files arrived in the reverse order of the requests.
    const order = r.bot.deliveries().filter((d) => d.kind === 'requested').map((d) => d.trackId);
    expect(order).toEqual(['minus', 'krovi', 'ovp', 'rain']);
    const stray = r.bot.deliveries().find((d) => d.kind === 'unsolicited')!;
    expect(r.gateway.calls.filter((c) => c.method === 'downloadDocument').map((c) => c.args[0])).not.toContain(stray.messageId);
  });

  it('a file for a request that gave up is not given to the next request', async () => {
    // Rain's file comes long after its request timed out, while Minus is waiting for its own.
    const catalogue: SimTrack[] = [{ ...rain, fileDelayMs: TIMEOUTS.fileMs + 20_000 }, { ...minus, fileDelayMs: 60_000 }];
    const r = await setup(catalogue);
    const rainReq = r.request(fromSim(catalogue[0]!));
    const first = await r.run(r.acquirer.acquire(rainReq));
    expect(first).toMatchObject({ kind: 'failed', retryable: true });
    const second = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(catalogue[1]!)))));
    expect(second.receivedFile).toMatchObject({ title: 'Minus' });

    // The retry of Rain finds its late file in the chat and asks nothing.
    const sends = r.gateway.count('sendText');
    rainReq.track.state = 'failed';
    const retried = expectDownloaded(await r.run(r.acquirer.acquire(rainReq)));
    expect(retried.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.gateway.count('sendText')).toBe(sends);
  });

  it('resume: a file already in the chat is downloaded without asking again', async () => {
    const r = await setup([rain]);
    // The previous run sent the link; the bot answered and its file came while we were down.
    const ours = r.bot.sendText('https://open.spotify.com/track/1ZbLAz3nDeeyUJyEdyTxgQ');
    r.bot.sendFileFor('rain', 5_000, ours.id);
    await r.clock.advance(10_000);
    const req = r.request(fromSim(rain, { state: 'requested', requestMessageId: ours.id }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.gateway.count('clickButton')).toBe(0);
    expect(r.pacer.calls).toEqual([]);
  });

  it('resume: goes on from the menu already in the chat instead of asking again', async () => {
    const r = await setup([satisfaction]);
    const ours = r.bot.sendText('https://open.spotify.com/track/3sF5ZUj1TvHhMXqvA8a2Mi');
    await r.clock.advance(5_000);
    const menuId = r.bot.history({ minId: ours.id, limit: 10 })[0]!.id;
    const req = r.request(fromSim(satisfaction, { state: 'requested', requestMessageId: ours.id, menuMessageId: menuId }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.pickedRow).toBe('Benny Benassi - Satisfaction [4:45]');
    expect(r.gateway.count('sendText')).toBe(0);
  });

  it('resume: nothing came yet → asks again', async () => {
    const r = await setup([rain]);
    const req = r.request(fromSim(rain, { state: 'requested', requestMessageId: 999 }));
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('history')).toBe(1);
    expect(r.gateway.count('sendText')).toBe(1);
  });

  /** Plays the previous run up to the quality click (which the bot may never have received). */
  async function choseQualityBeforeRestart(r: Rig, options: { delivered: boolean }) {
    const ours = r.bot.sendText('https://open.spotify.com/track/1ZbLAz3nDeeyUJyEdyTxgQ');
    await r.clock.advance(2_000);
    const menu = r.bot.history({ minId: ours.id, limit: 10 })[0]!;
    const row = menu.buttons.find((b) => b.text === 'Kerri Chandler - Rain [6:11]')!;
    r.bot.clickButton(menu.id, row.data!);
    await r.clock.advance(2_000);
    const quality = r.bot.getMessages([menu.id])[0]!.buttons.find((b) => b.text === QUALITY_BUTTONS.high)!;
    if (options.delivered) r.bot.clickButton(menu.id, quality.data!);
    const clickedAt = r.clock.now();
    await r.clock.advance(1_000);
    return fromSim(rain, { state: 'downloading', requestMessageId: ours.id, menuMessageId: menu.id, pickedRow: row.text, updatedAt: clickedAt });
  }

  it('resume: the quality was chosen before the restart → waits for its (late) file, never chooses again', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 40_000 }]);
    const req = r.request(await choseQualityBeforeRestart(r, { delivered: true }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.gateway.count('clickButton')).toBe(0);
    expect(r.bot.deliveries()).toHaveLength(1);
  });

  it('resume: the file chosen before the restart never came → chooses the quality again after the file timeout', async () => {
    const r = await setup([rain]);
    const req = r.request(await choseQualityBeforeRestart(r, { delivered: false }));
    const started = r.clock.now();
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.clock.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.fileMs - 2_000);
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.gateway.count('clickButton')).toBe(1);
    expect(r.bot.deliveries()).toHaveLength(1);
  });

  it('resume: a download cut short goes on from the file message it recorded', async () => {
    const r = await setup([rain]);
    const ours = r.bot.sendText('https://open.spotify.com/track/1ZbLAz3nDeeyUJyEdyTxgQ');
    r.bot.sendFileFor('rain', 1_000, ours.id);
    await r.clock.advance(5_000);
    const fileId = r.bot.deliveries()[0]!.messageId;
    const req = r.request(fromSim(rain, { state: 'downloading', requestMessageId: ours.id, fileMessageId: fileId, pickedRow: 'Kerri Chandler - Rain [6:11]' }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: fileId });
    expect(r.gateway.count('history')).toBe(0);
    expect(r.gateway.count('sendText')).toBe(0);
  });

  it('a download error is a retryable failure of the track', async () => {
    const r = await setup([rain]);
    r.gateway.downloadDocument = async () => {
      throw new Error('connection reset');
    };
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out).toMatchObject({ kind: 'failed', retryable: true, reason: 'download failed: connection reset' });
  });

  it('an expired session goes up as it is', async () => {
    const r = await setup([rain]);
    r.gateway.sendText = async () => {
      throw new SessionExpiredError('AUTH_KEY_UNREGISTERED');
    };
    await expect(r.run(r.acquirer.acquire(r.request(fromSim(rain))))).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('the pacer’s budget stop goes up before anything is sent', async () => {
    const r = await setup([rain]);
    r.pacer.budget = 0;
    const err = await r.run(r.acquirer.acquire(r.request(fromSim(rain)))).catch((e: unknown) => e);
    expect(err).toMatchObject({ signal: 'budget' });
    expect(r.gateway.count('sendText')).toBe(0);
  });

  it('FloodWait: the pacer is told and the error goes up', async () => {
    const r = await setup([rain]);
    r.bot.floodOnNext(42);
    const err = await r.run(r.acquirer.acquire(r.request(fromSim(rain)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloodWaitError);
    expect(r.pacer.floodWaits).toEqual([42]);
  });

  it('a cancelled request stops waiting at once', async () => {
    const r = await setup([{ ...rain, silent: true }]);
    const ac = new AbortController();
    const p = r.acquirer.acquire(r.request(fromSim(rain), { signal: ac.signal }));
    await r.clock.advance(1_000);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('finds a file whose update was missed by polling the chat', async () => {
    const r = await setup([rain], { gateway: { dropEvent: (m) => m.document !== null }, pollIntervalMs: 5_000 });
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(r.gateway.count('history')).toBeGreaterThan(0);
  });

  for (const replyTo of [true, false]) {
    it(`works when the bot sends the quality menu as a new message (${replyTo ? 'quoting' : 'not quoting'} our request)`, async () => {
      const r = await setup([satisfaction, rain, minus], { sim: { qualityMenuAs: 'new', replyTo } });
      const tracks = [satisfaction, rain, minus];
      const outs = await r.run(Promise.all(tracks.map((t) => r.acquirer.acquire(r.request(fromSim(t))))));
      expect(outs.map((o) => expectDownloaded(o).receivedFile.title)).toEqual(['Satisfaction', 'Rain', 'Minus']);
    });
  }

  it('listMenuRows returns the first page without clicking', async () => {
    const r = await setup([satisfaction]);
    const req = r.request(fromSim(satisfaction));
    const rows = await r.run(r.acquirer.menuRows(req.track));
    expect(rows.rows.map((x) => x.text)).toEqual([
      'Alon Renser - Satisfaction (Benny Benassi Cover) [4:45]',
      'Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [4:45]',
      'Benny Benassi - Satisfaction [4:45]',
      'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]',
    ]);
    expect(rows.buttons.length).toBeGreaterThan(rows.rows.length);
    expect(r.gateway.count('clickButton')).toBe(0);
    expect(r.pacer.count('message')).toBe(1);
    // The engine's shape: just the row texts.
    expect(await r.run(r.acquirer.listMenuRows(req.track))).toEqual(rows.rows.map((x) => x.text));
  });

  it('the row the owner picked from listMenuRows is used on the next acquire', async () => {
    const r = await setup([satisfaction]);
    const req = r.request(fromSim(satisfaction));
    const rows = await r.run(r.acquirer.listMenuRows(req.track));
    req.track.rememberedChoice = rows[3]!;
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.pickedRow).toBe(rows[3]);
  });

  it('losslessTimeouts: the file wait ends before the engine watchdog; menus wait at most 2 min', () => {
    expect(losslessTimeouts(300)).toEqual({ replyMs: 120_000, fileMs: 290_000 });
    expect(losslessTimeouts(30)).toEqual({ replyMs: 27_000, fileMs: 27_000 });
  });
});
