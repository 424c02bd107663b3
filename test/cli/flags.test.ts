/**
 * Flags and exit codes through the real `crate` binary: every flag is checked before any work
 * (no Spotify request is made for a bad one), senseless combinations are refused, usage errors exit
 * 2 as the README says, and `--debug` is a global option every command takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { runCrate } from './support/crate-bin.js';

const PL = fakeId('pl:flags');
let fake: FakeSpotify;
let dir: string;

beforeAll(async () => {
  fake = await startFakeSpotify({ playlists: [{ id: PL, name: 'Flag Set', ownerId: 'someone', rows: makeTracks(30, { prefix: 'Flag' }) }] });
  dir = mkdtempSync(path.join(tmpdir(), 'crate-flags-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const crate = (args: string[], env: Record<string, string> = {}) =>
  runCrate(args, { cwd: dir, env: { ...fake.env(), CRATE_DATA_DIR: path.join(dir, 'data'), DOWNLOAD_FOLDER: path.join(dir, 'dl'), ...env } });

/** Runs and checks that Spotify was not asked anything. */
async function refused(args: string[], message: RegExp) {
  const before = fake.requests.length;
  const run = await crate(args);
  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(2);
  expect(fake.requests.length).toBe(before);
  return run;
}

const link = () => openUrl('playlist', PL);

describe('usage errors exit 2', () => {
  it('an unknown option or command', async () => {
    await refused(['download', link(), '--bogus'], /unknown option '--bogus'/);
    await refused(['frobnicate'], /unknown command 'frobnicate'/);
  });

  it('crate <link> (the earlier tool) gets a hint to use crate download', async () => {
    const run = await refused([link()], /is a link, not a command/);
    expect(run.stderr).toContain(`crate download ${link()}`);
  });

  it.each([
    [['--batch-size', '0'], /--batch-size must be from 1 to 50, got 0/],
    [['--batch-size', '1000'], /--batch-size must be from 1 to 50, got 1000/],
    [['--limit', '0x10', '--dry-run'], /--limit takes a whole number \(digits only\), got "0x10"/],
    [['--limit', '1e1', '--dry-run'], /digits only/],
    [['--start-from', '2.0', '--dry-run'], /digits only/],
    [['--json'], /--json works with --dry-run or --check-missing only/],
    [['--check-missing', '--dry-run'], /choose one/],
    [['--check-missing', '--limit', '3'], /--limit does not apply/],
    [['--check-missing', '--start-from', '3'], /--start-from does not apply/],
    [['--dir', 'somewhere'], /--dir is the folder for --check-missing/],
    [['--dry-run', '--batch-size', '4'], /--batch-size only apply to a download/],
    [['--sequential', '--batch-size', '4'], /--sequential means one at a time/],
  ])('download %j is refused before Spotify is read', async (flags, message) => {
    await refused(['download', link(), ...flags], message);
  });

  it('--start-from past the end of the list is an error, not "Shown: 0"', async () => {
    const run = await crate(['download', link(), '--dry-run', '--start-from', '31']);
    expect(run.stderr).toContain('--start-from 31 is past the end: the playlist lists 30 tracks.');
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
    const ok = await crate(['download', link(), '--dry-run', '--start-from', '30']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Shown: 1 of 30 listed.');
  });
});

describe('--debug is a global option', () => {
  it.each([['status'], ['report'], ['reset'], ['doctor'], ['serve'], ['missing', '--help']])('crate %s --debug is accepted', async (...args) => {
    const run = await crate([...args, '--debug']);
    expect(run.stderr).not.toMatch(/unknown option/);
    // status 0; report/reset with no jobs 0 or 2 (plain message); doctor and serve without settings: 2.
    expect([0, 2]).toContain(run.code);
    const before = await crate(['--debug', ...args]);
    expect(before.stderr).not.toMatch(/unknown option/);
  });

  it('shows debug logs where the default level would not', async () => {
    const run = await crate(['download', link(), '--dry-run', '--debug'], { LOG_LEVEL: 'info' });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/DEBUG|"level":20/);
  });
});
