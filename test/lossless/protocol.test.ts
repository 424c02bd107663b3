import { describe, expect, it } from 'vitest';
import type { BotButton, BotMessage, DocumentFacts } from '../../src/domain/telegram.js';
import { classifyCallbackAnswer, classifyReply, documentLabel, formatDuration, readToast } from '../../src/lossless/protocol.js';

function btn(text: string, row: number, column = 0, data: string | null = `d${row}.${column}`): BotButton {
  return { text, row, column, data, url: null };
}

function msg(partial: Partial<BotMessage>): BotMessage {
  return { id: 10, date: 0, editDate: null, out: false, text: '', buttons: [], media: 'none', document: null, replyToMessageId: null, ...partial };
}

const flac: DocumentFacts = {
  id: '1',
  fileName: 'Benny Benassi - Satisfaction.flac',
  mimeType: 'audio/flac',
  size: 45_000_000,
  performer: 'Benny Benassi',
  title: 'Satisfaction',
  durationSec: 285,
};

const realMenu = [
  btn('Benny Benassi - Satisfaction [4:45]', 0),
  btn('Benny Benassi - Satisfaction (RL Grime Remix) [4:19]', 1),
  btn('Alon Renser - Satisfaction (Benny Benassi Cover) [3:52]', 2),
  btn('Ameritz Countdown Karaoke - Satisfaction (In the Style of Benny Benassi) [Karaoke Version] [2:23]', 3),
  btn('◉', 4, 0),
  btn('1 / 16', 4, 1),
  btn('→', 4, 2),
  btn('💾 Скачать страницу', 5),
];

const qualityButtons = [btn('📼 Low', 0), btn('High (16bit) 💿', 1), btn('📀 Max (До 24bit/192kHz) ✅', 2), btn('← Назад', 3)];

