/**
 * Names are claimed exclusively: two tracks racing for one final name never overwrite each other,
 * on a file system with hard links (the temp folder) and on FAT file systems without them (a real
 * vfat and exFAT image, mounted when running as root; otherwise the test says why and does nothing).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeM3u8 } from '../../src/library/m3u.js';
import { sanitizeComponent } from '../../src/library/sanitize.js';
import { linkOrCopy, moveIntoPlace, temporaryName } from '../../src/library/store-file.js';
import { mountFat, type FatKind } from '../fakes/fat-mount.js';

const TRIALS = 300;

type Place = { name: string; dir: () => string | null; skipReason: () => string };

const places: Place[] = [];
let tmpDir = '';
const mounts: Partial<Record<FatKind, ReturnType<typeof mountFat>>> = {};

beforeAll(() => {
  tmpDir = mkdtempSync(path.join(tmpdir(), 'crate-claim-'));
  for (const kind of ['vfat', 'exfat'] as const) {
    mounts[kind] = mountFat(kind);
    const m = mounts[kind];
    if (m.ok) console.log(`claim-name: ${kind} mounted with ${m.how}`);
    else console.log(`claim-name: ${kind} tests do nothing here: ${m.reason}`);
  }
});

afterAll(() => {
  for (const m of Object.values(mounts)) if (m.ok) m.unmount();
  rmSync(tmpDir, { recursive: true, force: true });
});

places.push({ name: 'a folder with hard links', dir: () => tmpDir, skipReason: () => '' });
for (const kind of ['vfat', 'exfat'] as const) {
  places.push({
    name: `${kind} (no hard links)`,
    dir: () => {
      const m = mounts[kind];
      return m?.ok ? m.dir : null;
    },
    skipReason: () => {
      const m = mounts[kind];
      return m && !m.ok ? m.reason : 'not mounted';
    },
  });
}

/** The place's folder, or null after saying why this case does nothing here. */
function where(place: Place, test: string): string | null {
  const dir = place.dir();
  if (!dir) console.log(`claim-name: "${test}" on ${place.name} not run: ${place.skipReason()}`);
  return dir;
}

describe.each(places)('claiming final names on $name', (place) => {
  it(`${TRIALS} races of two tracks for one final name: none overwrites the other`, { timeout: 180_000 }, async () => {
    const root = where(place, 'races');
    if (!root) return;
    const base = path.join(root, 'race');
    mkdirSync(base, { recursive: true });
    let overwritten = 0;
    const trial = async (i: number) => {
      const src = path.join(base, `.partial-${i}`);
      mkdirSync(src);
      const a = path.join(src, 'a.part');
      const b = path.join(src, 'b.part');
      writeFileSync(a, `track A of trial ${i}`);
      writeFileSync(b, `track B of trial ${i}`);
      const dest = path.join(base, `t${i}`, 'Artist - Same Title.flac');
      const [pa, pb] = await Promise.all([moveIntoPlace(a, dest), moveIntoPlace(b, dest)]);
      if (pa === pb || readFileSync(pa, 'utf8') !== `track A of trial ${i}` || readFileSync(pb, 'utf8') !== `track B of trial ${i}`) overwritten++;
      expect([pa, pb].sort()).toEqual([dest, path.join(base, `t${i}`, 'Artist - Same Title (2).flac')].sort());
      // No temporary or placeholder names left behind.
      expect(readdirSync(path.dirname(dest)).sort()).toEqual(['Artist - Same Title (2).flac', 'Artist - Same Title.flac']);
    };
    // Ten trials at a time (each in its own folder): more interleaving, less waiting on slow FUSE drivers.
    for (let i = 0; i < TRIALS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => trial(i + k)));
    expect(overwritten).toBe(0);
  });

  it('a copy from another device claims its name too (50 races)', { timeout: 120_000 }, async () => {
    const root = where(place, 'cross-device races');
    if (!root) return;
    // From the temp folder: another device than the FAT image (and the same one for the plain case).
    const srcDir = mkdtempSync(path.join(tmpdir(), 'crate-claim-src-'));
    try {
      for (let i = 0; i < 50; i++) {
        const a = path.join(srcDir, `a${i}`);
        const b = path.join(srcDir, `b${i}`);
        writeFileSync(a, `A${i}`);
        writeFileSync(b, `B${i}`);
        const dest = path.join(root, 'xdev', `t${i}`, 'Same.flac');
        const [pa, pb] = await Promise.all([moveIntoPlace(a, dest), moveIntoPlace(b, dest)]);
        expect(pa).not.toBe(pb);
        expect(readFileSync(pa, 'utf8')).toBe(`A${i}`);
        expect(readFileSync(pb, 'utf8')).toBe(`B${i}`);
        expect(readdirSync(path.dirname(dest))).toHaveLength(2);
      }
    } finally {
      rmSync(srcDir, { recursive: true, force: true });
    }
  });

  it('linking one library file into two playlists at once under one name keeps both', { timeout: 120_000 }, async () => {
    const root = where(place, 'link races');
    if (!root) return;
    for (let i = 0; i < 50; i++) {
      const dir = path.join(root, 'links', `t${i}`);
      mkdirSync(dir, { recursive: true });
      const x = path.join(dir, 'x.src');
      const y = path.join(dir, 'y.src');
      writeFileSync(x, `X${i}`);
      writeFileSync(y, `Y${i}`);
      const dest = path.join(dir, 'P', 'Shared.flac');
      const [px, py] = await Promise.all([linkOrCopy(x, dest), linkOrCopy(y, dest)]);
      expect(px).not.toBe(py);
      expect(readFileSync(px, 'utf8')).toBe(`X${i}`);
      expect(readFileSync(py, 'utf8')).toBe(`Y${i}`);
    }
  });

  it('writes the m3u8 of an 87-character Japanese playlist name (its temp name is short)', async () => {
    const root = where(place, 'long m3u8 name');
    if (!root) return;
    const name = 'プレイリスト'.repeat(14) + '夜明けの歌'.slice(0, 3); // 87 characters, 261 bytes of UTF-8
    expect([...name]).toHaveLength(87);
    const file = path.join(root, 'm3u', sanitizeComponent(name, { extension: '.m3u8' }));
    expect(Buffer.byteLength(path.basename(file))).toBeLessThanOrEqual(255);
    const entry = { path: path.join(root, 'm3u', 'A - B.flac'), durationMs: 1000, artists: ['A'], title: 'B' };
    // vfat counts 255 UTF-16 units, not bytes: the sanitized name fits both.
    await writeM3u8(file, [entry]);
    await writeM3u8(file, [entry, entry]);
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l === 'A - B.flac')).toHaveLength(2);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });
});

describe('temporary names', () => {
  it.each(['A - B.flac', 'x.m3u8', 'ab', 'プレイリスト'.repeat(14) + '.m3u8', 'Artist - Same Title (2).flac'])('beside %s: same folder, never longer', (final) => {
    const full = path.join('/music/P', final);
    const tmp = temporaryName(full);
    expect(path.dirname(tmp)).toBe('/music/P');
    expect(Buffer.byteLength(path.basename(tmp))).toBeLessThanOrEqual(Math.max(2, Buffer.byteLength(final)));
    expect(path.basename(tmp).startsWith('.')).toBe(true);
  });
});
