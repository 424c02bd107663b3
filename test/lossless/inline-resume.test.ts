/**
 * Inline mode after a restart, as chat mode resumes: the previous run is played on the simulated
 * bot by hand (the bot outlives the kill); the track row is what that run left in SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackRecord } from '../../src/domain/job.js';
import type { BotMessage } from '../../src/domain/telegram.js';
import type { SimTrack } from '../fakes/simulated-lossless/core.js';
import { expectDownloaded, fromSim, makeRig, TIMEOUTS, type Rig } from './support.js';

const rain: SimTrack = { id: 'rain', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371 };
const minus: SimTrack = { id: 'minus', artists: ['Robert Hood'], title: 'Minus', durationSec: 276 };
const RAIN_ROW = 'Kerri Chandler - Rain [6:11]';
const MINUS_ROW = 'Robert Hood - Minus [4:36]';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function setup(catalogue: SimTrack[]): Promise<Rig> {
  rig = await makeRig(catalogue, { mode: 'inline' });
  return rig;
}

/** What the previous run did by hand: the inline query and the send of its (only) result. */
function sendInline(r: Rig, query: string): BotMessage {
  const [result] = r.bot.inlineQuery(query);
  return r.bot.sendInlineResult(result!);
}

/** Earlier traffic in the chat, so ids before the intent exist; returns the newest. */
async function earlierTraffic(r: Rig): Promise<number> {
  sendInline(r, 'Robert Hood - Minus');
  await r.clock.advance(15_000);
  return Math.max(...r.bot.history({ minId: 0, limit: 100 }).map((m) => m.id));
}

/** The row a run killed between the intent to send and recording the sent id leaves. */
function intentRow(r: Rig, sendingAfterId: number, extra: Partial<TrackRecord> = {}) {
  return fromSim(rain, { state: 'picked', pickedRow: RAIN_ROW, requestMessageId: null, sendingAfterId, updatedAt: r.clock.now(), ...extra });
}

const sends = (r: Rig) => r.gateway.count('inlineQuery') + r.gateway.count('sendInlineResult');

describe('InlineStrategy resume: killed between sending the inline result and recording its id', () => {
  it('our message still says "wait" → adopted (its id recorded), its edit waited for, nothing sent again', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 40_000 }, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(2_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
    expect(sends(r)).toBe(0);
    expect(req.patches[0]).toEqual({ requestMessageId: ours.id, sendingAfterId: null });
    expect(req.track.requestMessageId).toBe(ours.id);
    expect(r.bot.deliveries().filter((d) => d.trackId === 'rain')).toHaveLength(1);
  });

  it('our message already became the document → adopted and downloaded, nothing sent again', async () => {
    const r = await setup([rain, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(20_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
    expect(sends(r)).toBe(0);
    expect(req.track.requestMessageId).toBe(ours.id);
  });

  it('a result that carried the document → adopted and downloaded, nothing sent again', async () => {
    const r = await setup([{ ...rain, inline: 'document' }, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
    expect(sends(r)).toBe(0);
  });

  it('another track’s inline message sent after the intent is not taken for ours', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 30_000 }, { ...minus, fileDelayMs: 30_000 }]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    const theirs = sendInline(r, 'Robert Hood - Minus');
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(1_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
    expect(req.track.requestMessageId).toBe(ours.id);
    expect(req.track.requestMessageId).not.toBe(theirs.id);
    expect(sends(r)).toBe(0);
  });

  it('only another track’s inline message is there (ours never went out) → ours is sent once', async () => {
    const r = await setup([rain, { ...minus, inline: 'document' }]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    sendInline(r, 'Robert Hood - Minus');
    await r.clock.advance(1_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
    expect(r.gateway.count('sendInlineResult')).toBe(1);
  });

  it('the result never went out → sent once', async () => {
    const r = await setup([rain, minus]);
    const known = await earlierTraffic(r);
    const req = r.request(intentRow(r, known));
    await r.clock.advance(5_000);
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('sendInlineResult')).toBe(1);
    expect(r.bot.deliveries().filter((d) => d.trackId === 'rain')).toHaveLength(1);
  });

  it('with nothing known at the intent, an earlier job’s same message is not taken, ours sent after the intent is', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 30_000 }]);
    sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(24 * 3600_000);
    const req = r.request(intentRow(r, 0));
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(1_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id });
    expect(sends(r)).toBe(0);
  });

  it('with nothing known at the intent and only an earlier job’s message there → sent once', async () => {
    const r = await setup([rain]);
    sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(24 * 3600_000);
    const req = r.request(intentRow(r, 0));
    await r.clock.advance(5_000);
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.gateway.count('sendInlineResult')).toBe(1);
  });
});

