import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, PLAYLIST_LINK, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ bot: { floodNoticeSeconds: 300 } });
});
afterAll(async () => {
  await h.stop();
});

const sent = (fragment: string) => h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).includes(fragment)).at(-1));

describe('notifications ring the phone', () => {
  it('a safety stop pauses the job with a Resume button that works', async () => {
    const { server, service } = h;
    const job = await service.createJob(PLAYLIST_LINK);
    service.start(job.id);
    await server.waitFor(() => service.progress(job.id).job.status === 'running');
    service.safetyStop(job.id, 'the bot showed a Premium offer');
    const notice = await sent('⏸ Paused Summer Mix');
    expect(notice.text).toContain('the bot showed a Premium offer');
    const resume = (notice.payload.reply_markup.inline_keyboard as { callback_data: string }[][])[0]![0]!;
    server.pushCallbackQuery(OWNER, notice.messageId, resume.callback_data);
    await sent('✅ Finished: Summer Mix');
  });

  it('session expiry is announced once, not for every failing track, with a Log in button', async () => {
    h.service.expireSession('AUTH_KEY_UNREGISTERED');
    h.service.expireSession('AUTH_KEY_UNREGISTERED');
    const notice = await sent('Your Telegram session expired (Telegram said AUTH_KEY_UNREGISTERED)');
    expect(notice.text).not.toContain('`');
    expect((notice.payload.reply_markup.inline_keyboard as { text: string }[][]).flat().map((b) => b.text)).toEqual(['🔑 Log in']);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.server.sentMessages((p) => String(p.text).includes('session expired'))).toHaveLength(1);
  });

  it('only long FloodWaits are announced, once', async () => {
    h.service.floodWait(30);
    h.service.floodWait(1800);
    h.service.floodWait(1790);
    const notice = await sent('⏳ Telegram asked Crate to wait');
    expect(notice.text).toContain('30 min 00 s');
    await new Promise((r) => setTimeout(r, 50));
    expect(h.server.sentMessages((p) => String(p.text).startsWith('⏳'))).toHaveLength(1);
  });
});
