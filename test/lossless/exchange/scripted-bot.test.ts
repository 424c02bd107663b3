/**
 * The scripted bot's rules, through the gateway interface Crate uses: order, fire-once, repeat,
 * the forms of what was sent, clicks and toasts, edits, inline results and chosen results, and
 * reply times counted from the action that fired the rule (virtual time).
 */
import { describe, expect, it } from 'vitest';
import type { BotMessage } from '../../../src/domain/telegram.js';
import { VirtualClock } from '../../../src/engine/virtual-clock.js';
import { parseExchange, type ExchangeRule } from '../../../src/lossless/exchange/format.js';
import { ScriptedBot, sentForm } from '../../../src/lossless/exchange/scripted-bot.js';

function botWith(rules: unknown[], mode = 'chat') {
  const file = parseExchange({
    format: 'crate-exchange/1',
    scenarios: [{ id: 's', mode, request: { artists: ['A'], title: 'T' }, bot: rules }],
  });
  const clock = new VirtualClock(0);
  const bot = new ScriptedBot(file.scenarios[0]!, { clock });
  const seen: { kind: string; message: BotMessage; at: number }[] = [];
  bot.onMessage((message, kind) => seen.push({ kind, message, at: clock.now() }));
  return { bot, clock, seen, rules: file.scenarios[0]!.bot as ExchangeRule[] };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('ScriptedBot', () => {
  it('tells /start, a Spotify link and other text apart', () => {
    expect(sentForm('/start')).toBe('start');
    expect(sentForm('/start@LosslessRobot')).toBe('start');
    expect(sentForm('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC')).toBe('link');
    expect(sentForm('https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=x')).toBe('link');
    expect(sentForm('spotify:track:4uLU6hMCjMI75M1A2tKUQC')).toBe('link');
    expect(sentForm('Daft Punk - One More Time')).toBe('text');
  });

  it('fires the first matching rule once, then the next one; repeat rules fire every time', async () => {
    const { bot, clock, seen } = botWith([
      { on: { sent: 'text', matches: '^Kino' }, replies: [{ afterMs: 100, message: { ref: 'k1', text: 'kino once' } }] },
      { on: { sent: 'text' }, replies: [{ afterMs: 100, message: { ref: 'k2', text: 'second' } }] },
      { on: { sent: 'any' }, repeat: true, replies: [{ afterMs: 100, message: { ref: 'k3', text: 'always' } }] },
    ]);
    for (const text of ['Kino - Gruppa Krovi', 'Kino - Gruppa Krovi', 'Kino - Gruppa Krovi', 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC']) {
      await bot.sendText(text);
      await clock.advance(200);
    }
    expect(seen.map((s) => s.message.text)).toEqual(['kino once', 'second', 'always', 'always']);
    expect(bot.actions.filter((a) => a.kind === 'sent').map((a) => (a.kind === 'sent' ? a.form : null))).toEqual(['text', 'text', 'text', 'link']);
  });

  it('stays silent when nothing matches', async () => {
    const { bot, clock, seen } = botWith([{ on: { sent: 'start' }, replies: [{ message: { ref: 's1', text: 'hi' } }] }]);
    await bot.sendText('Kino - Gruppa Krovi');
    await clock.advance(60_000);
    expect(seen).toEqual([]);
  });

  it('counts reply times from the action, edits by ref, answers presses with the rule toast', async () => {
    const { bot, clock, seen } = botWith([
      {
        on: { sent: 'link' },
        replies: [
          { afterMs: 600, message: { ref: 'm1', text: '🔍 Ищу трек…' } },
          { afterMs: 1500, edit: { ref: 'm1', text: '', buttons: [[{ text: 'A - T [3:00]', data: 't:1' }], [{ text: 'Channel', url: 'https://t.me/c' }]] } },
        ],
      },
      { on: { clicked: 'A - T [3:00]' }, toast: 'Загрузка…', replies: [{ afterMs: 400, edit: { ref: 'm1', text: 'Выберите качество:', buttons: [] } }] },
    ]);
    await bot.sendText('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC');
    await clock.advance(2000);
    expect(seen.map((s) => [s.kind, s.at, s.message.text])).toEqual([
      ['new', 600, '🔍 Ищу трек…'],
      ['edited', 1500, ''],
    ]);
    const menu = seen[1]!.message;
    expect(menu.buttons).toEqual([
      { text: 'A - T [3:00]', row: 0, column: 0, data: b64('t:1'), url: null },
      { text: 'Channel', row: 1, column: 0, data: null, url: 'https://t.me/c' },
    ]);
    expect(await bot.clickButton(menu.id, b64('nope'))).toEqual({ message: null });
    expect(await bot.clickButton(menu.id, b64('t:1'))).toEqual({ message: 'Загрузка…' });
    await clock.advance(399);
    expect(seen).toHaveLength(2);
    await clock.advance(1);
    expect(seen[2]!.message).toMatchObject({ id: menu.id, text: 'Выберите качество:', buttons: [] });
    expect(bot.actions.filter((a) => a.kind === 'clicked').map((a) => (a.kind === 'clicked' ? a.text : ''))).toEqual([null, 'A - T [3:00]']);
    expect((await bot.history({ minId: 0, limit: 10 })).map((m) => [m.out, m.text])).toEqual([
      [true, 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC'],
      [false, 'Выберите качество:'],
    ]);
  });

  it('answers inline queries with results; a chosen result is our message, edited by its ref', async () => {
    const { bot, clock, seen } = botWith(
      [
        {
          on: { inline: 'any' },
          replies: [
            {
              afterMs: 300,
              results: [
                { ref: 'r1', text: 'A - T\n3:00 · FLAC', buttons: [[{ text: 'Подождите, трек скоро скачается.', data: 'w' }]] },
                { ref: 'r2', text: 'A - T (Live)', media: { kind: 'document', fileName: 'A - T (Live).flac', mimeType: 'audio/flac', size: 10, performer: 'A', title: 'T (Live)', durationSec: 180 } },
              ],
            },
          ],
        },
        { on: { chosen: 'r1' }, replies: [{ afterMs: 5000, edit: { ref: 'r1', text: '', media: { kind: 'document', fileName: 'A - T.flac', mimeType: 'audio/flac', size: 20, performer: 'A', title: 'T', durationSec: 180 } } }] },
      ],
      'inline',
    );
    const asked = bot.inlineQuery('A - T');
    await clock.advance(299);
    let results: Awaited<typeof asked> | null = null;
    void asked.then((r) => (results = r));
    await clock.advance(1);
    expect(results).not.toBeNull();
    const [r1, r2] = results!;
    expect(r1).toMatchObject({ resultId: 'r1', title: 'A - T', description: '3:00 · FLAC', document: null });
    // The message the result would send, with its keyboard, as the gateway reads it from Telegram.
    expect(r1).toMatchObject({ text: 'A - T\n3:00 · FLAC', buttons: [{ text: 'Подождите, трек скоро скачается.', row: 0, column: 0 }] });
    expect(r2!.document).toMatchObject({ performer: 'A', title: 'T (Live)', size: 10 });
    const ours = await bot.sendInlineResult(r1!);
    expect(ours).toMatchObject({ out: true, text: 'A - T\n3:00 · FLAC' });
    expect(ours.buttons[0]!.text).toBe('Подождите, трек скоро скачается.');
    await clock.advance(5000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'edited', at: 5300, message: { id: ours.id, media: 'document', buttons: [] } });
    expect(bot.refOf(ours.id)).toBe('r1');
    const download = await bot.downloadDocument(ours.id, '/nowhere/t.flac');
    expect(download.sizeBytes).toBe(20);
    expect(bot.actions.at(-1)).toMatchObject({ kind: 'download', ref: 'r1' });
  });

  it('close() cancels replies still scheduled', async () => {
    const { bot, clock, seen } = botWith([{ on: { sent: 'any' }, replies: [{ afterMs: 1000, message: { ref: 'm', text: 'late' } }] }]);
    await bot.sendText('x');
    expect(bot.pending()).toBe(1);
    bot.close();
    await clock.advance(5000);
    expect(seen).toEqual([]);
    expect(bot.pending()).toBe(0);
  });
});
