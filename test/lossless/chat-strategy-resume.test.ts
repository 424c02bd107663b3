/**
 * Resume gaps found by the kill-and-resume chaos run: a process killed between writing an
 * action's intent and hearing that Telegram took it. The previous run is played on the simulated
 * bot by hand (the bot outlives the kill); the track row is what that run left in SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackRecord } from '../../src/domain/job.js';
import { QUALITY_BUTTONS, type SimTrack } from '../fakes/simulated-lossless/core.js';
import { expectDownloaded, fromSim, makeRig, TIMEOUTS, type Rig, type RigOptions } from './support.js';

const rain: SimTrack = { id: 'rain', spotifyId: '1ZbLAz3nDeeyUJyEdyTxgQ', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371 };
const minus: SimTrack = { id: 'minus', spotifyId: '2zUP5xkQz5mJj7D5m2vQdb', artists: ['Robert Hood'], title: 'Minus', durationSec: 276 };
const RAIN_LINK = 'https://open.spotify.com/track/1ZbLAz3nDeeyUJyEdyTxgQ';
const MINUS_LINK = 'https://open.spotify.com/track/2zUP5xkQz5mJj7D5m2vQdb';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function setup(catalogue: SimTrack[], options: RigOptions = {}): Promise<Rig> {
  rig = await makeRig(catalogue, options);
  return rig;
}

/** Earlier traffic in the chat (another track's request and menu), so ids before the intent exist. */
async function earlierTraffic(r: Rig): Promise<number> {
  r.bot.sendText(MINUS_LINK);
  await r.clock.advance(2_000);
  return Math.max(...r.bot.history({ minId: 0, limit: 100 }).map((m) => m.id));
}

describe('ChatStrategy resume: killed before the quality click was confirmed', () => {
  /**
   * Plays the previous run up to the quality click: 'downloading' written (the intent), then the
   * kill. `delivered`: the click reached the bot before the kill (killed while it was on its way).
   */
  async function killedAtQualityClick(r: Rig, options: { delivered: boolean }): Promise<Partial<TrackRecord> & Pick<TrackRecord, 'artists' | 'title'>> {
    const ours = r.bot.sendText(RAIN_LINK);
    await r.clock.advance(2_000);
    const menu = r.bot.history({ minId: ours.id, limit: 10 })[0]!;
    const row = menu.buttons.find((b) => b.text === 'Kerri Chandler - Rain [6:11]')!;
    r.bot.clickButton(menu.id, row.data!);
    await r.clock.advance(2_000);
    const intentAt = r.clock.now();
    const quality = r.bot.getMessages([menu.id])[0]!.buttons.find((b) => b.text === QUALITY_BUTTONS.high)!;
    if (options.delivered) r.bot.clickButton(menu.id, quality.data!);
    await r.clock.advance(1_000);
    return fromSim(rain, {
      state: 'downloading',
      requestMessageId: ours.id,
      menuMessageId: menu.id,
      pickedRow: row.text,
      sendingAfterId: menu.id,
      updatedAt: intentAt,
    });
  }

  it('the click never went out → clicks the quality again after a short grace, not the whole file timeout', async () => {
    const r = await setup([rain]);
    const req = r.request(await killedAtQualityClick(r, { delivered: false }));
    const started = r.clock.now();
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    const waited = r.clock.now() - started;
    expect(waited).toBeLessThan(TIMEOUTS.fileMs / 2);
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.gateway.count('clickButton')).toBe(1);
    expect(r.bot.actions().at(-1)!.detail).toMatch(/:q:.*:high$/);
    expect(r.pacer.calls.map((c) => c.kind)).toEqual(['click']);
    expect(r.bot.deliveries()).toHaveLength(1);
    // The new click was confirmed this time.
    expect(req.track.sendingAfterId).toBeNull();
  });

  it('the click reached the bot before the kill → its file, coming within the grace, is taken; nothing clicked again', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 12_000 }]);
    const req = r.request(await killedAtQualityClick(r, { delivered: true }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.gateway.count('clickButton')).toBe(0);
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.bot.deliveries()).toHaveLength(1);
  });

  it('writes the click as unconfirmed before it goes out and confirmed once Telegram took it', async () => {
    const r = await setup([rain]);
    const req = r.request(fromSim(rain));
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    const intent = req.patches.findIndex((p) => p.state === 'downloading');
    expect(req.patches[intent]).toMatchObject({ state: 'downloading', sendingAfterId: expect.any(Number) });
    expect(req.patches[intent + 1]).toEqual({ sendingAfterId: null });
    expect(req.track.sendingAfterId).toBeNull();
  });
});

