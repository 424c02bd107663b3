import { afterEach, describe, expect, it } from 'vitest';
import type { BotButton, BotMessage, DocumentFacts, IncomingHandler, TelegramGateway } from '../../src/domain/telegram.js';
import { silentLogger } from '../../src/logger.js';
import { createMatcher } from '../../src/lossless/default-matcher.js';
import { relatedness, ReplyRouter, type Conversation, type Routed } from '../../src/lossless/reply-router.js';
import { FakeClock } from '../fakes/fake-clock.js';

/** A chat we script by hand: messages appear when the test says so. */
class ScriptedChat implements Pick<TelegramGateway, 'onMessage' | 'history' | 'getMessages'> {
  readonly messages = new Map<number, BotMessage>();
  private readonly handlers = new Set<IncomingHandler>();
  private nextId = 100;
  historyCalls = 0;

  onMessage(handler: IncomingHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async history({ minId, limit }: { minId: number; limit: number }): Promise<BotMessage[]> {
    this.historyCalls++;
    return [...this.messages.values()].filter((m) => m.id > minId).slice(0, limit);
  }

  async getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    return ids.map((id) => this.messages.get(id) ?? null);
  }

  /** Our own message (no event, as in Telegram). */
  ours(text: string): BotMessage {
    const m = message({ id: this.nextId++, out: true, text });
    this.messages.set(m.id, m);
    return m;
  }

  /** A bot message; `announce: false` = the update is missed. */
  bot(partial: Partial<BotMessage>, announce = true): BotMessage {
    const m = message({ id: this.nextId++, ...partial });
    this.messages.set(m.id, m);
    if (announce) for (const h of this.handlers) h(m, 'new');
    return m;
  }

  edit(id: number, partial: Partial<BotMessage>): BotMessage {
    const m = { ...this.messages.get(id)!, ...partial, editDate: (this.messages.get(id)!.editDate ?? 0) + 1 };
    this.messages.set(id, m);
    for (const h of this.handlers) h(m, 'edited');
    return m;
  }

  /** Re-sends the same version of a message as a new event (duplicate update). */
  replay(id: number): void {
    for (const h of this.handlers) h(this.messages.get(id)!, 'new');
  }
}

function message(partial: Partial<BotMessage> & { id: number }): BotMessage {
  return { date: 0, editDate: null, out: false, text: '', buttons: [], media: 'none', document: null, replyToMessageId: null, ...partial };
}

function menu(...rows: string[]): Partial<BotMessage> {
  const buttons: BotButton[] = rows.map((text, i) => ({ text, row: i, column: 0, data: `r${i}`, url: null }));
  buttons.push({ text: '1 / 1', row: rows.length, column: 0, data: 'n', url: null });
  return { text: 'Результаты поиска', buttons };
}

function doc(performer: string, title: string, durationSec: number): Partial<BotMessage> {
  const document: DocumentFacts = {
    id: `${performer}-${title}`,
    fileName: `${performer} - ${title}.flac`,
    mimeType: 'audio/flac',
    size: 1000,
    performer,
    title,
    durationSec,
  };
  return { media: 'document', document };
}

const quality: Partial<BotMessage> = {
  buttons: ['📼 Low', 'High (16bit) 💿', '📀 Max (До 24bit/192kHz) ✅', '← Назад'].map((text, i) => ({ text, row: i, column: 0, data: `q${i}`, url: null })),
};

const rain = { artists: ['Kerri Chandler'], title: 'Rain', album: null, durationMs: 371_000, isrc: null, position: 1, spotifyId: null, releaseYear: null };
const minus = { ...rain, artists: ['Robert Hood'], title: 'Minus', durationMs: 276_000 };
const krovi = { ...rain, artists: ['Kino'], title: 'Gruppa Krovi', durationMs: 283_000 };

let chat: ScriptedChat;
let router: ReplyRouter;
let clock: FakeClock;
afterEach(() => router?.stop());

