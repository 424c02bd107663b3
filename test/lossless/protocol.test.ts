import { describe, expect, it } from 'vitest';
import type { BotButton, BotMessage, DocumentFacts } from '../../src/domain/telegram.js';
import { classifyCallbackAnswer, classifyReply, documentLabel, formatDuration } from '../../src/lossless/protocol.js';

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
    { name: 'too many requests', message: msg({ text: 'Too many requests, slow down' }), kind: 'safety', check: (r) => expect(r.signal).toBe('quota') },
    { name: 'ban text', message: msg({ text: 'Вы заблокированы за спам' }), kind: 'safety', check: (r) => expect(r.signal).toBe('restricted') },
    { name: 'English ban text', message: msg({ text: 'You have been banned from using this bot' }), kind: 'safety', check: (r) => expect(r.signal).toBe('restricted') },
    { name: 'unknown text', message: msg({ text: 'Сервер перегружен, попробуйте позже' }), kind: 'unknown', check: (r) => expect(r.text).toContain('перегружен') },
    {
      name: 'unknown keyboard keeps its labels in the text',
      message: msg({ text: 'Подпишитесь на канал', buttons: [{ ...btn('Канал', 0), data: null, url: 'https://t.me/x' }] }),
      kind: 'unknown',
      check: (r) => expect(r.text).toContain('[Канал]'),
    },
    { name: 'empty message', message: msg({}), kind: 'unknown' },
  ];

  for (const row of table) {
    it(row.name, () => {
      const reply = classifyReply(row.message, { echo: ['James Blake - Limit To Your Love', 'Limit To Your Love', 'James Blake'] });
      expect(reply.kind).toBe(row.kind);
      row.check?.(reply);
    });
  }

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
});

describe('labels', () => {
  it('formats documents like menu rows', () => {
    expect(documentLabel(flac)).toBe('Benny Benassi - Satisfaction [4:45]');
    expect(documentLabel({ performer: null, title: null, fileName: 'A - B.flac', durationSec: null })).toBe('A - B');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
