/**
 * Playlist watch end to end (issue 14, "Done means"): `crate serve` with the real composition root
 * on the fake Bot API server, the fake Spotify server (whose snapshot_id changes with its rows) and
 * the simulated @LosslessRobot. /watch follows the playlist and downloads it; the playlist grows
 * and loses a track; 🔄 Check now downloads only the new tracks and the owner gets exactly one notice.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import { OWNER, PLAYLIST_NAME, buttonsOf, loggedInGateway, sentWith, serve, startStack, type Stack } from './serve-stack.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const flac = (t: { artists: string[]; name: string }) => `${t.artists.join(', ')} - ${t.name}.flac`;

describe('playlist watch through crate serve', () => {
  it('/watch, the playlist grows, Check now fetches only the new tracks: one notice; /watches buttons pause, resume, stop', async () => {
    // Tracks 1-4 at first; the simulated bot cannot find track 5 (stack.notFound).
    stack = await startStack({ tracks: 8, rows: 4 });
    const { server, spotify, bot, tracks } = stack;
    const running = await serve(stack, { createGateway: loggedInGateway(stack) });

    server.pushMessage(OWNER, `/watch ${stack.playlistUrl} 12h`);
    const card = await sentWith(server, 'Watching it now', 10_000);
    expect(card.text).toContain(`⏰ ${PLAYLIST_NAME} (watch #1) · every 12h`);
    expect(card.text).toContain('Last check: not yet');
    expect(buttonsOf(server, card.messageId)).toEqual(['🔄 Check now', '⏸ Pause', '🗑 Stop']);
    const jobId = Number(/Job #(\d+) downloads its 4 tracks/.exec(card.text)![1]);

    // The first download is an ordinary job: its own completion notice, and no ⏰ Watch (it is watched).
    const first = await sentWith(server, '✅ Finished', 30_000);
    expect(first.text).toContain('Found 4 of 4');
    expect(buttonsOf(server, first.messageId)).not.toContain('⏰ Watch');
    const askedBefore = bot.actions().length;

    // Nothing changed: a check reads only the snapshot and sends nothing.
    let sentBefore = server.callsOf('sendMessage').length;
    const itemsReads = () => spotify.requestsTo(`/v1/playlists/${stack!.playlistId}/items`).length;
    const readsBefore = itemsReads();
    server.pushCallbackQuery(OWNER, card.messageId, encodeCallback('watchCheck', 1));
    await server.waitFor(() => (server.messageText(OWNER.id, card.messageId) ?? '').includes('no change'), 10_000);
    expect(itemsReads()).toBe(readsBefore);
    expect(server.callsOf('sendMessage').length).toBe(sentBefore);

    // The playlist grows by 5, 6 and 8 and loses 4 (its file stays).
    spotify.setRows(stack.playlistId, [tracks[0]!, tracks[1]!, tracks[2]!, tracks[4]!, tracks[5]!, tracks[7]!]);
    sentBefore = server.callsOf('sendMessage').length;
    server.pushCallbackQuery(OWNER, card.messageId, encodeCallback('watchCheck', 1));
    await server.waitFor(() => server.callsOf('answerCallbackQuery').filter((c) => c.payload.text === 'Checking…').length === 2);
    const notice = await sentWith(server, 'new tracks', 30_000);
    expect(notice.text).toBe(
      [`⏰ ${PLAYLIST_NAME}: 3 new tracks — 2 downloaded, 1 not found`, '1 track left the playlist (files kept)', `  − ${tracks[3]!.artists.join(', ')} - ${tracks[3]!.name}`].join('\n'),
    );
    expect(buttonsOf(server, notice.messageId)).toEqual([`📋 Job #${jobId}`, '🔎 Missing (1)']);
    // Only the three new tracks were asked for (by link; the one not found by name as well).
    const asked = bot.actions().slice(askedBefore).filter((a) => a.kind === 'send').map((a) => a.detail);
    const mentions = (k: number) => asked.some((q) => q.includes(tracks[k - 1]!.id) || q.includes(tracks[k - 1]!.name));
    expect([1, 2, 3, 4, 5, 6, 7, 8].filter(mentions), asked.join('\n')).toEqual([5, 6, 8]);

    // Exactly one new message for the check: no job-finished notice beside the watch's.
    await new Promise((r) => setTimeout(r, 500));
    expect(server.callsOf('sendMessage').length - sentBefore).toBe(1);

    // Files: the new ones arrived, the removed one stayed; the playlist file follows Spotify's order.
    const folder = path.join(stack.downloadDir, PLAYLIST_NAME);
    const onDisk = (await readdir(folder)).filter((f) => f.endsWith('.flac')).sort();
    expect(onDisk).toEqual([1, 2, 3, 4, 6, 8].map((k) => flac(tracks[k - 1]!)).sort());
    const m3u = await readFile(path.join(folder, `${PLAYLIST_NAME}.m3u8`), 'utf8');
    expect(m3u.split('\n').filter((l) => l.endsWith('.flac'))).toEqual([1, 2, 3, 6, 8].map((k) => flac(tracks[k - 1]!)));

    // /watches: the card with the last check's counts and the track that left.
    server.pushMessage(OWNER, '/watches');
    const list = await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith(`⏰ ${PLAYLIST_NAME} (watch #1)`)).at(-1), 5000);
    expect(list.text).toContain('Tracks: 6');
    expect(list.text).toContain('3 new, 1 removed (2 downloaded, 1 not found)');
    expect(list.text).toContain(`Left the playlist (files kept): 1\n  − ${tracks[3]!.artists.join(', ')} - ${tracks[3]!.name}`);
    expect(list.text).toMatch(/Next check: .* UTC \(in /);

    server.pushCallbackQuery(OWNER, list.messageId, encodeCallback('watchPause', 1));
    await server.waitFor(() => (server.messageText(OWNER.id, list.messageId) ?? '').includes('⏸ paused'));
    expect(buttonsOf(server, list.messageId)).toEqual(['🔄 Check now', '▶️ Resume', '🗑 Stop']);
    server.pushCallbackQuery(OWNER, list.messageId, encodeCallback('watchResume', 1));
    await server.waitFor(() => (server.messageText(OWNER.id, list.messageId) ?? '').includes('Next check: 2'));
    expect(buttonsOf(server, list.messageId)).toContain('⏸ Pause');
    server.pushCallbackQuery(OWNER, list.messageId, encodeCallback('watchStop', 1));
    await server.waitFor(() => (server.messageText(OWNER.id, list.messageId) ?? '').includes('Stopped watching'));
    server.pushMessage(OWNER, '/watches');
    await sentWith(server, 'You watch no playlist yet');

    running.controller.abort();
    expect(await running.exit).toBe(0);
  }, 90_000);
});