function setup(pollIntervalMs = 0): void {
  chat = new ScriptedChat();
  clock = new FakeClock();
  router = new ReplyRouter(chat as unknown as TelegramGateway, { logger: silentLogger(), matcher: createMatcher(), pollIntervalMs, clock });
}

/** Opens a conversation that has sent its request. */
function asked(track: typeof rain): Conversation {
  const conv = router.open(track);
  conv.expect('request', 0);
  const sent = chat.ours(`${track.artists[0]} - ${track.title}`);
  conv.sent(sent.id);
  conv.expectation!.afterId = sent.id;
  return conv;
}

const signal = new AbortController().signal;
const next = (c: Conversation): Promise<Routed> => clock.run(c.next({ timeoutMs: 1000, signal }));

describe('ReplyRouter', () => {
  it('gives menus to requests in the order they asked, when the words do not tell', async () => {
    setup();
    const a = asked(rain);
    const b = asked(minus);
    const m1 = chat.bot(menu('Somebody - Something [3:00]'));
    const m2 = chat.bot(menu('Else - Entirely [4:00]'));
    expect((await next(a)).message.id).toBe(m1.id);
    expect((await next(b)).message.id).toBe(m2.id);
  });

  it('gives a menu to the request it is about, even out of order', async () => {
    setup();
    const a = asked(rain);
    const b = asked(minus);
    const mb = chat.bot(menu('Robert Hood - Minus [4:36]'));
    const ma = chat.bot(menu('Kerri Chandler - Rain [6:11]'));
    expect((await next(a)).message.id).toBe(ma.id);
    expect((await next(b)).message.id).toBe(mb.id);
  });

  it('a reply quoting our request goes to that request', async () => {
    setup();
    const a = asked(rain);
    const b = asked(minus);
    const quoted = chat.bot({ ...menu('Unrelated - Row [3:00]'), replyToMessageId: [...b.sentIds][0]! });
    expect((await next(b)).message.id).toBe(quoted.id);
    await expect(next(a)).rejects.toThrow(/no reply/);
  });

  it('edits of a menu go to its owner; a stray quality menu goes to nobody waiting for a menu', async () => {
    setup();
    const a = asked(rain);
    const m = chat.bot(menu('Kerri Chandler - Rain [6:11]'));
    expect((await next(a)).message.id).toBe(m.id);
    const b = asked(minus);
    a.expect('row', m.id);
    chat.edit(m.id, quality);
    const edited = await next(a);
    expect(edited.reply.kind).toBe('quality');
    chat.bot(quality);
    await expect(next(b)).rejects.toThrow(/no reply/);
  });

  it('attributes documents by content across all requests, never first-come; strays are not taken', async () => {
    setup();
    const a = asked(rain);
    const b = asked(minus);
    const c = asked(krovi);
    const stray = chat.bot(doc('Daft Punk', 'Around the World', 429));
    const fc = chat.bot(doc('Kino', 'Gruppa Krovi', 283));
    const fb = chat.bot(doc('Robert Hood', 'Minus', 276));
    const fa = chat.bot(doc('Kerri Chandler', 'Rain', 371));
    expect((await next(a)).message.id).toBe(fa.id);
    expect((await next(b)).message.id).toBe(fb.id);
    expect((await next(c)).message.id).toBe(fc.id);
    expect([fa, fb, fc].map((f) => f.id)).not.toContain(stray.id);
  });

  it('a file that came before its request was known is claimed when the request goes out', async () => {
    setup();
    router.start();
    const early = chat.bot(doc('Kerri Chandler', 'Rain', 371));
    const a = asked(rain);
    expect((await next(a)).message.id).toBe(early.id);
  });

  it('a late menu of a request that gave up is not given to the next request', async () => {
    setup();
    const a = asked(rain);
    await expect(next(a)).rejects.toThrow(/no reply/);
    a.close();
    const b = asked(minus);
    chat.bot(menu('Kerri Chandler - Rain [6:11]'));
    const mb = chat.bot(menu('Robert Hood - Minus [4:36]'));
    expect((await next(b)).message.id).toBe(mb.id);
  });

  it('delivers each version of a message once, however many times it is announced', async () => {
    setup();
    const a = asked(rain);
    const m = chat.bot(menu('Kerri Chandler - Rain [6:11]'));
    chat.replay(m.id);
    expect((await next(a)).message.id).toBe(m.id);
    a.expect('row', m.id);
    await expect(next(a)).rejects.toThrow(/no reply/);
  });

  it('never goes back to an older version: a poll read before an edit does not replay the menu', async () => {
    setup();
    const a = asked(rain);
    const original = chat.bot(menu('Kerri Chandler - Rain [6:11]'));
    expect((await next(a)).reply.kind).toBe('menu');
    a.expect('row', original.id);
    chat.edit(original.id, quality);
    expect((await next(a)).reply.kind).toBe('quality');
    // The quality was chosen; then a poll that had read the chat before the edit reports the menu.
    router.ingest(original, 'edited');
    await expect(next(a)).rejects.toThrow(/no reply/);
  });

  it('polls the chat for messages whose update never came', async () => {
    setup(200);
    const a = asked(rain);
    const m = chat.bot(menu('Kerri Chandler - Rain [6:11]'), false);
    const got = await clock.run(a.next({ timeoutMs: 5_000, signal }));
    expect(got.message.id).toBe(m.id);
    expect(chat.historyCalls).toBeGreaterThan(0);
    a.close();
  });

  it('claims files from history globally on resume', async () => {
    setup();
    const b = asked(minus);
    const resumed = router.open(rain);
    resumed.wantFile();
    const fb = chat.bot(doc('Robert Hood', 'Minus', 276), false);
    const fa = chat.bot(doc('Kerri Chandler', 'Rain', 371), false);
    const found = router.claimFromHistory(resumed, [fb, fa]);
    expect(found?.message.id).toBe(fa.id);
    expect((await next(b)).message.id).toBe(fb.id);
  });

  it('after a restart, a menu a track resumed from by id is not handed to it again by later history reads', async () => {
    setup();
    const a = router.open(rain);
    a.wantFile();
    const m = chat.bot({ ...quality, text: 'Kerri Chandler - Rain' }, false);
    // The resume read the menu by id and acts on it; it owns it from now on.
    a.own(m.id);
    a.handledAlready(m);
    // Other tracks read the same stretch of chat, each in turn: the same version again, twice.
    router.claimFromHistory(router.open(minus), [m]);
    router.claimFromHistory(router.open(krovi), [m]);
    await expect(clock.run(a.next({ timeoutMs: 1000, signal }))).rejects.toThrow(/no reply/);
    // A real edit of it is news.
    const edited = chat.edit(m.id, { text: 'Загрузка началась' });
    expect((await next(a)).message).toEqual(edited);
  });

  it('keeps its table of closed conversations\' messages at its cap however many tracks pass (each retires several messages)', () => {
    setup();
    for (let i = 0; i < 3000; i++) {
      const conv = router.open({ ...rain, title: `Rain ${i}` });
      conv.sent(chat.ours(`Kerri Chandler - Rain ${i}`).id);
      conv.own(chat.bot(menu(`Kerri Chandler - Rain ${i} [6:11]`), false).id);
      conv.own(chat.bot(doc('Kerri Chandler', `Rain ${i}`, 371), false).id);
      conv.close();
    }
    const sizes = router.debugSizes();
    expect(sizes.retired).toBe(5000);
    expect(sizes.conversations).toBe(0);
  });

  it('relatedness: share of the track words found in the rows', () => {
    expect(relatedness(rain, ['Kerri Chandler - Rain [6:11]'])).toBe(1);
    expect(relatedness(rain, ['Robert Hood - Minus [4:36]'])).toBe(0);
    expect(relatedness({ artists: ['Róisín Murphy'], title: 'Overpowered' }, ['Roisin Murphy - Overpowered [4:38]'])).toBe(1);
  });
});
