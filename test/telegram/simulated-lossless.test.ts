import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import type { BotMessage } from '../../src/domain/telegram.js';
import {
  DOWNLOAD_PAGE_BUTTON,
  PROMO_BUTTON,
  QUALITY_BUTTONS,
  SimFloodWait,
  SimulatedLosslessBot,
  WAIT_BUTTON,
  type SimOptions,
  type SimTrack,
} from '../fakes/simulated-lossless/core.js';
import { ManualScheduler } from '../fakes/simulated-lossless/scheduler.js';

const satisfaction: SimTrack = {
  id: 'sat',
  spotifyId: '3jxOBaXqm1JzsC2UkIHgIq',
  artists: ['Benny Benassi'],
  title: 'Satisfaction',
  durationSec: 285,
  isrc: 'ITA000300005',
  decoys: [
    'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]',
    'Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]',
    'Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [2:23]',
    'Hit Crew - Satisfaction (Made Famous by Benny Benassi)',
    'Party Hits - Satisfaction (Benny Benassi Tribute) [4:45]',
    'DJ Test - Satisfaction (Extended Mix) [6:01]',
  ],
  rowIndex: 2,
};
const hidden: SimTrack = { id: 'nf', spotifyId: 'nothing000000000000000', artists: ['Nobody'], title: 'Unknown', durationSec: 100, notFound: true };
const mute: SimTrack = { id: 'mute', artists: ['Silent'], title: 'Track', durationSec: 100, silent: true };
const inlineDirect: SimTrack = { id: 'direct', artists: ['Daft Punk'], title: 'One More Time', durationSec: 320, inline: 'document' };
const wrong: SimTrack = { id: 'wrong', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 400, wrongFile: true };

function rig(extra: Partial<SimOptions> = {}) {
  const clock = new ManualScheduler();
  const bot = new SimulatedLosslessBot({
    catalogue: [satisfaction, hidden, mute, inlineDirect, wrong],
    clock,
    latencyMs: { reply: [100, 300], file: [1000, 3000] },
    seed: 5,
    ...extra,
  });
  const events: { message: BotMessage; kind: 'new' | 'edited' }[] = [];
  bot.onMessage((message, kind) => events.push({ message, kind }));
  const texts = (m: BotMessage) => m.buttons.map((b) => b.text);
  const find = (m: BotMessage, text: string) => m.buttons.find((b) => b.text === text)!;
  return { clock, bot, events, texts, find };
}

