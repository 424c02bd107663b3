/**
 * What a phone shows (issue 12 item 8): a preview of at most six short lines, the track list and
 * /missing a page at a time with ◀ ▶, no line Crate writes itself longer than a phone line; and
 * the plain words of expected errors (item 7), with no secret (item 10).
 */
import { describe, expect, it } from 'vitest';
import { toChatWords } from '../../src/bot/chat-words.js';
import { errorText, scrubSecrets } from '../../src/bot/errors.js';
import { previewText, trackListView } from '../../src/bot/features/link.js';
import { missingView, trackDetailView } from '../../src/bot/features/missing.js';
import { linkPreviewButtons } from '../../src/bot/keyboards.js';
import { pageSlice, pagerRow } from '../../src/bot/paging.js';
import { FloodWaitError, SafetyStopError, SessionExpiredError, TelegramUnreachableError, UserError } from '../../src/domain/errors.js';
import type { JobRecord, TrackRecord, TrackState } from '../../src/domain/job.js';

const NOW = 1_750_000_000_000;
const PHONE = 35;

function job(extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 12, link: 'https://open.spotify.com/playlist/x', sourceType: 'playlist', sourceId: 'x', name: 'A Very Long Public Playlist Name For Summer Nights 2026',
    backend: 'embed', total: 150, status: 'pending', pauseReason: null,
    options: { limit: null, startFrom: 1, batchSize: 12, organizeBy: 'playlist', yearFolders: false, outputDir: '/music', fileTemplate: '', quality: 'high' },
    warnings: [
      'Read from the public embed page: no ISRC or album names, so files are matched by artist, title and length.',
      "Spotify's Web API does not know this playlist (404); trying its public page. ".repeat(3),
      'Only the first 100 of 150 tracks are on the public page. Log in with /spotify to read the whole list of your own playlists.',
    ],
    createdAt: NOW, updatedAt: NOW, startedAt: null, finishedAt: null, progressChatId: null, progressMessageId: null, ...extra,
  };
}

function track(position: number, state: TrackState, title = `Title number ${position} (Extended Club Mix)`): TrackRecord {
  return {
    id: 100 + position, jobId: 12, position, spotifyId: null, artists: ['Some Artist', 'Another One'], title, album: null, durationMs: 200_000 + position * 1000,
    isrc: null, releaseYear: null, state, attempts: 1, lastError: state === 'queued' ? null : 'no row matched the length', nextAttemptAt: null,
    requestMessageId: null, menuMessageId: null, pickedRow: null, fileMessageId: null, receivedFile: null, filePath: null, quarantinePath: null,
    audio: null, rememberedChoice: null, createdAt: NOW, updatedAt: NOW,
  };
}

const width = (line: string) => [...line].length;

describe('the link preview', () => {
  it('is at most six lines, each within a phone line; the three notes are behind a button', () => {
    const text = previewText(job(), 100);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(6);
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(PHONE);
    expect(text.length).toBeLessThan(220);
    expect(text).toContain('100 of 150 tracks');
    expect(text).toContain('⚠️ 3 notes: tap Notes');
    expect(linkPreviewButtons(12, 3).flat().map((b) => b.text)).toEqual(['▶️ Start', '📋 List tracks', '✖️ Cancel', 'ℹ️ Notes (3)']);
    expect(linkPreviewButtons(12, 0).flat().map((b) => b.text)).toEqual(['▶️ Start', '📋 List tracks', '✖️ Cancel']);
  });
});

