import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderM3u8, writeM3u8 } from '../../src/library/m3u.js';
import { inChunks, linkOrCopy, moveIntoPlace, sameFile, writeFileAtomic } from '../../src/library/store-file.js';

describe('store-file and m3u', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-store-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('moves a file into a new folder and never overwrites: collisions get " (2)", " (3)"', async () => {
    const dest = path.join(dir, 'lib', 'Playlist', 'A - B.flac');
    const first = await moveIntoPlace(file('1.part', 'one'), dest);
    const second = await moveIntoPlace(file('2.part', 'two'), dest);
    const third = await moveIntoPlace(file('3.part', 'three'), dest);
    expect([first, second, third].map((p) => path.basename(p))).toEqual(['A - B.flac', 'A - B (2).flac', 'A - B (3).flac']);
    expect(readFileSync(first, 'utf8')).toBe('one');
    expect(readFileSync(second, 'utf8')).toBe('two');
    expect(existsSync(path.join(dir, '1.part'))).toBe(false);
  });

  it('hard-links an existing file (same inode), and does nothing when it is already there', async () => {
    const original = await moveIntoPlace(file('x.part', 'audio'), path.join(dir, 'lib', 'P1', 'A - B.flac'));
    const linked = await linkOrCopy(original, path.join(dir, 'lib', 'P2', 'A - B.flac'));
    expect(await sameFile(original, linked)).toBe(true);
    expect(statSync(original).nlink).toBe(2);
    expect(await linkOrCopy(original, linked)).toBe(linked);
    // A different file already at the name: a numbered link, nothing overwritten.
    file('other.flac', 'other');
    const beside = await linkOrCopy(original, path.join(dir, 'other.flac'));
    expect(path.basename(beside)).toBe('other (2).flac');
    expect(readFileSync(path.join(dir, 'other.flac'), 'utf8')).toBe('other');
  });

  it('writes files atomically (no temporary file left behind)', async () => {
    const target = path.join(dir, 'sub', 'list.m3u8');
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, 'second');
    expect(readFileSync(target, 'utf8')).toBe('second');
    expect(readdirSync(path.join(dir, 'sub'))).toEqual(['list.m3u8']);
  });

  it('writes a text given line by line in bounded chunks, byte for byte what the joined lines would be', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `    <TRACK Name="Title ${i} – 東京" Location="file://localhost/x/${i}.flac"/>`);
    const chunks = [...inChunks(lines, 4096)];
    expect(chunks.length).toBeGreaterThan(50);
    // Each chunk ends at a line end and stays within the size plus one line.
    for (const c of chunks) expect(c.endsWith('\n') && c.length < 4096 + 100).toBe(true);
    const target = path.join(dir, 'export', 'Crate Library.xml');
    await writeFileAtomic(target, inChunks(lines, 4096));
    expect(readFileSync(target, 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect([...inChunks([])]).toEqual([]);
  });

  it('renders an m3u8 in the given order with #EXTINF and relative forward-slash paths', async () => {
    const list = path.join(dir, 'lib', 'Set.m3u8');
    const entries = [
      { path: path.join(dir, 'lib', 'Set', 'B - Two.flac'), durationMs: 200_400, artists: ['B'], title: 'Two' },
      { path: path.join(dir, 'lib', 'Artist', 'A, C - One.flac'), durationMs: null, artists: ['A', 'C'], title: 'One' },
    ];
    expect(renderM3u8(entries, list)).toBe('#EXTM3U\n#EXTINF:200,B - Two\nSet/B - Two.flac\n#EXTINF:-1,A, C - One\nArtist/A, C - One.flac\n');
    await writeM3u8(list, entries);
    expect(readFileSync(list, 'utf8').startsWith('#EXTM3U\n')).toBe(true);
  });
});
