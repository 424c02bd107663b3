import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import { OWNER, PLAYLIST_LINK, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ service: { outcome: (p, attempt) => (attempt === 1 && p === 2 ? 'not_found' : attempt === 1 && p === 4 ? 'mismatch' : attempt === 1 && p === 6 ? 'failed' : 'done') } });
  const job = await h.service.createJob(PLAYLIST_LINK);
  await h.service.run(job.id);
  await h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).startsWith('✅ Finished'))[0]);
});
afterAll(async () => {
  await h.stop();
});

const sent = (fragment: string) => h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).includes(fragment)).at(-1));
const buttonsOf = (payload: Record<string, any>) =>
  ((payload.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data: string }[][]).flat();

describe('/missing', () => {
  it('lists not_found, mismatch and failed tracks with positions; retry, accept, pick a row (remembered)', async () => {
    const { server, service } = h;
    server.pushMessage(OWNER, '/missing');
    const list = await sent('Tap one to retry');
    expect(list.text).toContain('3 tracks need you:');
    expect(list.text).toContain('❔ 2. Song 2 – Artist 2');
    expect(list.text).toContain('⚠️ 4. Song 4 – Artist 4');
    expect(list.text).toContain('❌ 6. Song 6 – Artist 6');
    const [notFound, mismatch] = buttonsOf(list.payload);
    expect(notFound!.text).toBe('2. Song 2');

    server.pushCallbackQuery(OWNER, list.messageId, mismatch!.callback_data);
    const detail = await sent('File in quarantine');
    expect(buttonsOf(detail.payload).map((b) => b.text)).toEqual(['🔁 Retry', '✅ Accept file', '📋 Pick from menu']);
    server.pushCallbackQuery(OWNER, detail.messageId, buttonsOf(detail.payload)[1]!.callback_data);
    await sent('Accepted: Artist 4 – Song 4');

    server.pushCallbackQuery(OWNER, list.messageId, notFound!.callback_data);
    const detail2 = await sent('State: not found');
    server.pushCallbackQuery(OWNER, detail2.messageId, buttonsOf(detail2.payload).at(-1)!.callback_data);
    const menu = await sent('Tap the right one');
    expect(buttonsOf(menu.payload).map((b) => b.text)).toEqual(['Artist 2 - Song 2 (Tribute) [3:00]', 'Artist 2 - Song 2 [3:01]', 'Karaoke - Song 2 [2:59]']);
    server.pushCallbackQuery(OWNER, menu.messageId, buttonsOf(menu.payload)[1]!.callback_data);
    await sent('Remembered “Artist 2 - Song 2 [3:01]”');
    const trackId = service.tracks(1).find((t) => t.position === 2)!.id;
    expect(service.calls.find((c) => c.method === 'chooseRow')?.args).toEqual([trackId, 'Artist 2 - Song 2 [3:01]']);
    await server.waitFor(() => service.tracks(1).find((t) => t.position === 2)?.state === 'done');
  });

  it('Retry failed from the completion notice queues the failed track again', async () => {
    const { server, service } = h;
    server.pushCallbackQuery(OWNER, 1, encodeCallback('retryFailed', 1));
    await server.waitFor(() => server.callsOf('answerCallbackQuery').some((c) => c.payload.text === '1 track queued again'));
    await server.waitFor(() => service.tracks(1).find((t) => t.position === 6)?.state === 'done');
  });

  it('/missing for a job that does not exist says so without a stack', async () => {
    h.server.pushMessage(OWNER, '/missing 99');
    const reply = await sent('There is no job #99');
    expect(reply.text).not.toContain('at ');
  });
});

describe('/settings', () => {
  it('refuses a gap below 2 s and keeps the old value', async () => {
    h.server.pushMessage(OWNER, '/settings gap 1.5');
    const reply = await sent("can't be below 2 s");
    expect(reply.text).toContain('limited by Telegram');
    expect(h.settings.get().messageGapSeconds).toBe(3);
  });

  it('changes gap, batch size and quality (button), and new jobs use them', async () => {
    const { server, settings, service } = h;
    server.pushMessage(OWNER, '/settings gap 4.5');
    await sent('Gap between messages to the bot: 4.5 s');
    server.pushMessage(OWNER, '/settings batch 5');
    const shown = await sent('Batch size: 5');
    server.pushCallbackQuery(OWNER, shown.messageId, buttonsOf(shown.payload)[1]!.callback_data);
    await server.waitFor(() => server.messageText(OWNER.id, shown.messageId)?.includes('Quality: max'));
    expect(settings.get()).toEqual({ quality: 'max', messageGapSeconds: 4.5, batchSize: 5 });
    server.pushMessage(OWNER, 'https://open.spotify.com/playlist/37EmbedCut000000000002');
    await sent('Big Public List');
    expect(service.calls.filter((c) => c.method === 'createJob').at(-1)?.args[1]).toEqual({ quality: 'max', batchSize: 5 });
  });
});