describe('paged lists', () => {
  it.each([
    [0, 25, 10, { page: 0, pages: 3, from: 1, to: 10 }, ['1/3', '▶']],
    [1, 25, 10, { page: 1, pages: 3, from: 11, to: 20 }, ['◀', '2/3', '▶']],
    [2, 25, 10, { page: 2, pages: 3, from: 21, to: 25 }, ['◀', '3/3']],
    [9, 25, 10, { page: 2, pages: 3, from: 21, to: 25 }, ['◀', '3/3']],
    [0, 10, 10, { page: 0, pages: 1, from: 1, to: 10 }, []],
    [0, 0, 10, { page: 0, pages: 1, from: 0, to: 0 }, []],
  ])('page %i of %i rows by %i', (page, rows, size, expected, buttons) => {
    const slice = pageSlice(Array.from({ length: rows }, (_, i) => i), page, size);
    expect({ page: slice.page, pages: slice.pages, from: slice.from, to: slice.to }).toEqual(expected);
    expect(pagerRow('listPage', 12, slice).map((b) => b.text)).toEqual(buttons);
  });

  it('the track list: ten short rows a page instead of ~4k characters', () => {
    const tracks = Array.from({ length: 100 }, (_, i) => track(i + 1, 'queued'));
    const view = trackListView(job(), tracks, 3);
    const lines = view.text.split('\n');
    expect(lines[1]).toBe('Tracks 31–40 of 100');
    expect(lines.filter((l) => /^\d+\. /.test(l))).toHaveLength(10);
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(PHONE + 1);
    expect(view.text.length).toBeLessThan(600);
    expect(view.buttons).toHaveLength(1);
    expect(view.buttons[0]!.map((b) => [b.text, b.arg])).toEqual([['◀', 2], ['4/10', 3], ['▶', 4]]);
  });

  it('/missing: eight a page, short rows, four rows of buttons plus ◀ ▶; each track in its real state', () => {
    const all = [
      ...Array.from({ length: 20 }, (_, i) => track(i + 1, i % 3 === 0 ? 'mismatch' : i % 3 === 1 ? 'failed' : 'not_found')),
      track(21, 'queued'),
      track(22, 'done'),
    ];
    const missing = all.filter((t) => ['not_found', 'mismatch', 'failed'].includes(t.state));
    const view = missingView(job({ status: 'done', startedAt: NOW }), missing, all, 1);
    const lines = view.text.split('\n');
    expect(lines).toContain('20 tracks need you:');
    expect(lines).toContain('(9–16 of 20)');
    expect(lines).toContain('Not missing: 1 not asked for yet.');
    expect(lines.filter((l) => /^(❔|⚠️|❌) \d+\. /.test(l))).toHaveLength(8);
    expect(lines).toContain('⚠️ 10. Title number 10 (Extended C…');
    expect(lines).toContain('❌ 11. Title number 11 (Extended Cl…');
    for (const line of lines.slice(0, -1)) expect(width(line), line).toBeLessThanOrEqual(PHONE);
    expect(view.buttons).toHaveLength(5);
    expect(view.buttons.at(-1)!.map((b) => b.text)).toEqual(['◀', '2/3', '▶']);
    expect(trackDetailView(all[1]!).text).toContain('State: failed after 1 attempt');
    expect(trackDetailView(all[0]!).text).toContain('State: file did not match');
  });

  it('/missing of a job never started: nothing is missing, it was not started', () => {
    const all = Array.from({ length: 6 }, (_, i) => track(i + 1, 'queued'));
    const view = missingView(job(), [], all);
    expect(view.text).toBe('Job #12 A Very Long Public Pla… \nIt was not started yet: Start on its message asks the bot.'.replace(' \n', '\n'));
    expect(view.buttons).toEqual([]);
  });
});

describe('expected errors in plain words, never a secret', () => {
  it.each([
    [new SessionExpiredError('NO_SESSION'), 'Crate is not logged in to Telegram yet. Send /login first.'],
    [new SessionExpiredError('AUTH_KEY_UNREGISTERED'), 'Your Telegram session expired (AUTH_KEY_UNREGISTERED). Send /login to log in again.'],
    [new FloodWaitError(95, 'messages.SendMessage'), 'Telegram asked Crate to wait 1 min 35 s. Try again after that.'],
    [new SafetyStopError('budget', 'Daily message budget reached (400/400 in 24 h).'), 'Daily message budget reached (400/400 in 24 h).'],
    [
      new TelegramUnreachableError('connection refused or dropped'),
      '📡 Telegram cannot be reached from the machine Crate runs on (connection refused or dropped). Check its network connection, then try again.',
    ],
  ])('%s', (err, text) => {
    expect(errorText(err, [])).toBe(text);
  });

  it('an unexpected error says so, without the token of a Bot API URL in it', () => {
    const token = '123456789:AAH-abcdefghijklmnopqrstuvwxyz012345';
    const text = errorText(new Error(`fetch failed: https://api.telegram.org/bot${token}/sendMessage`), []);
    expect(text).toContain('Something went wrong');
    expect(text).not.toContain('AAH-abcdefghijklmnopqrstuvwxyz012345');
    expect(scrubSecrets(`/bot${encodeURIComponent(token)}/getMe`, [])).toBe('/bot[redacted-token]/getMe');
    expect(scrubSecrets(`x=${encodeURIComponent('+44 20 1234')}`, ['+44 20 1234'])).toBe('x=[redacted]');
  });
});

describe('chat words for texts shared with the terminal', () => {
  it.each([
    ['Log in first (`crate login` or /login).', 'Log in first (/login).'],
    ['Log in again with `crate login` (or /login in the control bot).', 'Log in again with /login.'],
    ['not logged in: run `crate login` or send /login to the control bot', 'not logged in: send /login'],
    ['Run `crate spotify-login` again (or send /spotify to the control bot).', 'Send /spotify again.'],
    ['copy it into a playlist of your own and log in (`crate spotify-login` or /spotify), or turn on X.', 'copy it into a playlist of your own and log in (/spotify), or turn on X.'],
    ['if it is yours, log in with `crate spotify-login` so Crate can read it privately.', 'if it is yours, log in with /spotify so Crate can read it privately.'],
    ['then run `crate spotify-login` again.', 'then send /spotify again.'],
    ['No job 3. Run `crate status` to see the jobs.', 'No job 3. Send /jobs to see the jobs.'],
    ['Nothing to change here.', 'Nothing to change here.'],
  ])('%s', (shared, chat) => {
    expect(toChatWords(shared)).toBe(chat);
  });

  it('errors shown in the chat use them', () => {
    const text = errorText(new UserError('That playlist is private.', 'Run `crate spotify-login` again (or send /spotify to the control bot).'), []);
    expect(text).toBe('That playlist is private.\nSend /spotify again.');
  });
});