describe('SimulatedLosslessBot', () => {
  it('answers a track link with a paged menu of rows and decoys, then quality menu, then the file', async () => {
    const { clock, bot, events, texts, find } = rig();
    const ours = bot.sendText(`https://open.spotify.com/intl-de/track/${satisfaction.spotifyId}?si=x`);
    expect(ours.out).toBe(true);
    expect(events).toHaveLength(0);
    await clock.advance(300);
    expect(events).toHaveLength(1);
    const menu = events[0]!.message;
    expect(events[0]!.kind).toBe('new');
    expect(menu.id).toBeGreaterThan(ours.id);
    expect(texts(menu)).toEqual([
      'Benny Benassi - Satisfaction (RL Grime Remix) [4:19]',
      'Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]',
      'Benny Benassi - Satisfaction [4:45]',
      'Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [2:23]',
      'Hit Crew - Satisfaction (Made Famous by Benny Benassi) [4:45]',
      '◉',
      '1 / 2',
      '→',
      DOWNLOAD_PAGE_BUTTON,
    ]);
    expect(menu.buttons.map((b) => [b.row, b.column])).toEqual([
      [0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [5, 1], [5, 2], [6, 0],
    ]);
    expect(Buffer.from(menu.buttons[0]!.data!, 'base64').length).toBeGreaterThan(0);

    // → edits the same message into page 2
    bot.clickButton(menu.id, find(menu, '→').data!);
    await clock.advance(300);
    const page2 = events[1]!;
    expect(page2.kind).toBe('edited');
    expect(page2.message.id).toBe(menu.id);
    expect(page2.message.editDate).not.toBeNull();
    expect(texts(page2.message)).toEqual([
      'Party Hits - Satisfaction (Benny Benassi Tribute) [4:45]',
      'DJ Test - Satisfaction (Extended Mix) [6:01]',
      '←',
      '2 / 2',
      '◉',
      DOWNLOAD_PAGE_BUTTON,
    ]);
    // Stale buttons of page 1 no longer work.
    expect(bot.clickButton(menu.id, find(menu, 'Benny Benassi - Satisfaction [4:45]').data!).message).toBe('Кнопка устарела');

    bot.clickButton(menu.id, find(page2.message, '←').data!);
    await clock.advance(300);
    const back = events[2]!.message;
    bot.clickButton(menu.id, find(back, 'Benny Benassi - Satisfaction [4:45]').data!);
    await clock.advance(300);
    const quality = events[3]!.message;
    expect(events[3]!.kind).toBe('edited');
    expect(texts(quality)).toEqual([QUALITY_BUTTONS.low, QUALITY_BUTTONS.high, QUALITY_BUTTONS.max, QUALITY_BUTTONS.back]);

    bot.clickButton(menu.id, find(quality, QUALITY_BUTTONS.high).data!);
    await clock.advance(999);
    expect(events).toHaveLength(4);
    await clock.advance(2001);
    const file = events[4]!.message;
    expect(file.media).toBe('document');
    expect(file.document).toMatchObject({
      fileName: 'Benny Benassi - Satisfaction.flac',
      mimeType: 'audio/flac',
      performer: 'Benny Benassi',
      title: 'Satisfaction',
      durationSec: 285,
    });
    const bytes = bot.documentBytes(file.document!.id, 0, file.document!.size);
    expect(bytes.length).toBe(file.document!.size);
    const meta = await parseBuffer(bytes, { mimeType: 'audio/flac' });
    expect(meta.common.artist).toBe('Benny Benassi');
    expect(meta.common.isrc).toEqual(['ITA000300005']);
    expect(meta.format.duration).toBeCloseTo(285, 3);
    expect(bot.deliveries()).toEqual([
      expect.objectContaining({ messageId: file.id, requestMessageId: ours.id, trackId: 'sat', kind: 'requested' }),
    ]);
  });

  it('a decoy row delivers the decoy recording; "download page" sends every row of the page', async () => {
    const { clock, bot, events, find } = rig({ qualityMenuAs: 'new' });
    bot.sendText('Benny Benassi - Satisfaction');
    await clock.advance(300);
    const menu = events[0]!.message;
    bot.clickButton(menu.id, find(menu, 'Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]').data!);
    await clock.advance(300);
    expect(events[1]!.kind).toBe('new'); // quality menu as a new message here
    bot.clickButton(events[1]!.message.id, find(events[1]!.message, QUALITY_BUTTONS.max).data!);
    bot.clickButton(menu.id, find(menu, DOWNLOAD_PAGE_BUTTON).data!);
    await clock.runAll();
    const files = events.filter((e) => e.message.media === 'document').map((e) => e.message.document!);
    expect(files).toHaveLength(6);
    expect(files.map((f) => f.performer)).toContain('Alon Renser');
    const cover = files.find((f) => f.title === 'Satisfaction (Benny Benassi Cover)')!;
    expect(cover.durationSec).toBe(232);
  });

  it('nothing found is a photo without keyboard; silent tracks get no answer at all', async () => {
    const { clock, bot, events } = rig();
    bot.sendText(`https://open.spotify.com/track/${hidden.spotifyId}`);
    bot.sendText('https://open.spotify.com/track/unknownunknownunknown00');
    bot.sendText('Silent - Track');
    await clock.runAll();
    expect(events.map((e) => [e.message.media, e.message.buttons.length])).toEqual([
      ['photo', 0],
      ['photo', 0],
    ]);
    bot.setSilent(true);
    bot.sendText('Benny Benassi - Satisfaction');
    await clock.runAll();
    expect(events).toHaveLength(2);
  });

  it('premium promo after N searches: a lone button', async () => {
    const { clock, bot, events, texts } = rig({ promo: { afterRequests: 2 } });
    for (let i = 0; i < 3; i++) bot.sendText('Benny Benassi - Satisfaction');
    await clock.runAll();
    expect(events).toHaveLength(3);
    const promo = events.find((e) => e.message.buttons.length === 1)!.message;
    expect(texts(promo)).toEqual([PROMO_BUTTON]);
  });

  it('promo for a given track at the quality click', async () => {
    const { clock, bot, events, texts, find } = rig({ promo: { trackIds: ['sat'], on: 'quality' } });
    bot.sendText('Benny Benassi - Satisfaction');
    await clock.runAll();
    const menu = events[0]!.message;
    bot.clickButton(menu.id, find(menu, 'Benny Benassi - Satisfaction [4:45]').data!);
    await clock.runAll();
    bot.clickButton(menu.id, find(events[1]!.message, QUALITY_BUTTONS.high).data!);
    await clock.runAll();
    expect(texts(events[2]!.message)).toEqual([PROMO_BUTTON]);
    expect(events.some((e) => e.message.media === 'document')).toBe(false);
  });

  it('late, out-of-order, unsolicited and wrong files', async () => {
    const { clock, bot, events, find } = rig();
    bot.sendText('Kerri Chandler - Rain');
    await clock.runAll();
    const menu = events[0]!.message;
    bot.clickButton(menu.id, find(menu, 'Kerri Chandler - Rain [6:40]').data!);
    await clock.runAll();
    bot.clickButton(menu.id, find(events[1]!.message, QUALITY_BUTTONS.high).data!);
    bot.sendUnsolicitedFile({ artist: 'Someone', title: 'Else', durationSec: 200 }, 10);
    bot.sendFileFor('sat', 5000);
    await clock.runAll();
    const docs = events.filter((e) => e.message.document).map((e) => e.message.document!);
    expect(docs.map((d) => d.performer)).toEqual(['Someone', 'Ameritz Countdown Karaoke', 'Benny Benassi']);
    expect(bot.deliveries().map((d) => d.kind)).toEqual(['unsolicited', 'wrong', 'requested']);
  });

  it('inline mode: direct documents and wait messages edited into the document', async () => {
    const { clock, bot, events, texts } = rig();
    const direct = bot.inlineQuery('Daft Punk - One More Time');
    expect(direct).toHaveLength(1);
    expect(direct[0]!.document).toMatchObject({ performer: 'Daft Punk', mimeType: 'audio/flac' });
    const sentDirect = bot.sendInlineResult(direct[0]!);
    expect(sentDirect.media).toBe('document');
    expect(sentDirect.document!.id).toBe(direct[0]!.document!.id);

    const deferred = bot.inlineQuery('Benny Benassi - Satisfaction');
    expect(deferred[0]!.document).toBeNull();
    const ours = bot.sendInlineResult(deferred[0]!);
    expect(ours.out).toBe(true);
    expect(texts(ours)).toEqual([WAIT_BUTTON]);
    await clock.runAll();
    const edited = events.find((e) => e.kind === 'edited')!;
    expect(edited.message.id).toBe(ours.id);
    expect(edited.message.media).toBe('document');
    expect(edited.message.buttons).toEqual([]);
    expect(bot.getMessages([ours.id])[0]!.document!.title).toBe('Satisfaction');
    expect(bot.inlineQuery('Nobody - Unknown')).toEqual([]);
  });

  it('flood wait on demand, and a log of every user action with its time', async () => {
    const { clock, bot } = rig();
    bot.sendText('Benny Benassi - Satisfaction');
    await clock.advance(2500);
    bot.floodOnNext(33);
    expect(() => bot.sendText('again')).toThrow(SimFloodWait);
    await clock.advance(2500);
    bot.inlineQuery('x');
    expect(bot.actions().map((a) => [a.kind, a.flooded])).toEqual([
      ['send', false],
      ['send', true],
      ['inline', false],
    ]);
    const at = bot.actions().map((a) => a.at);
    expect(at[1]! - at[0]!).toBe(2500);
    expect(at[2]! - at[1]!).toBe(2500);
  });

  it('history and getMessages see the whole chat, oldest first', async () => {
    const { clock, bot } = rig();
    bot.sendText('Benny Benassi - Satisfaction');
    bot.sendText('Nobody - Unknown');
    await clock.runAll();
    const all = bot.history({ minId: 0, limit: 10 });
    expect(all.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(all.map((m) => m.out)).toEqual([true, true, false, false]);
    expect(bot.history({ minId: 2, limit: 1 }).map((m) => m.id)).toEqual([3]);
    expect(bot.getMessages([4, 99]).map((m) => m?.id ?? null)).toEqual([4, null]);
  });
});
