/**
 * Small things a user reads, through the real `crate` binary: help in one case, `spotify-login
 * --logout` says only what is true; and the live block's cut by display width (CJK, emoji).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitToWidth } from '../../src/cli/display-width.js';
import { stateWords } from '../../src/cli/job-format.js';
import { runCrate } from './support/crate-bin.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-wording-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help', () => {
  it('every command and option description starts in lower case, like commander\'s own', async () => {
    // The description column of each entry of a section: what follows the first gap of 2+ spaces.
    const descriptions = (help: string, section: string) =>
      (help.split(`\n${section}\n`)[1] ?? '')
        .split('\n\n')[0]!
        .split('\n')
        .filter((l) => /^ {2}\S/.test(l))
        .map((l) => l.replace(/^ {2}\S.*?\s{2,}/, ''));
    const top = await runCrate(['--help'], { cwd: dir });
    expect(top.code).toBe(0);
    const download = await runCrate(['download', '--help'], { cwd: dir });
    const debug = await runCrate(['debug', '--help'], { cwd: dir });
    const lines = [
      ...descriptions(top.stdout, 'Commands:'),
      ...descriptions(top.stdout, 'Options:'),
      ...descriptions(download.stdout, 'Options:'),
      ...descriptions(debug.stdout, 'Commands:'),
    ];
    expect(lines.length).toBeGreaterThan(30);
    for (const line of lines) expect(line, line).toMatch(/^[a-z`"(]/);
  });
});

describe('spotify-login --logout', () => {
  it('with nothing stored says so instead of claiming to forget a login', async () => {
    const run = await runCrate(['spotify-login', '--logout'], { cwd: dir, env: { CRATE_DATA_DIR: path.join(dir, 'data') } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('No Spotify login was stored; nothing to forget.\n');
  });

  it('points at SPOTIFY_REFRESH_TOKEN, which it cannot remove', async () => {
    const run = await runCrate(['spotify-login', '--logout'], { cwd: dir, env: { CRATE_DATA_DIR: path.join(dir, 'data'), SPOTIFY_REFRESH_TOKEN: 'AQBsomething' } });
    expect(run.stdout).toContain('SPOTIFY_REFRESH_TOKEN is still set in the settings');
  });
});

describe('the live block fits the terminal by display width', () => {
  it.each([
    ['  downloading 42%  坂本龍一 - 戦場のメリークリスマス (Merry Christmas Mr. Lawrence) [Live]', 40],
    ['  asked  🎧🔥 DJ 😎 - Ｆｕｌｌｗｉｄｔｈ Ｔｉｔｌｅ 🎶🎶🎶🎶🎶🎶', 30],
    ['  asked  Björk - Jóga (Howie B Main Mix)', 79],
  ])('%s in %i columns never takes more', (line, cols) => {
    const fitted = fitToWidth(line, cols);
    expect(stringWidth(fitted)).toBeLessThanOrEqual(cols);
    if (stringWidth(line) > cols) expect(fitted.endsWith('…')).toBe(true);
    else expect(fitted).toBe(line);
    // Cutting by characters (what the block did) overflows on wide characters.
    if (/[\u3000-\u9fff\uff00-\uffef]|\p{Extended_Pictographic}/u.test(line)) expect(stringWidth(line.slice(0, cols))).toBeGreaterThan(cols);
  });

  it('never splits an emoji sequence or a combining mark', () => {
    const family = 'x'.repeat(8) + '👩‍👩‍👧‍👦' + 'e\u0301'.repeat(5);
    for (let cols = 1; cols < 16; cols++) {
      const fitted = fitToWidth(family, cols).replace(/…$/, '');
      expect(family.startsWith(fitted)).toBe(true);
      expect(fitted.endsWith('\u200d')).toBe(false);
      expect(/[\ud800-\udbff]$/.test(fitted)).toBe(false);
    }
  });
});

describe('state names', () => {
  it('are words, not identifiers', () => {
    expect(stateWords('not_found')).toBe('not found');
    expect(stateWords('skipped')).toBe('already in library');
  });
});
