/**
 * Each reply class of lossless/reply-texts.ts, met by the chat strategy on the simulated bot:
 * what Crate does (outcome, stop, what it sends) for the texts we chose.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SafetyStopError, TurnLostError } from '../../src/domain/errors.js';
import type { AcquireOutcome } from '../../src/engine/ports.js';
import { memoryFirstContactStore } from '../../src/lossless/first-contact.js';
import type { SimOptions, SimTrack } from '../fakes/simulated-lossless/core.js';
import { expectDownloaded, fromSim, makeRig, TIMEOUTS, type Rig, type RigOptions } from './support.js';
import type { FakePacer } from '../fakes/fake-pacer.js';

const lady: SimTrack = {
  id: 'lady',
  spotifyId: 'LbXfI4vfvOl0plBizkWpd5',
  artists: ['Modjo'],
  title: 'Lady (Hear Me Tonight)',
  durationSec: 307,
  decoys: ['The Karaoke Channel - Lady (Hear Me Tonight) (In the Style of Modjo) [Karaoke Version] [5:03]'],
  rowIndex: 1,
};
const rain: SimTrack = { id: 'rain', spotifyId: '1ZbLAz3nDeeyUJyEdyTxgQ', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371 };
const minus: SimTrack = { id: 'minus', spotifyId: '2zUP5xkQz5mJj7D5m2vQdb', artists: ['Robert Hood'], title: 'Minus', durationSec: 276 };

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function setup(catalogue: SimTrack[], sim: Omit<SimOptions, 'catalogue' | 'clock'> = {}, options: RigOptions = {}): Promise<Rig> {
  rig = await makeRig(catalogue, { ...options, sim });
  return rig;
}

async function stopOf(p: Promise<unknown>): Promise<SafetyStopError> {
  const err = await p.then(
    (v) => new Error(`expected a stop, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
  if (!(err instanceof SafetyStopError)) throw err;
  return err;
}

const sends = (r: Rig) => r.bot.actions().filter((a) => a.kind === 'send').map((a) => a.detail);

describe('reply classes on the chat strategy', () => {
  it('interim: a "🔍 Ищу трек…" placeholder edited into the menu is followed to the file', async () => {
    const r = await setup([lady], { placeholder: { text: '🔍 Ищу трек…', as: 'edit' } });
    const out = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(lady)))));
    expect(out.pickedRow).toBe('Modjo - Lady (Hear Me Tonight) [5:07]');
    expect(sends(r)).toHaveLength(1);
  });

  it('interim: a placeholder followed by the menu as a new message', async () => {
    const r = await setup([lady], { placeholder: { text: 'Searching…', as: 'new' } });
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(lady)))));
    expect(sends(r)).toHaveLength(1);
  });

  it('interim: two tracks in flight, each with its own placeholder, each get their own menu', async () => {
    const r = await setup([lady, rain], { placeholder: { text: '🔍 Ищу трек…', as: 'new' } });
    const [a, b] = await r.run(Promise.all([r.acquirer.acquire(r.request(fromSim(lady))), r.acquirer.acquire(r.request(fromSim(rain)))]));
    expect(expectDownloaded(a!).receivedFile).toMatchObject({ title: 'Lady (Hear Me Tonight)' });
    expect(expectDownloaded(b!).receivedFile).toMatchObject({ title: 'Rain' });
  });

  it('wait: progress texts ("Скачиваю: 45%") after the quality click are waited through', async () => {
    const r = await setup([rain], { progress: ['Скачиваю: 0%', 'Скачиваю: 45%', 'Скачиваю: 90%'] });
    const out = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(out.receivedFile).toMatchObject({ title: 'Rain' });
  });

  it('not_found: a nothing-found photo that carries a button', async () => {
    const missing: SimTrack = { ...rain, notFound: true };
    const r = await setup([missing], { nothingFoundButton: { text: '🔎 Искать в другом источнике' } });
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(missing))));
    expect(out.kind).toBe('not_found');
    expect(sends(r)).toHaveLength(2);
    expect(r.gateway.count('clickButton')).toBe(0);
  });

  it('gate: a channel-subscription notice pauses the job with its links and what to do', async () => {
    const r = await setup([rain], {
      gate: {
        text: '⚠️ Для работы с ботом нужна подписка на наш канал.',
        buttons: [{ text: '➡️ Открыть канал', url: 'https://t.me/lossless_music' }, { text: '🔄 Проверить' }],
      },
    });
    const stop = await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(stop.signal).toBe('gate');
    expect(stop.message).toContain('подписка на наш канал');
    expect(stop.message).toContain('https://t.me/lossless_music');
    expect(stop.message).toMatch(/What to do: .*Resume/);
    expect(sends(r)).toHaveLength(1);
    expect(r.gateway.count('clickButton')).toBe(0);
  });

  it('gate in English, without buttons', async () => {
    const r = await setup([rain], { gate: { text: 'Please subscribe to our channel @lossless_news to use this bot.' } });
    expect((await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(rain)))))).signal).toBe('gate');
  });

  it('throttle with seconds: waits that long plus a margin, then asks again for that track', async () => {
    const r = await setup([rain]);
    r.bot.answerNextWith('Подождите 10 секунд перед следующим запросом');
    const req = r.request(fromSim(rain));
    expectDownloaded(await r.run(r.acquirer.acquire(req)));
    const asked = r.bot.actions().filter((a) => a.kind === 'send');
    expect(asked.map((a) => a.detail)).toEqual([asked[0]!.detail, asked[0]!.detail]);
    expect(asked[1]!.at - asked[0]!.at).toBeGreaterThanOrEqual(10_000 + 2_000);
    // The second request went through the pacer too.
    expect(r.pacer.calls.filter((c) => c.kind === 'message')).toHaveLength(2);
  });

  it('throttle without a number ("Слишком часто!") backs off before asking again', async () => {
    const r = await setup([rain]);
    r.bot.answerNextWith('Слишком часто! Не так быстро.');
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    const asked = r.bot.actions().filter((a) => a.kind === 'send');
    expect(asked).toHaveLength(2);
    expect(asked[1]!.at - asked[0]!.at).toBeGreaterThanOrEqual(30_000);
  });

  it('throttle that never ends: three waits, then the attempt fails (retryable), never a loop', async () => {
    const r = await setup([rain]);
    for (let i = 0; i < 10; i++) r.bot.answerNextWith('Please wait 5 seconds');
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out).toMatchObject({ kind: 'failed', retryable: true });
    expect(sends(r)).toHaveLength(4);
  });

  it.each([
    ['Трек ограничен правообладателем'],
    ['This track is not available in your region'],
    ['К сожалению, трек недоступен в вашей стране'],
  ])('unavailable: "%s" is not found for that track only (no stop, not asked by name)', async (text) => {
    const r = await setup([{ ...rain, restricted: text }, minus]);
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out.kind).toBe('not_found');
    expect((out as Extract<AcquireOutcome, { kind: 'not_found' }>).reason).toContain('not available');
    expect(sends(r)).toHaveLength(1);
    // The next track goes on as usual.
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(minus)))));
  });

  it('promo beside results (a button under the rows, a bare offer after the menu) is ignored', async () => {
    const r = await setup([lady], { promoBesideResults: true });
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(lady)))));
    expect(r.bot.actions().filter((a) => a.kind === 'click').every((a) => !a.detail.endsWith(':promo'))).toBe(true);
  });

  it('promo that replaces the result (a bare offer and nothing else) pauses after the reply timeout', async () => {
    const promoOnly = [{ text: '😎 Подключить Premium со скидкой', row: 0, column: 0, data: 'cHJvbW8=', url: null }];
    const r = await setup([rain], {}, { gateway: { rewriteEvent: (m) => ({ ...m, text: '', buttons: promoOnly }) } });
    const started = r.clock.now();
    const stop = await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(stop.signal).toBe('promo');
    expect(r.clock.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.replyMs);
  });

  it('promo with its "limit spent" text pauses at once (quota)', async () => {
    const r = await setup([rain], { promo: { afterRequests: 0 } });
    expect((await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(rain)))))).signal).toBe('promo');
  });

  it('quota and ban texts pause the job', async () => {
    const r = await setup([{ ...rain, replyText: 'Вы исчерпали дневной лимит запросов' }, { ...minus, replyText: 'Вы заблокированы за спам' }]);
    expect((await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(rain)))))).signal).toBe('quota');
    expect((await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(minus)))))).signal).toBe('restricted');
  });

  it('unknown: an unreadable reply is waited out, then the attempt fails saying what the bot sent', async () => {
    const r = await setup([{ ...rain, replyText: 'Сервис временно на техобслуживании 🛠' }]);
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out).toMatchObject({ kind: 'failed', retryable: true });
    expect((out as Extract<AcquireOutcome, { kind: 'failed' }>).reason).toContain('техобслуживании');
    // Not asked by name as well: an unknown reply says nothing about the track.
    expect(sends(r)).toHaveLength(1);
  });

  it('unknown: the same reply for 3 tracks in a row pauses the job with the reply verbatim', async () => {
    const text = 'Сервис временно на техобслуживании 🛠';
    const catalogue = [rain, minus, lady].map((t) => ({ ...t, replyText: text }));
    const r = await setup(catalogue);
    const first = await r.run(r.acquirer.acquire(r.request(fromSim(catalogue[0]!))));
    const second = await r.run(r.acquirer.acquire(r.request(fromSim(catalogue[1]!))));
    expect([first.kind, second.kind]).toEqual(['failed', 'failed']);
    const stop = await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(catalogue[2]!)))));
    expect(stop.signal).toBe('unknown_reply');
    expect(stop.message).toContain(`text «${text}»`);
    expect(stop.message).toContain('no buttons; media: none');
    expect(stop.message).toContain('Crate was waiting for the search results for "https://open.spotify.com/track/LbXfI4vfvOl0plBizkWpd5"');
  });

  it('unknown: a track that ends otherwise in between starts the count again', async () => {
    const text = 'Бот на обновлении';
    const r = await setup([{ ...rain, replyText: text }, { ...lady, replyText: text }, minus]);
    for (const t of [rain, lady]) expect((await r.run(r.acquirer.acquire(r.request(fromSim(t))))).kind).toBe('failed');
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(minus)))));
    for (const t of [rain, lady]) expect((await r.run(r.acquirer.acquire(r.request(fromSim(t))))).kind).toBe('failed');
  });

  it('toast: a throttle toast on the quality click waits and presses again', async () => {
    const r = await setup([rain]);
    let toasts = 0;
    const click = r.gateway.clickButton.bind(r.gateway);
    r.gateway.clickButton = async (id, data) => {
      const answer = await click(id, data);
      if (answer.message === 'Загрузка началась' && toasts++ === 0) return { message: 'Подождите 5 секунд' };
      return answer;
    };
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    const quality = r.bot.actions().filter((a) => a.kind === 'click' && a.detail.endsWith(':high'));
    expect(quality).toHaveLength(2);
    expect(quality[1]!.at - quality[0]!.at).toBeGreaterThanOrEqual(5_000);
  });

  it('toast: "not available" on a row press is not found for that track', async () => {
    const r = await setup([rain]);
    r.gateway.clickButton = async () => ({ message: 'Трек недоступен в вашем регионе' });
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out.kind).toBe('not_found');
  });
});

describe('first contact', () => {
  it('sends /start once before the first request, reads the greeting, and never again', async () => {
    const store = memoryFirstContactStore();
    const r = await setup([rain, minus], {}, { firstContact: store });
    await r.run(Promise.all([r.acquirer.acquire(r.request(fromSim(rain))), r.acquirer.acquire(r.request(fromSim(minus)))]));
    expect(sends(r)[0]).toBe('/start');
    expect(sends(r).filter((s) => s === '/start')).toHaveLength(1);
    expect(store.read()).toMatchObject({ state: 'sent', answerKind: 'unknown' });
    expect(store.read()!.answer).toContain('Здравствуйте');
    expect(r.pacer.calls[0]).toMatchObject({ kind: 'message' });
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(sends(r).filter((s) => s === '/start')).toHaveLength(1);
  });

  it('a /start turn the pacer gave up did not go out: it stays to be sent, once', async () => {
    const store = memoryFirstContactStore();
    const r = await setup([rain], {}, { firstContact: store });
    let refuse = true;
    const pacer = r.pacer as FakePacer & { sending?: (kind: string) => void };
    pacer.sending = () => {
      if (!refuse) return;
      refuse = false;
      throw new TurnLostError('Not sent to the bot: held up 4 s between its turn and the send');
    };
    await expect(r.run(r.acquirer.acquire(r.request(fromSim(rain))))).rejects.toBeInstanceOf(TurnLostError);
    expect(sends(r)).toEqual([]);
    expect(store.read()).toBeNull();
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(sends(r).filter((s) => s === '/start')).toHaveLength(1);
    expect(store.read()).toMatchObject({ state: 'sent' });
  });

  it('a gate in the answer to /start pauses before any track is asked for', async () => {
    const store = memoryFirstContactStore();
    const r = await setup([rain], { gate: { text: 'Чтобы пользоваться ботом, подпишитесь на @lossless_music' } }, { firstContact: store });
    const stop = await stopOf(r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(stop.signal).toBe('gate');
    expect(sends(r)).toEqual(['/start']);
    expect(store.read()).toMatchObject({ state: 'sent', answerKind: 'gate' });
    // Resumed after the owner subscribed: no second /start, the track is asked for.
    r.bot.setGate(null);
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(rain)))));
    expect(sends(r).filter((s) => s === '/start')).toHaveLength(1);
  });
});

describe('only our own exchanges', () => {
  const fixed = { latencyMs: { reply: [500, 500] as [number, number], file: [3_000, 3_000] as [number, number] } };

  it('the owner asks by hand just before Crate: the bot answers the owner first, Crate takes only its own menu', async () => {
    const r = await setup([lady, rain], fixed);
    const acquiring = r.acquirer.acquire(r.request(fromSim(lady)));
    // The owner's request (a link: it tells nothing about its track) goes out first.
    const theirs = r.bot.ownerSends('https://open.spotify.com/track/1ZbLAz3nDeeyUJyEdyTxgQ');
    const out = expectDownloaded(await r.run(acquiring));
    expect(out.receivedFile).toMatchObject({ title: 'Lady (Hear Me Tonight)' });
    // Crate never pressed a button of the owner's menu (the first bot message after their request).
    const ownerMenu = theirs.id + 1;
    expect(r.bot.actions().filter((a) => a.kind === 'click').every((a) => !a.detail.startsWith(`${ownerMenu}:`))).toBe(true);
    // Its own menu came: no second request by name (as when the owner's menu was taken for "nothing fits").
    expect(sends(r)).toHaveLength(1);
  });

  it('the owner downloads another track by hand during a job: none of it feeds a Crate track', async () => {
    const r = await setup([lady, rain], fixed);
    const acquiring = r.acquirer.acquire(r.request(fromSim(lady)));
    const theirs = r.bot.ownerSends('Kerri Chandler - Rain');
    // The owner presses their own row and quality, by hand, once their menu is there.
    const ownerFlow = (async () => {
      await r.clock.sleep(1_000);
      const menu = r.bot.history({ minId: theirs.id, limit: 10 }).find((m) => !m.out && m.buttons.some((b) => b.text.includes('Rain')))!;
      r.bot.ownerClicks(menu.id, menu.buttons.find((b) => b.text.includes('Rain'))!.data!);
      await r.clock.sleep(1_000);
      const quality = r.bot.getMessages([menu.id])[0]!;
      r.bot.ownerClicks(menu.id, quality.buttons.find((b) => b.text.includes('High'))!.data!);
    })();
    const [out] = await r.run(Promise.all([acquiring, ownerFlow]));
    expect(expectDownloaded(out).receivedFile).toMatchObject({ title: 'Lady (Hear Me Tonight)' });
    const crateClicks = r.bot.actions().filter((a) => a.kind === 'click');
    expect(crateClicks).toHaveLength(2);
    expect(r.bot.deliveries().map((d) => d.trackId).sort()).toEqual(['lady', 'rain']);
  });

  it('a Crate request for a track whose menu is late is not answered with the owner\'s menu', async () => {
    // The owner's "Artist - Title" names their track: a menu about it goes to them even when it
    // comes while Crate waits.
    const r = await setup([lady, { ...rain }], fixed);
    const acquiring = r.acquirer.acquire(r.request(fromSim(lady)));
    r.bot.ownerSends('Kerri Chandler - Rain');
    expectDownloaded(await r.run(acquiring));
    expect(sends(r)).toHaveLength(1);
  });
});

describe('inline mode: the result\'s own keyboard and text', () => {
  it('a result that is a document still showing the wait button is waiting, not done', async () => {
    const track: SimTrack = { ...rain, inline: 'pending-document' };
    const r = await setup([track], {}, { mode: 'inline' });
    const out = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(track)))));
    // The real file (6:11), not the 30-second stand-in the sent message first carried.
    expect(out.receivedFile).toMatchObject({ title: 'Rain', durationSec: 371 });
  });

  it('a result whose message says it is pending is waited for', async () => {
    const track: SimTrack = { ...rain, inline: 'pending-text' };
    const r = await setup([track], {}, { mode: 'inline' });
    expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(track)))));
  });

  it('"FLAC" marks the real file: an MP3 result listed first is never sent', async () => {
    const track: SimTrack = { ...rain, inline: 'document', inlineMp3: true };
    const r = await setup([track], {}, { mode: 'inline' });
    const out = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(track)))));
    expect(out.receivedFile).toMatchObject({ mimeType: 'audio/flac' });
    expect(r.bot.actions().filter((a) => a.kind === 'sendInline').map((a) => a.detail)).toEqual([expect.stringMatching(/\/rain$/)]);
  });
});
