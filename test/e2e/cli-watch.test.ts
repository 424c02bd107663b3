/**
 * `crate watch` through the real CLI and composition root, on the fake Spotify server and the
 * simulated @LosslessRobot: add (downloads in the foreground), the playlist changes, a dry run
 * prints + / - lines and the summary and sends nothing, a real check downloads only the new tracks,
 * list --json, report lists what left, remove.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { scaledClock } from '../../src/engine/clock.js';
import { PLAYLIST_NAME, SCALE, loggedInGateway, sink, startStack, type Stack } from './serve-stack.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

async function crate(s: Stack, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(['node', 'crate', ...args], {
    env: { ...s.env, LOG_LEVEL: 'warn' },
    cwd: s.root,
    stdout: stdout.stream,
    stderr: stderr.stream,
    wiring: { createGateway: loggedInGateway(s), clock: scaledClock(SCALE) },
  });
  return { code, out: stdout.text(), err: stderr.text() };
}

const label = (t: { artists: string[]; name: string }) => `${t.artists.join(', ')} - ${t.name}`;

describe('crate watch', () => {
  it('add, a dry-run check (+/- lines, summary, nothing sent), a real check, list --json, report, remove', async () => {
    stack = await startStack({ tracks: 8, rows: 4 });
    const { bot, spotify, tracks } = stack;

    const added = await crate(stack, ['watch', 'add', stack.playlistUrl, '--every', '2h']);
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain(`Watching "${PLAYLIST_NAME}" (watch #1): every 2h, next check `);
    expect(added.out).toContain(`${PLAYLIST_NAME}: `);
    const folder = path.join(stack.downloadDir, PLAYLIST_NAME);
    expect((await readdir(folder)).filter((f) => f.endsWith('.flac'))).toHaveLength(4);

    spotify.setRows(stack.playlistId, [tracks[0]!, tracks[1]!, tracks[2]!, tracks[4]!, tracks[5]!, tracks[7]!]);
    const actionsBefore = bot.actions().length;
    const dry = await crate(stack, ['watch', 'check', '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    const lines = dry.out.trimEnd().split('\n');
    expect(lines.filter((l) => /^[+-] /.test(l))).toEqual([`+ ${label(tracks[4]!)}`, `+ ${label(tracks[5]!)}`, `+ ${label(tracks[7]!)}`, `- ${label(tracks[3]!)}`]);
    expect(lines.at(-1)).toBe('watch: 3 added, 1 removed, 3 unchanged');
    expect(bot.actions().length).toBe(actionsBefore);
    // A dry run stores nothing: the same dry run says the same.
    expect((await crate(stack, ['watch', 'check', '1', '--dry-run'])).out.trimEnd().split('\n').at(-1)).toBe('watch: 3 added, 1 removed, 3 unchanged');

    const real = await crate(stack, ['watch', 'check', '1']);
    expect(real.code, real.err).toBe(0);
    expect(real.out).toContain(`+ ${label(tracks[5]!)}`);
    expect(real.out.trimEnd().split('\n').at(-1)).toBe('watch: 3 added, 1 removed, 3 unchanged');
    const onDisk = (await readdir(folder)).filter((f) => f.endsWith('.flac')).sort();
    expect(onDisk).toEqual([1, 2, 3, 4, 6, 8].map((k) => `${label(tracks[k - 1]!)}.flac`).sort());

    // Nothing changed since: the snapshot says so.
    const again = await crate(stack, ['watch', 'check', '--dry-run']);
    expect(again.out).toContain('unchanged since the last check');
    expect(again.out.trimEnd().split('\n').at(-1)).toBe('watch: 0 added, 0 removed, 6 unchanged');

    const list = await crate(stack, ['watch', 'list', '--json']);
    const doc = JSON.parse(list.out) as { watches: { id: number; trackKeys: string[]; removed: { label: string }[]; lastResult: { added: number; downloaded: number; notFound: number } }[] };
    expect(doc.watches).toHaveLength(1);
    expect(doc.watches[0]!.trackKeys).toHaveLength(6);
    expect(doc.watches[0]!.removed.map((r) => r.label)).toEqual([label(tracks[3]!)]);
    expect(doc.watches[0]!.lastResult).toMatchObject({ added: 3, downloaded: 2, notFound: 1 });
    expect((await crate(stack, ['watch', 'list'])).out).toMatch(/#1 {2}Road Trip {2}every 2h {2}active {2}6 tracks/);

    const report = await crate(stack, ['report']);
    expect(report.out).toContain(`Left the playlist (files kept): 1\n  - ${label(tracks[3]!)}`);

    const removed = await crate(stack, ['watch', 'remove', '1']);
    expect(removed.out).toContain(`Stopped watching "${PLAYLIST_NAME}" (watch #1)`);
    expect((await crate(stack, ['watch', 'list'])).out).toContain('No watched playlists.');
    const missing = await crate(stack, ['watch', 'remove', '1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('There is no watch #1.');
  }, 90_000);
});