describe('ChatStrategy resume: killed between the intent to ask and recording the sent id', () => {
  /** The row the previous run left: 'requested', no request id, the newest id known at the intent. */
  function intentRow(r: Rig, sendingAfterId: number, extra: Partial<TrackRecord> = {}) {
    return fromSim(rain, { state: 'requested', requestMessageId: null, sendingAfterId, updatedAt: r.clock.now(), ...extra });
  }

  it('our request is in the chat → adopted (its id recorded) and carried on from its menu, never sent again', async () => {
    const r = await setup([rain, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    const ours = r.bot.sendText(RAIN_LINK);
    await r.clock.advance(5_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.bot.actions().filter((a) => a.kind === 'send').map((a) => a.detail)).toEqual([MINUS_LINK, RAIN_LINK]);
    expect(req.patches[0]).toEqual({ requestMessageId: ours.id, sendingAfterId: null });
    expect(req.track.requestMessageId).toBe(ours.id);
    expect(r.bot.deliveries().filter((d) => d.trackId === 'rain')).toHaveLength(1);
  });

  it('the restart came before the bot’s menu → waits for it instead of asking again', async () => {
    const r = await setup([rain, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    r.bot.sendText(RAIN_LINK);
    // Menus take 200–900 ms: none has come yet.
    await r.clock.advance(50);
    expect(r.bot.history({ minId: known, limit: 10 }).filter((m) => !m.out)).toEqual([]);
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('sendText')).toBe(0);
    expect(r.bot.actions().filter((a) => a.kind === 'send')).toHaveLength(2);
  });

  it('the request never went out → asked once', async () => {
    const r = await setup([rain, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    await r.clock.advance(5_000);
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('sendText')).toBe(1);
    expect(r.bot.actions().filter((a) => a.kind === 'send').map((a) => a.detail)).toEqual([MINUS_LINK, RAIN_LINK]);
  });

  it('an older message with the same text (an earlier job) is not taken for it', async () => {
    const r = await setup([rain]);
    r.bot.sendText(RAIN_LINK);
    await r.clock.advance(24 * 3600_000);
    // Nothing was known at the intent (first request of a fresh process): its time bounds the search.
    const req = r.request(intentRow(r, 0));
    await r.clock.advance(5_000);
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('sendText')).toBe(1);
  });

  it('with nothing known at the intent, our message sent after it is still found by its time', async () => {
    const r = await setup([rain]);
    const req = r.request(intentRow(r, 0));
    r.bot.sendText(RAIN_LINK);
    await r.clock.advance(5_000);
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('sendText')).toBe(0);
  });

  it('an adopted request that found nothing goes on with the next query, not all of them again', async () => {
    const missing: SimTrack = { ...rain, notFound: true };
    const r = await setup([missing, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    r.bot.sendText(RAIN_LINK);
    await r.clock.advance(5_000);
    const out = await r.run(r.acquirer.acquire(req));
    expect(out.kind).toBe('not_found');
    // The link was not sent again; only the by-name query went out.
    expect(r.gateway.calls.filter((c) => c.method === 'sendText').map((c) => c.args[0])).toEqual(['Kerri Chandler - Rain']);
  });
});

describe('ChatStrategy resume in the same process (Pause, then Resume: the router outlives the attempt)', () => {
  it('paused after the request went out, before its menu came → on Resume the menu that came meanwhile is taken, nothing sent again', async () => {
    const r = await setup([rain, minus]);
    const pause = new AbortController();
    const first = r.request(fromSim(rain), { signal: pause.signal });
    const attempt = r.acquirer.acquire(first).catch((err: unknown) => err);
    // Until the request is recorded as sent, then Pause: the menu is still on its way.
    for (let i = 0; i < 100 && first.track.requestMessageId === null; i++) await r.clock.advance(10);
    expect(first.track.requestMessageId).not.toBeNull();
    pause.abort(new Error('paused by you'));
    await attempt;
    // Paused for a while: the menu lands in the chat (and is seen by the router) meanwhile.
    await r.clock.advance(5_000);
    expect(r.bot.history({ minId: first.track.requestMessageId!, limit: 10 }).some((m) => !m.out)).toBe(true);

    const resumed = r.request({ ...first.track });
    const started = r.clock.now();
    const out = expectDownloaded(await r.run(r.acquirer.acquire(resumed)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    // Went on from the menu at once: not after the reply timeout, and the link was not sent again.
    expect(r.clock.now() - started).toBeLessThan(TIMEOUTS.replyMs);
    expect(r.gateway.count('sendText')).toBe(1);
    expect(r.bot.deliveries().filter((d) => d.trackId === 'rain')).toHaveLength(1);
  });
});