describe('classifyReply', () => {
  const table: { name: string; message: BotMessage; kind: string; check?: (r: any) => void }[] = [
    {
      name: 'search-results menu with paging and download-page rows',
      message: msg({ text: 'Результаты поиска', buttons: realMenu }),
      kind: 'menu',
      check: (r) => {
        expect(r.trackIndexes).toEqual([0, 1, 2, 3]);
        expect(r.next?.text).toBe('→');
        expect(r.prev).toBeNull();
        expect(r.page).toEqual({ current: 1, total: 16 });
        expect(r.downloadPage?.text).toBe('💾 Скачать страницу');
      },
    },
    {
      name: 'menu buttons given out of order are read row by row',
      message: msg({ buttons: [...realMenu].reverse() }),
      kind: 'menu',
      check: (r) => expect(r.buttons[0].text).toBe('Benny Benassi - Satisfaction [4:45]'),
    },
    {
      name: 'last page: back arrow, no next',
      message: msg({ buttons: [btn('X - Y [3:00]', 0), btn('←', 1, 0), btn('2 / 2', 1, 1), btn('◉', 1, 2), btn('💾 Скачать страницу', 2)] }),
      kind: 'menu',
      check: (r) => {
        expect(r.next).toBeNull();
        expect(r.prev?.text).toBe('←');
        expect(r.trackIndexes).toEqual([0]);
      },
    },
    {
      name: 'a track called "Limit To Your Love" in a menu is a menu, not a quota message',
      message: msg({ text: 'James Blake - Limit To Your Love', buttons: [btn('James Blake - Limit To Your Love [4:38]', 0), btn('1 / 1', 1)] }),
      kind: 'menu',
    },
    {
      name: 'a track called "High" with a length is a menu row, not a quality button',
      message: msg({ buttons: [btn('Lighthouse Family - High [5:09]', 0), btn('1 / 1', 1)] }),
      kind: 'menu',
    },
    {
      name: 'quality menu',
      message: msg({ text: 'Выберите качество', buttons: qualityButtons }),
      kind: 'quality',
      check: (r) => {
        expect(r.low.text).toBe('📼 Low');
        expect(r.high.text).toBe('High (16bit) 💿');
        expect(r.max.text).toBe('📀 Max (До 24bit/192kHz) ✅');
        expect(r.back.text).toBe('← Назад');
      },
    },
    {
      name: 'quality menu without the Max tier',
      message: msg({ buttons: [btn('📼 Low', 0), btn('High (16bit) 💿', 1), btn('← Назад', 2)] }),
      kind: 'quality',
      check: (r) => expect(r.max).toBeNull(),
    },
    { name: 'lone premium button (promo)', message: msg({ buttons: [btn('😎 Подключить Premium со скидкой', 0)] }), kind: 'promo' },
    {
      name: 'promo with a quota text is still the promo',
      message: msg({ text: 'Бесплатный лимит на сегодня исчерпан.', buttons: [btn('😎 Подключить Premium со скидкой', 0)] }),
      kind: 'promo',
    },
    {
      name: 'a ban notice with the premium button is a restriction',
      message: msg({ text: 'Ваш аккаунт заблокирован', buttons: [btn('😎 Подключить Premium со скидкой', 0)] }),
      kind: 'safety',
      check: (r) => expect(r.signal).toBe('restricted'),
    },
    { name: 'nothing found: photo without keyboard', message: msg({ media: 'photo' }), kind: 'not_found' },
    { name: 'nothing found: photo with a caption', message: msg({ media: 'photo', text: 'Ничего не найдено' }), kind: 'not_found' },
    {
      name: 'caption echoing the query is not read as a limit',
      message: msg({ media: 'photo', text: 'Ничего не найдено: James Blake - Limit To Your Love' }),
      kind: 'not_found',
    },
    { name: 'nothing found as text', message: msg({ text: 'По вашему запросу ничего не найдено' }), kind: 'not_found' },
    { name: 'wait message as a button', message: msg({ buttons: [btn('Подождите, трек скоро скачается.', 0)] }), kind: 'wait' },
    { name: 'wait message as text', message: msg({ text: 'Подождите, трек скоро скачается.' }), kind: 'wait' },
    {
      name: 'our inline message showing the wait button',
      message: msg({ out: true, text: 'X - Y', buttons: [btn('Подождите, трек скоро скачается.', 0)] }),
      kind: 'wait',
    },
    { name: 'FLAC document', message: msg({ media: 'document', document: flac }), kind: 'document' },
    {
      name: 'document known by its name only',
      message: msg({ media: 'document', document: { ...flac, mimeType: 'application/octet-stream', performer: null, durationSec: null } }),
      kind: 'document',
    },
    {
      name: 'a non-audio document is unknown, never a success',
      message: msg({ media: 'document', document: { ...flac, fileName: 'readme.pdf', mimeType: 'application/pdf', performer: null, durationSec: null } }),
      kind: 'unknown',
    },
    { name: 'our own text message', message: msg({ out: true, text: 'https://open.spotify.com/track/abc' }), kind: 'own' },
    { name: 'daily limit text', message: msg({ text: 'Вы исчерпали дневной лимит запросов' }), kind: 'safety', check: (r) => expect(r.signal).toBe('quota') },
    { name: 'English limit text', message: msg({ text: 'Daily limit reached, come back tomorrow' }), kind: 'safety', check: (r) => expect(r.signal).toBe('quota') },
    { name: 'too many requests (no number): a throttle, backed off', message: msg({ text: 'Too many requests, slow down' }), kind: 'throttle', check: (r) => expect(r.seconds).toBeNull() },
    { name: 'too many requests today: a quota', message: msg({ text: 'Too many requests today, try again tomorrow' }), kind: 'safety', check: (r) => expect(r.signal).toBe('quota') },
    { name: 'ban text', message: msg({ text: 'Вы заблокированы за спам' }), kind: 'safety', check: (r) => expect(r.signal).toBe('restricted') },
    { name: 'English ban text', message: msg({ text: 'You have been banned from using this bot' }), kind: 'safety', check: (r) => expect(r.signal).toBe('restricted') },
    { name: 'overloaded, try later: a throttle without a number', message: msg({ text: 'Сервер перегружен, попробуйте позже' }), kind: 'throttle' },
    { name: 'unknown text', message: msg({ text: 'Сервис на техобслуживании' }), kind: 'unknown', check: (r) => expect(r.text).toContain('техобслуживании') },
    {
      name: 'unknown keyboard keeps its labels in the text',
      message: msg({ text: 'Новая версия бота!', buttons: [btn('Что нового', 0)] }),
      kind: 'unknown',
      check: (r) => expect(r.text).toContain('[Что нового]'),
    },
    // ── interim: the answer is coming (wait for its edit or the next message) ──
    { name: 'searching placeholder', message: msg({ text: '🔍 Ищу трек…' }), kind: 'interim' },
    { name: 'English placeholder', message: msg({ text: 'Searching...' }), kind: 'interim' },
    { name: 'processing', message: msg({ text: '⏳ Обрабатываю запрос' }), kind: 'interim' },
    { name: 'one moment', message: msg({ text: 'Один момент' }), kind: 'interim' },
    // ── wait: the file is coming ──
    { name: 'progress text', message: msg({ text: 'Скачиваю: 45%' }), kind: 'wait' },
    { name: 'English progress', message: msg({ text: 'Downloading… 12%' }), kind: 'wait' },
    { name: 'a document still showing the wait button is not the file', message: msg({ out: true, media: 'document', document: flac, buttons: [btn('Подождите, трек скоро скачается.', 0)] }), kind: 'wait' },
    // ── gate: only the owner can open it ──
    {
      name: 'subscription gate with a link and a check button',
      message: msg({ text: '⚠️ Для работы с ботом нужна подписка на наш канал.', buttons: [{ ...btn('➡️ Открыть канал', 0), data: null, url: 'https://t.me/lossless_music' }, btn('🔄 Проверить', 1)] }),
      kind: 'gate',
      check: (r) => expect(r.links).toEqual([{ text: '➡️ Открыть канал', url: 'https://t.me/lossless_music' }]),
    },
    { name: 'imperative gate with a channel link in the text', message: msg({ text: 'Подпишитесь на канал', buttons: [{ ...btn('Канал', 0), data: null, url: 'https://t.me/x' }] }), kind: 'gate' },
    { name: 'English gate, no buttons', message: msg({ text: 'Please subscribe to our channel @lossless_news to use the bot' }), kind: 'gate' },
    { name: 'only Telegram link buttons and a check button', message: msg({ buttons: [{ ...btn('Lossless News', 0), data: null, url: 'https://t.me/lossless_news' }, btn('✅ Я подписался', 1)] }), kind: 'gate' },
    { name: 'press start', message: msg({ text: 'Нажмите /start, чтобы начать' }), kind: 'gate' },
    { name: 'a Premium subscription offer is a promo, not a gate', message: msg({ text: 'Оформите Premium подписку', buttons: [btn('😎 Подключить Premium со скидкой', 0)] }), kind: 'promo' },
    // ── throttle: wait as long as it says ──
    { name: 'throttle in Russian with seconds', message: msg({ text: 'Подождите 10 секунд…' }), kind: 'throttle', check: (r) => expect(r.seconds).toBe(10) },
    { name: 'throttle in English with seconds', message: msg({ text: 'Please wait 10 seconds before the next request' }), kind: 'throttle', check: (r) => expect(r.seconds).toBe(10) },
    { name: 'throttle in minutes', message: msg({ text: 'Слишком много запросов, попробуйте через 2 минуты' }), kind: 'throttle', check: (r) => expect(r.seconds).toBe(120) },
    { name: 'too often, no number', message: msg({ text: 'Слишком часто!' }), kind: 'throttle', check: (r) => expect(r.seconds).toBeNull() },
    { name: '"подождите" without a number is the file wait, not a throttle', message: msg({ text: 'Подождите немного, трек загружается' }), kind: 'wait' },
    // ── unavailable: this track only ──
    { name: 'rights holder', message: msg({ text: 'Трек ограничен правообладателем' }), kind: 'unavailable' },
    { name: 'region', message: msg({ text: 'This track is not available in your region' }), kind: 'unavailable' },
    { name: 'country, Russian', message: msg({ text: 'Трек недоступен в вашей стране' }), kind: 'unavailable' },
    { name: 'an account restriction is still a stop', message: msg({ text: 'Ваш аккаунт ограничен' }), kind: 'safety', check: (r) => expect(r.signal).toBe('restricted') },
    // ── results win over a promo beside them ──
    { name: 'menu with a promo button under the rows', message: msg({ buttons: [btn('A - B [3:00]', 0), btn('😎 Подключить Premium со скидкой', 1)] }), kind: 'menu' },
    { name: 'a bare promo without the quota words', message: msg({ buttons: [btn('😎 Подключить Premium со скидкой', 0)] }), kind: 'promo', check: (r) => expect(r.quota).toBe(false) },
    { name: 'a promo with the quota words replaced a result', message: msg({ text: 'Бесплатный лимит на сегодня исчерпан.', buttons: [btn('😎 Подключить Premium со скидкой', 0)] }), kind: 'promo', check: (r) => expect(r.quota).toBe(true) },
    // ── nothing found ──
    { name: 'nothing-found photo with a button', message: msg({ media: 'photo', buttons: [btn('🔎 Искать в другом источнике', 0)] }), kind: 'not_found' },
    { name: 'nothing-found photo with a link button', message: msg({ media: 'photo', buttons: [{ ...btn('Наш канал', 0), data: null, url: 'https://t.me/x' }] }), kind: 'not_found' },
    // ── the greeting is no gate ──
    { name: 'the /start greeting', message: msg({ text: '👋 Здравствуйте! Этот бот качает музыку без потерь — кидайте ссылку из Spotify.' }), kind: 'unknown' },
    { name: 'empty message', message: msg({}), kind: 'unknown' },
  ];

  for (const row of table) {
    it(row.name, () => {
      const reply = classifyReply(row.message, { echo: ['James Blake - Limit To Your Love', 'Limit To Your Love', 'James Blake'] });
      expect(reply.kind).toBe(row.kind);
      row.check?.(reply);
    });
  }

  it('answering /start, "press start" is no gate', () => {
    expect(classifyReply(msg({ text: 'Привет! Нажмите /start, чтобы начать' }), { answeringStart: true }).kind).toBe('unknown');
  });

  it('bounded: a huge text and thousands of buttons are read in bounded time and size', () => {
    const buttons = Array.from({ length: 5000 }, (_, i) => btn(`Artist ${i} - Title [3:00]`, i));
    const reply = classifyReply(msg({ text: 'a'.repeat(1_000_000), buttons }));
    expect(reply.kind).toBe('menu');
    expect((reply as { buttons: unknown[] }).buttons.length).toBeLessThanOrEqual(200);
    const text = classifyReply(msg({ text: 'подождите '.repeat(100_000) }));
    expect(['wait', 'throttle', 'unknown', 'interim']).toContain(text.kind);
  });

  it('without the echo, a caption naming a "Limit" track would read as a quota notice', () => {
    expect(classifyReply(msg({ text: 'Limit To Your Love' })).kind).toBe('safety');
  });
});

describe('classifyCallbackAnswer', () => {
  it.each([
    [null, null],
    ['Загрузка началась', null],
    ['Кнопка устарела', null],
    ['Лимит исчерпан', 'quota'],
    ['Подключите Premium', 'promo'],
    ['Вы заблокированы', 'restricted'],
  ])('%s → %s', (answer, expected) => {
    expect(classifyCallbackAnswer(answer)).toBe(expected);
  });

  it.each([
    ['Загрузка…', null],
    ['Кнопка устарела', 'stale'],
    ['Подождите 5 секунд', 'throttle'],
    ['Трек недоступен в вашем регионе', 'unavailable'],
    ['Подпишитесь на наш канал', 'gate'],
  ])('toast %s reads as %s', (answer, expected) => {
    expect(readToast(answer)?.kind ?? null).toBe(expected);
  });
});

describe('labels', () => {
  it('formats documents like menu rows', () => {
    expect(documentLabel(flac)).toBe('Benny Benassi - Satisfaction [4:45]');
    expect(documentLabel({ performer: null, title: null, fileName: 'A - B.flac', durationSec: null })).toBe('A - B');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
