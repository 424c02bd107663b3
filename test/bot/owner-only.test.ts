import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import { OWNER, PLAYLIST_LINK, STRANGER, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe('owner only', () => {
  it('a stranger’s messages, commands, links, button presses and inline queries cause no Bot API call at all', async () => {
    const { server, service } = h;
    const job = await service.createJob(PLAYLIST_LINK);
    const before = server.calls.length;
    server.pushMessage(STRANGER, '/start');
    server.pushMessage(STRANGER, '/status');
    server.pushMessage(STRANGER, '/login');
    server.pushMessage(STRANGER, PLAYLIST_LINK);
    server.pushMessage(STRANGER, 'hello?');
    server.pushCallbackQuery(STRANGER, 1000, encodeCallback('cancel', job.id));
    server.pushCallbackQuery(STRANGER, 1000, 'garbage');
    server.pushInlineQuery(STRANGER, 'daft punk');
    // The owner in a group is not the private chat either.
    server.pushMessage(OWNER, '/status', { chat: { id: -100123, type: 'supergroup', title: 'Party' } });
    await server.waitUntilIdle();

    const after = server.calls.slice(before);
    expect(after.map((c) => c.method).filter((m) => m !== 'getUpdates')).toEqual([]);
    expect(service.calls.filter((c) => c.method !== 'createJob')).toEqual([]);
    expect(service.progress(job.id).job.status).toBe('pending');

    const logText = h.logs.join('');
    expect(logText).toContain('dropped an update not from the owner');
    expect(logText).toContain(`"senderId":${STRANGER.id}`);
    expect(logText).toContain('dropped an owner update outside the private chat');
  });

  it('the owner is answered, and an unknown button gets an "outdated" toast rather than a spinner', async () => {
    const { server } = h;
    server.pushMessage(OWNER, '/start');
    await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('Crate turns Spotify'))[0]);
    server.pushCallbackQuery(OWNER, 1000, '0|xx|1');
    const answer = await server.waitFor(() => server.callsOf('answerCallbackQuery').at(-1));
    expect(answer.payload.text).toContain('outdated');
  });

  it('set the command menu at start', () => {
    const commands = h.server.callsOf('setMyCommands')[0]!.payload.commands as { command: string }[];
    expect(commands.map((c) => c.command)).toEqual([
      'start', 'help', 'status', 'jobs', 'missing', 'pause', 'resume', 'cancel', 'login', 'spotify', 'watch', 'watches', 'settings', 'probe', 'acceptbot',
    ]);
    const first = h.server.calls.slice(0, 3).map((c) => c.method);
    expect(first[0]).toBe('getMe');
    expect(h.server.calls.findIndex((c) => c.method === 'deleteWebhook')).toBeLessThan(
      h.server.calls.findIndex((c) => c.method === 'getUpdates'),
    );
  });
});
