/**
 * The owner's notice for a gate pause (the bot wants a channel joined first): the bot's own text,
 * its buttons as links, what to do, and the Resume button — through the same pause view as every
 * safety stop.
 */
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/domain/job.js';
import type { BotMessage } from '../../src/domain/telegram.js';
import { safetyStopView } from '../../src/bot/notifications.js';
import { classifyReply } from '../../src/lossless/protocol.js';
import { gateStop } from '../../src/lossless/stops.js';

const job = {
  id: 3, link: 'https://open.spotify.com/playlist/x', sourceType: 'playlist', sourceId: 'x', name: 'Warehouse', backend: 'user', total: 10,
  status: 'paused', pauseReason: null, options: { limit: null, startFrom: 1, batchSize: 12, organizeBy: 'playlist', yearFolders: false, outputDir: '/music', fileTemplate: '', quality: 'high' },
  warnings: [], createdAt: 0, updatedAt: 0, startedAt: 0, finishedAt: null, progressChatId: null, progressMessageId: null,
} satisfies JobRecord;

describe('gate notice', () => {
  it('shows the bot text, its links, what to do and a Resume button', () => {
    const message: BotMessage = {
      id: 5, date: 0, editDate: null, out: false, replyToMessageId: null, media: 'none', document: null,
      text: '⚠️ Для работы с ботом нужна подписка на наш канал.',
      buttons: [
        { text: '➡️ Открыть канал', row: 0, column: 0, data: null, url: 'https://t.me/lossless_music' },
        { text: '🔄 Проверить', row: 1, column: 0, data: 'Y2hlY2s=', url: null },
      ],
    };
    const reply = classifyReply(message);
    if (reply.kind !== 'gate') throw new Error(`expected a gate, got ${reply.kind}`);
    const stop = gateStop(message, reply.links, 'its answer to /start');
    expect(stop.signal).toBe('gate');
    const view = safetyStopView(job, stop.message);
    expect(view.text).toContain('«⚠️ Для работы с ботом нужна подписка на наш канал.»');
    expect(view.text).toContain('• ➡️ Открыть канал: https://t.me/lossless_music');
    expect(view.text).toContain('What to do: open the bot chat in Telegram');
    expect(view.buttons.flat().map((b) => b.text)).toEqual(['▶️ Resume']);
  });
});
