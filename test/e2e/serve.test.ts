/**
 * `crate serve` end to end (issue 6, "Done means"): the real composition root on the fake Bot API
 * server, the fake Spotify server and the simulated @LosslessRobot behind the real GramjsGateway,
 * with real SQLite and real files. Only time is scaled (SCALE), so pacer gaps and timeouts are short.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import { scaledClock } from '../../src/engine/clock.js';
import {
  OWNER,
  LOGIN,
  PLAYLIST_NAME,
  SCALE,
  STRANGER,
  gatewayFromSessionFile,
  loggedInGateway,
  loginAccount,
  sentWith,
  serve,
  startStack,
  buttonsOf,
  textHistory,
  type Stack,
} from './serve-stack.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

/** Timers and sockets that keep this process alive (the fork's IPC pipes and file reads aside). */
function liveHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'PipeWrap' || kind.startsWith('FS')) continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('crate serve, end to end', () => {
  it('link → preview → Start → edited progress → Pause → Resume → completion notice; strangers get nothing', async () => {
    const handlesBefore = liveHandles();
    stack = await startStack();
    const { server, spotify, bot } = stack;
    const running = await serve(stack, { createGateway: loggedInGateway(stack) });
    expect(running.stdout.text()).toContain('talk to @crate_test_bot');

    // A stranger: messages, commands, a link and a button press. Nothing is answered, nothing is read.
    server.pushMessage(STRANGER, 'hello?');
    server.pushMessage(STRANGER, '/start');
    server.pushMessage(STRANGER, '/status');
    server.pushMessage(STRANGER, stack.playlistUrl);
    server.pushCallbackQuery(STRANGER, 1, encodeCallback('start', 1));
    await server.waitUntilIdle();
    expect(server.visibleCalls()).toEqual([]);
    expect(spotify.requestsTo('/v1/')).toHaveLength(0);

    // The owner sends the link: the preview names the list and the backend, with Start.
    server.pushMessage(OWNER, `here: ${stack.playlistUrl}`);
    const preview = await sentWith(server, 'is ready');
    expect(preview.text).toContain(`🎵 ${PLAYLIST_NAME}`);
    expect(preview.text).toContain('Playlist · 10 tracks');
    expect(preview.text).toContain('Read via your Spotify login');
    const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
    const buttons = (preview.payload.reply_markup.inline_keyboard as { text: string; callback_data: string }[][]).flat();
    expect(buttons.map((b) => b.text)).toEqual(['▶️ Start', '📋 List tracks', '✖️ Cancel']);
    server.pushCallbackQuery(OWNER, preview.messageId, buttons[1]!.callback_data);
    const dry = await sentWith(server, `📋 ${PLAYLIST_NAME}`);
    expect(dry.text).toContain('10 tracks');
    expect(dry.text).toContain('1. E2E Title 1 – E2E Artist 1 3:01');
    expect(dry.text).toContain('Nothing was sent to the bot yet.');
    expect(bot.actions()).toHaveLength(0); // nothing went to the external bot yet

    // Telegram's edit limit is hit once: auto-retry waits retry_after and the edit still goes through.
    server.failNext('editMessageText', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    server.pushCallbackQuery(OWNER, preview.messageId, buttons[0]!.callback_data);
    await server.waitFor(() => server.callsOf('answerCallbackQuery').some((c) => c.payload.text === 'Started'));
    const progressText = () => server.messageText(OWNER.id, preview.messageId) ?? '';

    // Let a few tracks land, then pause from the progress message.
    await server.waitFor(() => /\((?:[3-9]|10)\/10\)/.test(progressText()), 20_000);
    // "Missing (n)" joins them as soon as a not-found track has finished, which depends on timing.
    expect(buttonsOf(server, preview.messageId).filter((b) => !b.startsWith('🔎 Missing'))).toEqual(['⏸ Pause', '✖️ Cancel']);
    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('pause', jobId));
    await server.waitFor(() => server.callsOf('answerCallbackQuery').some((c) => c.payload.text === 'Paused'), 10_000);
    expect(progressText()).toContain('⏸ paused: paused by you');
    expect(buttonsOf(server, preview.messageId)).toContain('▶️ Resume');
    const pausedAt = progressText();
    const actionsWhenPaused = bot.actions().length;

    // While paused: nothing is sent to the external bot (200 ms of real time = several message
    // gaps), and a stranger's Resume on the owner's message does nothing at all.
    const strangerPress = server.pushCallbackQuery(STRANGER, preview.messageId, encodeCallback('resume', jobId), OWNER.id);
    server.pushMessage(STRANGER, '/resume');
    await server.waitUntilIdle();
    await new Promise((r) => setTimeout(r, 400));
    expect(bot.actions().length).toBe(actionsWhenPaused);
    expect(progressText()).toBe(pausedAt);
    const strangerCalls = server.calls.filter(
      (c) => Number(c.payload.chat_id) === STRANGER.id || String(c.payload.callback_query_id) === `cq${strangerPress}`,
    );
    expect(strangerCalls).toEqual([]);

    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('resume', jobId));
    await server.waitFor(() => server.callsOf('answerCallbackQuery').some((c) => c.payload.text === 'Resumed'));

    // The completion notice: a new message with the engine's counts and the folder.
    const notice = await sentWith(server, '✅ Finished', 30_000);
    const folder = path.join(stack.downloadDir, PLAYLIST_NAME);
    expect(notice.text).toContain(`✅ Finished: ${PLAYLIST_NAME} (job #${jobId})`);
    const why = () =>
      running.stderr
        .text()
        .split('\n')
        .filter((l) => /"level":[345]0/.test(l) && !/"level":30.*"msg":"(?:update|link read|job created)"/.test(l))
        .join('\n');
    expect(notice.text, why()).toContain('Found 8 of 10');
    expect(notice.text).toContain('Not found: 1 · Mismatch: 1\nFailed: 0');
    expect(notice.text).toContain(`Folder: ${folder}`);
    expect(notice.text).toContain(`Playlist: ${PLAYLIST_NAME}.m3u8`);
    expect(notice.text).toContain(`/missing ${jobId} shows the 2 tracks that need you.`);

    // The progress message: edited in place many times, never to the same text twice in a row.
    await server.waitFor(() => progressText().includes('(10/10)') && progressText().includes('✅ finished'));
    const history = textHistory(server, preview.messageId);
    expect(new Set(history).size).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < history.length; i++) expect(history[i], `edit ${i} repeats the text before it`).not.toBe(history[i - 1]);
    expect(history.some((t) => t.includes('In flight'))).toBe(true);
    expect(history.some((t) => t.includes('⏸ paused'))).toBe(true);
    expect(progressText()).toContain('✅ 8 found · ❔ 1 not found\n⚠️ 1 mismatch · ❌ 0 failed');
    const refused = server.callsOf('editMessageText').filter((c) => c.response?.ok === false);
    expect(refused.map((c) => (c.response as { error_code: number }).error_code)).toEqual([429]);

    // Files on disk, named after the tracks; the playlist lists them in order.
    const expected = stack.tracks
      .map((t, i) => ({ k: i + 1, name: `${t.artists.join(', ')} - ${t.name}.flac` }))
      .filter(({ k }) => !stack!.notFound.includes(k) && !stack!.wrong.includes(k))
      .map((e) => e.name);
    const onDisk = (await readdir(folder)).filter((f) => f.endsWith('.flac')).sort();
    expect(onDisk).toEqual([...expected].sort());
    const m3u = await readFile(path.join(folder, `${PLAYLIST_NAME}.m3u8`), 'utf8');
    expect(m3u.split('\n').filter((l) => l.endsWith('.flac'))).toEqual(expected);
    // The decoys, the karaoke file and the not-found track cost no download.
    const wrongTitle = stack.tracks[stack.wrong[0]! - 1]!.name;
    expect(onDisk.some((f) => f.includes('Karaoke') || f.includes(wrongTitle))).toBe(false);

    // Shutdown on the signal: polling stops, the process is left with nothing running.
    running.controller.abort();
    expect(await running.exit).toBe(0);
    const polls = server.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 150));
    expect(server.callsOf('getUpdates').length).toBe(polls);

    // No secret in anything written (logs ran at trace level).
    const output = running.stdout.text() + running.stderr.text();
    expect(output).toContain('"level":20');
    for (const secret of stack.secrets) expect(output).not.toContain(secret);

    // Once the fake servers are gone (they hold the server ends of keep-alive connections), Crate
    // left nothing behind that keeps the process alive: no timer, no socket.
    await stack.close();
    stack = null;
    // GramJS's update loop (9 s) and exported senders' release timers (30 s) can outlive destroy and
    // cannot be woken: those timers end by themselves (the binary also exits within 2 s anyway).
    const extra = () => Object.entries(liveHandles()).filter(([kind, n]) => n > (handlesBefore[kind] ?? 0));
    await expect.poll(extra, { timeout: 40_000, interval: 200 }).toEqual([]);
  }, 110_000);

  it('/missing: the owner picks a row of the bot’s own menu for a mismatched track; the choice is fetched and stored', async () => {
    stack = await startStack({ tracks: 7 });
    const { server, bot } = stack;
    const running = await serve(stack, { createGateway: loggedInGateway(stack) });
    server.pushMessage(OWNER, stack.playlistUrl);
    const preview = await sentWith(server, 'is ready');
    const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
    const first = await sentWith(server, '✅ Finished', 20_000);
    expect(first.text).toContain('Found 5 of 7');
    expect(first.text).toContain('Not found: 1 · Mismatch: 1\nFailed: 0');

    server.pushMessage(OWNER, `/missing ${jobId}`);
    const missing = await sentWith(server, 'Tap one');
    expect(missing.text).toContain('2 tracks need you:');
    expect(missing.text).toContain('❔ 5. E2E Title 5 – E2E Artist 5');
    expect(missing.text).toContain('⚠️ 7. E2E Title 7 – E2E Artist 7');
    const press = (message: { messageId: number; payload: Record<string, any> }, label: RegExp) => {
      const button = (message.payload.reply_markup.inline_keyboard as { text: string; callback_data: string }[][]).flat().find((b) => label.test(b.text));
      if (!button) throw new Error(`no button ${label} in ${JSON.stringify(message.payload.reply_markup)}`);
      server.pushCallbackQuery(OWNER, message.messageId, button.callback_data);
    };
    press(missing, /^7\. /);
    const detail = await sentWith(server, 'State: file did not match');
    expect(detail.text).toMatch(/Why: .*Karaoke/);
    press(detail, /Pick from menu/);
    const menu = await sentWith(server, 'The bot’s menu for this track', 10_000);
    const rows = (menu.payload.reply_markup.inline_keyboard as { text: string }[][]).flat().map((b) => b.text);
    expect(rows).toContain('E2E Artist 7 - E2E Title 7 [3:07]');
    expect(rows.some((r) => r.includes('Karaoke'))).toBe(true);
    press(menu, /\(Extended Mix\)/);
    const remembered = await sentWith(server, 'it is queued again');
    expect(remembered.text).toContain(`Job #${jobId} is paused: /resume ${jobId}`);

    // The job was done: it waits for a resume, then fetches that row only.
    const actionsBefore = bot.actions().filter((a) => a.kind === 'send').length;
    await server.waitFor(() => buttonsOf(server, preview.messageId).includes('▶️ Resume'));
    server.pushMessage(OWNER, `/resume ${jobId}`);
    await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('✅ Finished')).length === 2, 20_000);
    const second = server.sentMessages((p) => String(p.text).startsWith('✅ Finished')).at(-1)!;
    expect(second.text).toContain('Found 6 of 7');
    expect(second.text).toContain('Not found: 1 · Mismatch: 0\nFailed: 0');
    expect(bot.actions().filter((a) => a.kind === 'send').length - actionsBefore).toBe(1);
    expect(bot.deliveries().at(-1)!.row).toMatch(/\(Extended Mix\)/);
    const files = (await readdir(path.join(stack.downloadDir, PLAYLIST_NAME))).filter((f) => f.endsWith('.flac'));
    expect(files).toContain('E2E Artist 7 - E2E Title 7.flac');
    server.pushMessage(OWNER, '/jobs');
    const jobs = await sentWith(server, 'Recent jobs');
    expect(jobs.text).toContain(`#${jobId} ${PLAYLIST_NAME} — finished, 6/7 found, 1 missing`);

    running.controller.abort();
    expect(await running.exit).toBe(0);
  }, 40_000);

  it('Ctrl+C in the middle of a job pauses it at a safe point; the next serve goes on where it stopped', async () => {
    stack = await startStack({ tracks: 6 });
    const { server, bot } = stack;
    // One clock across the restart, as in life: with a fresh scaled clock the second serve would
    // start behind the first one's virtual time, and its pacer would wait for "future" sends.
    const clock = scaledClock(SCALE);
    const first = await serve(stack, { createGateway: loggedInGateway(stack), clock });
    server.pushMessage(OWNER, stack.playlistUrl);
    const preview = await sentWith(server, 'is ready');
    const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
    const progressText = () => server.messageText(OWNER.id, preview.messageId) ?? '';
    await server.waitFor(() => /\([2-5]\/6\)/.test(progressText()), 20_000);

    first.controller.abort(new Error('SIGINT'));
    expect(await first.exit).toBe(0);
    expect(progressText()).toContain('⏸ paused: Crate was stopped; the job resumes when it starts again');
    const actionsAtStop = bot.actions().length;
    await new Promise((r) => setTimeout(r, 300));
    expect(bot.actions().length).toBe(actionsAtStop); // nothing more was sent after the stop

    // Started again on the same data: the job goes on by itself in the same progress message.
    const second = await serve(stack, { createGateway: loggedInGateway(stack), clock });
    const notice = await sentWith(server, '✅ Finished', 20_000);
    expect(notice.text).toContain('Found 5 of 6');
    expect(notice.text).toContain('Not found: 1 · Mismatch: 0\nFailed: 0');
    await server.waitFor(() => progressText().includes('✅ finished') && progressText().includes('(6/6)'));
    expect(server.sentMessages((p) => String(p.text).includes(`job #${jobId}`) && !String(p.text).startsWith('✅ Finished'))).toEqual([]);
    // Each track was asked for once: what was in flight at the stop was picked up from the chat.
    const sends = bot.actions().filter((a) => a.kind === 'send').map((a) => a.detail);
    expect(sends.length).toBe(new Set(sends).size);
    expect(bot.deliveries().filter((d) => d.kind === 'requested')).toHaveLength(5);
    const files = (await readdir(path.join(stack.downloadDir, PLAYLIST_NAME))).filter((f) => f.endsWith('.flac'));
    expect(files).toHaveLength(5);

    second.controller.abort();
    expect(await second.exit).toBe(0);
  }, 40_000);

  it('starts without a user session: /status says so once, Start refuses with one Log in message; /login (separated code, 2FA) and Start run it', async () => {
    stack = await startStack({ tracks: 3 });
    const { server, bot } = stack;
    const account = await loginAccount(stack);
    const running = await serve(stack, {
      createGateway: gatewayFromSessionFile(stack),
      createLoginClient: () => account.createLoginClient(),
    });

    // The session is named once, and nothing blames EXTERNAL_BOT_USERNAME for a missing login.
    server.pushMessage(OWNER, '/status');
    const status = await sentWith(server, 'Crate status');
    expect(status.text).toContain('❌ Telegram session: not logged in — send /login (jobs wait until then)');
    expect(status.text.match(/not logged in/g)).toHaveLength(1);
    expect(status.text).not.toContain('EXTERNAL_BOT_USERNAME');
    expect(status.text).not.toContain('crate login');

    // Start refuses before anything runs: one message with a Log in button; the job stays ready.
    server.pushMessage(OWNER, stack.playlistUrl);
    const preview = await sentWith(server, 'is ready');
    const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
    const sentBefore = server.sentMessages().length;
    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
    const refusal = await sentWith(server, 'not logged in to Telegram yet');
    expect(refusal.text).toBe(
      `🔑 Crate is not logged in to Telegram yet, so job #${jobId} cannot start.\nTap Log in (or send /login); the job waits, nothing is sent meanwhile.`,
    );
    expect((refusal.payload.reply_markup.inline_keyboard as { text: string }[][]).flat().map((b) => b.text)).toEqual(['🔑 Log in']);
    await server.waitFor(() => server.callsOf('answerCallbackQuery').some((c) => c.payload.text === 'Not logged in yet: log in first'));
    // Pressing again does not ring the phone again.
    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
    await server.waitFor(() => server.callsOf('answerCallbackQuery').some((c) => c.payload.text === 'Not logged in yet: tap Log in or send /login'));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.sentMessages().length).toBe(sentBefore + 1);
    expect(server.messageText(OWNER.id, preview.messageId)).toBe(preview.text);
    expect(buttonsOf(server, preview.messageId)).toEqual(['▶️ Start', '📋 List tracks', '✖️ Cancel']);
    expect(bot.actions()).toHaveLength(0);
    const everything = server.calls
      .filter((c) => c.method === 'sendMessage' || c.method === 'editMessageText' || c.method === 'answerCallbackQuery')
      .map((c) => String(c.payload.text ?? ''))
      .join('\n');
    for (const word of ['expired', 'stopped working', 'no longer valid', 'NO_SESSION', '`', 'Something went wrong']) expect(everything).not.toContain(word);

    // Only messages that left count: none did.
    server.pushMessage(OWNER, '/status');
    await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('Crate status')).length === 2);
    const again = server.sentMessages((p) => String(p.text).startsWith('Crate status')).at(-1)!;
    expect(again.text).toContain('0/400 messages today');
    expect(again.text).toMatch(new RegExp(`#${jobId} ${PLAYLIST_NAME} — ready, not started 0/3`));

    // /login (the button) through the real LoginFlow on a GramJS client: phone, code with separators, 2FA.
    server.pushCallbackQuery(OWNER, refusal.messageId, encodeCallback('login', 0));
    await sentWith(server, 'Send the phone number');
    const secretMessages = [server.pushMessage(OWNER, LOGIN.phone)];
    const prompt = await sentWith(server, 'WITH SEPARATORS');
    expect(prompt.text).toContain('Telegram cancels a login code the moment it sees it in any Telegram message');
    secretMessages.push(server.pushMessage(OWNER, LOGIN.code)); // bare: refused before Telegram sees it
    await sentWith(server, 'Type the code with separators between the digits');
    expect(account.requests.filter((r) => r.className === 'auth.SignIn')).toHaveLength(0);
    secretMessages.push(server.pushMessage(OWNER, LOGIN.code.split('').join('-')));
    const ask = await sentWith(server, 'two-step verification');
    expect(ask.text).toContain(`(hint: ${LOGIN.hint})`);
    secretMessages.push(server.pushMessage(OWNER, LOGIN.password));
    const loggedIn = await sentWith(server, '✅ Logged in as @owner', 10_000);
    expect(loggedIn.text).toContain(`Ready to start: #${jobId} ${PLAYLIST_NAME}.`);
    // The password parameters are fetched once for the hint and again (fresh SRP values) for the check.
    expect(account.requests.map((r) => r.className)).toEqual([
      'auth.SendCode',
      'auth.SignIn',
      'account.GetPassword',
      'account.GetPassword',
      'auth.CheckPassword',
    ]);
    expect(account.requests[0]!.phone).toBe('+447700900123');
    const deleted = server.callsOf('deleteMessage').map((c) => Number(c.payload.message_id));
    expect(deleted).toEqual(expect.arrayContaining(secretMessages));

    // The new session replaced the missing one in the running service: Start (offered with the login) runs the job.
    const start = (loggedIn.payload.reply_markup.inline_keyboard as { text: string; callback_data: string }[][]).flat()[0]!;
    expect(start.text).toBe(`▶️ Start #${jobId} ${PLAYLIST_NAME}`);
    server.pushCallbackQuery(OWNER, loggedIn.messageId, start.callback_data);
    const done = await sentWith(server, '✅ Finished', 20_000);
    expect(done.text).toContain('Found 3 of 3');
    expect(done.text).toContain('Not found: 0 · Mismatch: 0\nFailed: 0');
    const files = (await readdir(path.join(stack.downloadDir, PLAYLIST_NAME))).filter((f) => f.endsWith('.flac'));
    expect(files.sort()).toEqual(stack.tracks.map((t) => `${t.artists.join(', ')} - ${t.name}.flac`).sort());
    server.pushMessage(OWNER, '/status');
    await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('Crate status')).length === 3);
    expect(server.sentMessages((p) => String(p.text).startsWith('Crate status')).at(-1)!.text).toContain('✅ Telegram session: ready (@owner)');

    running.controller.abort();
    expect(await running.exit).toBe(0);
    const output = running.stdout.text() + running.stderr.text();
    expect(output).not.toContain('"level":50');
    const session = account.savedSession();
    expect(session).not.toBeNull();
    for (const secret of [...stack.secrets, session!, LOGIN.password, LOGIN.phone, '+447700900123', LOGIN.code, LOGIN.code.split('').join('-')]) {
      expect(output).not.toContain(secret);
    }
  }, 40_000);
});
