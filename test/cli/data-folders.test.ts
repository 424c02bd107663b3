/**
 * Data and download folders that cannot be used, through the real `crate` binary: a folder that is
 * a file, one this user may not write, a database owned by someone else. Each command says what is
 * wrong and the fix (exit 2), never "unexpected error: EACCES". Read-only commands create nothing.
 *
 * Permissions are real: as root (CI) the binary runs as `nobody` against root's files; otherwise
 * the folders are made read-only for the user running the tests.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { runCrate, type CrateRunOptions } from './support/crate-bin.js';

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const PL = fakeId('pl:folders');
let fake: FakeSpotify;
let base: string;

beforeAll(async () => {
  fake = await startFakeSpotify({ playlists: [{ id: PL, name: 'Folder Set', ownerId: 'someone', rows: makeTracks(3, { prefix: 'Fold' }) }] });
  base = mkdtempSync(path.join(tmpdir(), 'crate-folders-'));
  chmodSync(base, 0o755);
});
afterAll(async () => {
  await fake.close();
  chmodTree(base);
  rmSync(base, { recursive: true, force: true });
});

function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) chmodTree(path.join(dir, e.name));
}

/** A fresh working folder the binary may use (its own cwd), and a runner for it. */
function workspace(name: string) {
  const cwd = path.join(base, name);
  mkdirSync(cwd, { recursive: true });
  chmodSync(cwd, 0o777);
  const run = (args: string[], env: Record<string, string>, extra: Partial<CrateRunOptions> = {}) =>
    runCrate(args, { cwd, env: { ...fake.env(), ...env }, ...(asRoot ? { uid: NOBODY } : {}), ...extra });
  return { cwd, run };
}

/** A folder the binary's user may not write: root's as seen by nobody, or a read-only one. */
function unwritableFolder(at: string): string {
  mkdirSync(at, { recursive: true });
  chmodSync(at, asRoot ? 0o755 : 0o555);
  return at;
}

const COMMANDS: string[][] = [['status'], ['report'], ['reset'], ['doctor'], ['missing', openUrl('playlist', PL)]];

function expectPlainRefusal(run: { code: number | null; stderr: string; stdout: string }, message: RegExp) {
  expect(`${run.stdout}${run.stderr}`).toMatch(message);
  expect(run.stderr).not.toMatch(/unexpected error|\n {4}at /);
  expect(run.code).toBe(2);
}

describe('a data folder that is a file', () => {
  it.each(COMMANDS)('crate %s says so and exits 2', async (...args) => {
    const ws = workspace(`file-${args[0]}`);
    const file = path.join(ws.cwd, 'data');
    writeFileSync(file, 'not a folder');
    const run = await ws.run(args, { CRATE_DATA_DIR: file, DOWNLOAD_FOLDER: path.join(ws.cwd, 'dl') });
    expectPlainRefusal(run, /The data folder .*data is a file \(or lies under one\), not a folder/);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Move that file away, or set CRATE_DATA_DIR to another folder/);
  });
});

describe('a data folder this user may not use', () => {
  it.each(COMMANDS)('crate %s names the folder, the user and the fix', async (...args) => {
    const ws = workspace(`locked-${args[0]}`);
    const data = path.join(ws.cwd, 'data');
    mkdirSync(data);
    // Not even readable: the database inside cannot be looked at.
    chmodSync(data, asRoot ? 0o700 : 0o000);
    const run = await ws.run(args, { CRATE_DATA_DIR: data, DOWNLOAD_FOLDER: path.join(ws.cwd, 'dl') });
    chmodSync(data, 0o755);
    expectPlainRefusal(run, /may not write to the data folder .*data \(EACCES\)/);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Give \S+ write access/);
  });

  it('doctor reports a data folder it cannot create without creating anything', async () => {
    const ws = workspace('doctor-parent');
    const parent = unwritableFolder(path.join(ws.cwd, 'locked'));
    const run = await ws.run(['doctor'], { CRATE_DATA_DIR: path.join(parent, 'data'), DOWNLOAD_FOLDER: path.join(parent, 'dl') });
    expectPlainRefusal(run, /FAIL\s+Data folder\s+Crate \(running as \S+\) may not write to the data folder/);
    expect(run.stdout).toMatch(/FAIL\s+Download folder\s+Crate \(running as \S+\) may not write to the download folder/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('a database owned by someone else', () => {
  it.each([['status'], ['report'], ['reset']])('crate %s says whose it is and how to fix it', async (...args) => {
    const ws = workspace(`db-${args[0]}`);
    const data = path.join(ws.cwd, 'data');
    mkdirSync(data);
    openDatabase(path.join(data, 'crate.sqlite')).close();
    // Root's file in a folder nobody may write; or, not as root, a read-only file and folder.
    chmodSync(path.join(data, 'crate.sqlite'), asRoot ? 0o644 : 0o444);
    chmodSync(data, asRoot ? 0o777 : 0o555);
    const run = await ws.run(args, { CRATE_DATA_DIR: data });
    chmodSync(data, 0o755);
    expectPlainRefusal(run, /Cannot use the database .*crate\.sqlite:.* may not write it \((EPERM|EACCES|SQLITE_\w+)\)/);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Run Crate as the user who owns it, or give it to \S+: `sudo chown/);
  });
});

describe('a download folder that is a file', () => {
  it('is refused before the download starts (exit 2, nothing asked of Spotify)', async () => {
    const ws = workspace('dl-file');
    const file = path.join(ws.cwd, 'downloads');
    writeFileSync(file, 'oops');
    const before = fake.requests.length;
    const run = await ws.run(['download', openUrl('playlist', PL)], { DOWNLOAD_FOLDER: file, CRATE_DATA_DIR: path.join(ws.cwd, 'data') });
    expectPlainRefusal(run, /The download folder .*downloads is a file \(or lies under one\), not a folder/);
    expect(fake.requests.length).toBe(before);
    const flag = await ws.run(['download', openUrl('playlist', PL), '--output-dir', file], { CRATE_DATA_DIR: path.join(ws.cwd, 'data') });
    expectPlainRefusal(flag, /The output folder .* is a file [\s\S]*, or set --output-dir to another folder/);
  });
});

describe('read-only commands create nothing', () => {
  it('status, report, reset, doctor and missing leave an empty folder empty', async () => {
    const ws = workspace('pristine');
    for (const args of [...COMMANDS, ['download', openUrl('playlist', PL), '--dry-run']]) {
      const run = await ws.run(args, {});
      expect(run.stderr, args.join(' ')).not.toMatch(/unexpected error/);
    }
    expect(readdirSync(ws.cwd)).toEqual([]);
    expect(existsSync(path.join(ws.cwd, 'data'))).toBe(false);
  });
});
