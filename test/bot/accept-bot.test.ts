/**
 * /acceptbot in the control bot, on the real table (a SQLite file) through the composition root's
 * own control: the owner sees both accounts and accepts the new one with a button; a press on an
 * offer that is no longer current accepts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChatWords } from '../../src/bot/chat-words.js';
import { safetyStopView } from '../../src/bot/notifications.js';
import { renderProgress } from '../../src/bot/progress-view.js';
import { emptyCounts, type JobRecord } from '../../src/domain/job.js';
import { DrizzleBotPeerStore } from '../../src/db/bot-peer-store.js';
import { openJobStore } from '../../src/db/job-store.js';
import { botAccountControl } from '../../src/main.js';
import { OWNER, startHarness, type Harness } from './harness.js';

let h: Harness;
let dir: string;
let peers: DrizzleBotPeerStore;
let close: () => void;

const peer = (userId: string, username: string) => ({ userId, accessHash: '-987', username, isBot: true, resolvedAt: 1_700_000_000_000 });
const buttonsOf = (payload: Record<string, any>) => ((payload.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data: string }[][]).flat();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crate-acceptbot-'));
  const opened = openJobStore(path.join(dir, 'crate.sqlite'));
  close = opened.close;
  peers = new DrizzleBotPeerStore(opened.db.db);
  h = await startHarness({ bot: { botAccount: botAccountControl(peers) } });
});
afterAll(async () => {
  await h.stop();
  close();
  await rm(dir, { recursive: true, force: true });
});

const sent = (fragment: string) => h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).includes(fragment)).at(-1));

describe('/acceptbot', () => {
  it('says there is nothing to accept when no other account waits', async () => {
    h.server.pushMessage(OWNER, '/acceptbot');
    await sent('Nothing to accept: Crate has not stopped over the bot’s account.');
    peers.save('100500', peer('7000000001', 'LosslessRobot'));
    h.server.pushMessage(OWNER, '/acceptbot');
    await h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).startsWith('Nothing to accept')).length === 2 || undefined);
  });

  it('shows both accounts; the button accepts the one shown, and the next start talks to it', async () => {
    peers.savePending('100500', peer('7000000999', 'LosslessRobot'));
    h.server.pushMessage(OWNER, '/acceptbot');
    const offer = await sent('now belongs to another Telegram account (id 7000000999)');
    expect(offer.text).toContain('than the bot Crate has been talking to (@LosslessRobot, id 7000000001)');
    const [button] = buttonsOf(offer.payload);
    expect(button?.text).toBe('Accept @LosslessRobot (id 7000000999)');

    // Meanwhile another account took the name: the old offer accepts nothing.
    peers.savePending('100500', peer('7000000555', 'LosslessRobot'));
    h.server.pushCallbackQuery(OWNER, offer.messageId, button!.callback_data);
    const refused = await h.server.waitFor(() => h.server.callsOf('answerCallbackQuery').at(-1));
    expect(refused.payload.text).toBe('Nothing to accept any more: send /acceptbot again.');
    expect(peers.get('100500')?.peer.userId).toBe('7000000001');

    h.server.pushMessage(OWNER, '/acceptbot');
    const current = await sent('(id 7000000555)');
    h.server.pushCallbackQuery(OWNER, current.messageId, buttonsOf(current.payload)[0]!.callback_data);
    await h.server.waitFor(() => h.server.callsOf('editMessageText').find((c) => String(c.payload.text).startsWith('Accepted:')));
    expect(h.server.callsOf('editMessageText').at(-1)?.payload.text).toBe(
      'Accepted: Crate now talks to @LosslessRobot (id 7000000555). Resume the paused job (/resume) to go on.',
    );
    expect(peers.get('100500')).toEqual({ peer: peer('7000000555', 'LosslessRobot'), pending: null });
  });

  it('the stop message reads in chat words in the chat: the pause notice and the progress line', () => {
    const stop =
      '@LosslessRobot now belongs to another Telegram account (id 2) than the bot Crate has been talking to (@LosslessRobot, id 1): ' +
      'Crate sends nothing to it. If the bot really moved, run `crate accept-bot` (or /acceptbot in the control bot), then resume; otherwise check EXTERNAL_BOT_USERNAME.';
    expect(toChatWords(stop)).toContain('If the bot really moved, send /acceptbot, then resume;');
    const job = {
      id: 3, link: 'https://open.spotify.com/playlist/x', sourceType: 'playlist', sourceId: 'x', name: 'Warehouse', backend: 'user', total: 10,
      status: 'paused', pauseReason: stop, options: { limit: null, startFrom: 1, batchSize: 12, organizeBy: 'playlist', yearFolders: false, outputDir: '/music', fileTemplate: '', quality: 'high' },
      warnings: [], createdAt: 0, updatedAt: 0, startedAt: 0, finishedAt: null, progressChatId: null, progressMessageId: null,
    } satisfies JobRecord;
    const notice = safetyStopView(job, stop).text;
    expect(notice).toContain('send /acceptbot, then resume');
    expect(notice).not.toContain('crate accept-bot');
    const counts = { ...emptyCounts(), queued: 10 };
    const line = renderProgress({ job, counts, inFlight: [], receivedBytes: 0, etaSeconds: null, pacer: null, now: 0 }).text.split('\n')[1];
    expect(line).toMatch(/^⏸ .*: @LosslessRobot now belongs to another Telegram account/);
    expect(line).not.toContain('crate accept-bot');
  });
});
