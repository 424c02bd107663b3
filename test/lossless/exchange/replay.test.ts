/**
 * Replays through the product's acquirer with the real Pacer on virtual time: the outcome line,
 * the gap between messages kept in virtual time, and safety stops read as pauses.
 */
import { describe, expect, it } from 'vitest';
import { MIN_MESSAGE_GAP_SECONDS } from '../../../src/config.js';
import { parseExchange } from '../../../src/lossless/exchange/format.js';
import { pauseOf, replayRig, replayScenario } from '../../../src/lossless/exchange/replay.js';

const LINK = 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC';
const request = { artists: ['Kerri Chandler'], title: 'Rain', durationMs: 371_000, spotifyUrl: LINK };
const doc = { kind: 'document', fileName: 'Kerri Chandler - Rain.flac', mimeType: 'audio/flac', size: 40_000_000, performer: 'Kerri Chandler', title: 'Rain', durationSec: 371 };

function one(bot: unknown[], extra: Record<string, unknown> = {}) {
  return parseExchange({ format: 'crate-exchange/1', scenarios: [{ id: 'r', request, bot, ...extra }] }).scenarios[0]!;
}

const quality = [
  [{ text: '📼 Low', data: 'q:low' }],
  [{ text: 'High (16bit) 💿', data: 'q:16' }],
  [{ text: '📀 Max (До 24bit/192kHz) ✅', data: 'q:24' }],
];

describe('replayScenario', () => {
  it('a whole chat exchange: the line names what was sent, pressed and which message would be downloaded', async () => {
    const s = one([
      { on: { sent: 'link' }, replies: [{ afterMs: 900, message: { ref: 'menu', text: '', buttons: [[{ text: 'Kerri Chandler - Rain (Karaoke Version) [6:11]', data: 'r:0' }], [{ text: 'Kerri Chandler - Rain [6:11]', data: 'r:1' }]] } }] },
      { on: { clicked: 'Kerri Chandler - Rain [6:11]' }, replies: [{ afterMs: 500, edit: { ref: 'menu', text: 'Выберите качество:', buttons: quality } }] },
      { on: { clicked: '📀 Max (До 24bit/192kHz) ✅' }, toast: 'Загрузка началась', replies: [{ afterMs: 60_000, message: { ref: 'file', media: doc } }] },
    ], { quality: 'max' });
    const started = performance.now();
    const result = await replayScenario(s);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result).toEqual({
      id: 'r',
      outcome: 'download',
      document: 'file',
      pause: null,
      sent: [LINK],
      clicks: ['Kerri Chandler - Rain [6:11]', '📀 Max (До 24bit/192kHz) ✅'],
      reason: 'would download "Kerri Chandler - Rain.flac" (picked "Kerri Chandler - Rain [6:11]")',
    });
  });

  it('keeps the message gap in virtual time between the link and the name query', async () => {
    const s = one([
      { on: { sent: 'link' }, replies: [{ afterMs: 100, message: { ref: 'p1', media: { kind: 'photo' } } }] },
      { on: { sent: 'text' }, replies: [{ afterMs: 100, message: { ref: 'p2', media: { kind: 'photo' } } }] },
    ]);
    const rig = replayRig(s, { messageGapSeconds: 0.5 });
    try {
      const outcome = await rig.clock.run(rig.acquirer.acquire(rig.request));
      expect(outcome.kind).toBe('not_found');
      const sends = rig.bot.actions.filter((a) => a.kind === 'sent');
      expect(sends.map((a) => (a.kind === 'sent' ? a.text : ''))).toEqual([LINK, 'Kerri Chandler - Rain']);
      // 0.5 s asked for; the 2 s floor holds.
      expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(MIN_MESSAGE_GAP_SECONDS * 1000);
    } finally {
      rig.acquirer.close();
      rig.bot.close();
    }
  });

  it('a premium promo instead of a menu is a quota pause; silence is a failure after the reply timeout', async () => {
    const promo = one([{ on: { sent: 'any' }, replies: [{ afterMs: 700, message: { ref: 'p', text: 'Бесплатный лимит на сегодня исчерпан.', buttons: [[{ text: '😎 Подключить Premium со скидкой', data: 'promo' }]] } }] }]);
    expect(await replayScenario(promo)).toMatchObject({ outcome: 'paused', pause: 'quota', document: null, clicks: [] });
    const silent = await replayScenario(one([]), { responseTimeoutSeconds: 60 });
    expect(silent).toMatchObject({ outcome: 'failed', pause: null, sent: [LINK] });
    expect(silent.reason).toContain('timeout');
  });

  it('an inline exchange: the chosen result turns into the document', async () => {
    const s = one(
      [
        { on: { inline: 'any' }, replies: [{ afterMs: 400, results: [{ ref: 'r1', text: 'Kerri Chandler - Rain', description: '6:11 · скачать' }] }] },
        { on: { chosen: 'r1' }, replies: [{ afterMs: 8000, edit: { ref: 'r1', text: '', media: doc } }] },
      ],
      { mode: 'inline' },
    );
    expect(await replayScenario(s)).toMatchObject({ outcome: 'download', document: 'r1', sent: ['@LosslessRobot Kerri Chandler - Rain', '(chosen r1)'] });
  });

  it('reads safety signals as the job-level pause they stand for', () => {
    expect(pauseOf('promo')).toBe('quota');
    expect(pauseOf('quota')).toBe('quota');
    expect(pauseOf('gate')).toBe('gate');
    expect(pauseOf('unknown_reply')).toBe('unknown_reply');
  });
});