describe('InlineStrategy resume: our recorded inline message still says "wait"', () => {
  it('waits for its edit only until the file timeout counted from when it was sent, then sends again', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 200_000 }]);
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    const sentAt = r.clock.now();
    await r.clock.advance(100_000);
    const req = r.request(fromSim(rain, { state: 'picked', pickedRow: RAIN_ROW, requestMessageId: ours.id, updatedAt: sentAt }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    const again = r.bot.actions().filter((a) => a.kind === 'sendInline');
    expect(again).toHaveLength(2);
    // Sent again when the first one's file timeout ran out, not a whole file timeout after the restart.
    expect(again[1]!.at - sentAt).toBeGreaterThanOrEqual(TIMEOUTS.fileMs);
    expect(again[1]!.at - sentAt).toBeLessThan(TIMEOUTS.fileMs + 5_000);
    // The first message still became the file while the second waited: that one is taken.
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
  });

  it('its edit comes within the file timeout → taken, nothing sent', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 110_000 }]);
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    const sentAt = r.clock.now();
    await r.clock.advance(100_000);
    const req = r.request(fromSim(rain, { state: 'picked', pickedRow: RAIN_ROW, requestMessageId: ours.id, updatedAt: sentAt }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id });
    expect(sends(r)).toBe(0);
  });

  it('a track already downloading from its inline message downloads it again from the chat, nothing sent', async () => {
    const r = await setup([rain]);
    const ours = sendInline(r, 'Kerri Chandler - Rain');
    await r.clock.advance(20_000);
    const req = r.request(
      fromSim(rain, { state: 'downloading', pickedRow: RAIN_ROW, requestMessageId: ours.id, fileMessageId: ours.id, updatedAt: r.clock.now() }),
    );
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id });
    expect(sends(r)).toBe(0);
  });
});

describe('InlineStrategy breadcrumbs', () => {
  it('writes the intent (sendingAfterId) right before the inline result goes out and its id right after', async () => {
    const r = await setup([rain, minus]);
    const known = await earlierTraffic(r);
    // The process has seen the chat up to `known` (another track's exchange).
    const other = r.request(fromSim(minus, { state: 'picked', pickedRow: MINUS_ROW, requestMessageId: known, updatedAt: r.clock.now() }));
    expectDownloaded(await r.run(r.acquirer.acquire(other)));
    const req = r.request(fromSim(rain));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    const intent = req.patches.findIndex((p) => typeof p.sendingAfterId === 'number');
    expect(req.patches[intent]).toEqual({ sendingAfterId: known });
    expect(req.patches[intent - 1]).toMatchObject({ state: 'picked', pickedRow: RAIN_ROW });
    expect(req.patches[intent + 1]).toEqual({ requestMessageId: out.receivedFile.messageId, sendingAfterId: null });
    expect(req.track.sendingAfterId).toBeNull();
  });
});

describe('InlineStrategy resume with INLINE_SEND_TO=saved: our inline message is looked for in Saved Messages', () => {
  const sendSaved = (r: Rig, query: string): BotMessage => r.bot.sendInlineResult(r.bot.inlineQuery(query)[0]!, 'saved');

  it('killed before its id was recorded: found in Saved Messages, adopted, its edit waited for, nothing sent again', async () => {
    rig = await makeRig([{ ...rain, fileDelayMs: 40_000 }, minus], { mode: 'inline', gateway: { inlineSendTo: 'saved' } });
    const r = rig;
    sendSaved(r, 'Robert Hood - Minus');
    await r.clock.advance(15_000);
    const known = Math.max(...r.bot.savedMessages().map((m) => m.id));
    const req = r.request(intentRow(r, known));
    const ours = sendSaved(r, 'Kerri Chandler - Rain');
    expect(r.bot.chatOf(ours.id)).toBe('saved');
    await r.clock.advance(2_000);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
    expect(sends(r)).toBe(0);
    expect(req.track.requestMessageId).toBe(ours.id);
    // The bot chat never held it: only Saved Messages did.
    expect(r.bot.history({ minId: 0, limit: 100 }).some((m) => m.id === ours.id)).toBe(false);
  });

  it('a fresh send goes to Saved Messages and its edit there brings the file', async () => {
    rig = await makeRig([rain], { mode: 'inline', gateway: { inlineSendTo: 'saved' } });
    const r = rig;
    const req = r.request(fromSim(rain));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(r.bot.chatOf(Number(out.receivedFile.messageId))).toBe('saved');
    expect(r.bot.history({ minId: 0, limit: 100 })).toEqual([]);
  });
});
