/**
 * Disk full and read-only for real: the download folder is a tiny (or read-only) tmpfs, so the
 * kernel itself answers ENOSPC / EROFS to our own downloader and library. Needs root and mount
 * permission (`npm run chaos` as root, e.g. in a container); elsewhere `tmpfsAvailable()` is false
 * and only the injected variants in faults.ts run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { check, expectClean } from './checks.js';
import type { ChaosCase } from './faults.js';
import { catalogue, createStack, type Stack } from './stack.js';

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: 'ignore' });
}

function umount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** True when this process may mount a tmpfs (root in a container that allows it). */
export function tmpfsAvailable(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-mount-probe-'));
  try {
    mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    umount(dir);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stack whose download folder is a tmpfs mounted with `opts`. */
function onTmpfs(opts: string, build: (dir: string, music: string) => Stack): { stack: Stack; music: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-chaos-tmpfs-'));
  const music = path.join(dir, 'music');
  mkdirSync(music);
  mount(['-t', 'tmpfs', '-o', opts, 'tmpfs', music]);
  const stack = build(dir, music);
  return {
    stack,
    music,
    cleanup: () => {
      umount(music);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const diskFullTmpfs: ChaosCase = {
  name: 'disk full while writing (1 MB tmpfs, real ENOSPC)',
  run: async () => {
    const tracks = catalogue(4, () => ({ bytes: 450_000 }));
    const env = { BATCH_SIZE: '1' };
    const { stack: a, music, cleanup } = onTmpfs('size=1m', (dir) => createStack({ transport: 'gramjs', tracks, env, dir }));
    let b: Stack | null = null;
    try {
      const paused = await a.download();
      check(paused.status === 'paused', `job ${paused.status}: ${paused.pauseReason}`);
      check(paused.pauseReason !== null && /disk is full/.test(paused.pauseReason), `reason: ${paused.pauseReason}`);
      const sent = a.bot.actions().filter((x) => x.kind === 'send').length;
      const stored = a.tracks(paused.id).filter((t) => t.state === 'done').length;
      check(sent === stored + 1, `${sent} messages for ${stored} stored tracks: the job went on asking after the disk was full`);
      a.close({ keepBot: true });
      // The owner frees space (here: the tmpfs grows), then resumes.
      mount(['-o', 'remount,size=16m', music]);
      b = createStack({ transport: 'gramjs', tracks, env, dir: a.dir, clock: a.clock, bot: a.bot });
      const done = await b.download();
      check(done.status === 'done', `after freeing space: ${done.status} ${done.pauseReason}`);
      const total = b.bot.actions().filter((x) => x.kind === 'send').length;
      check(total === 4, `${total} messages for 4 tracks: the interrupted one was asked for again`);
      const n = await expectClean(music, b.tracks(done.id), b.bot, { folder: 'Chaos Set' });
      return { detail: `kernel ENOSPC after ${stored} files; paused; ${n}/4 after growing the disk, none asked twice; job said "${paused.pauseReason}"` };
    } finally {
      a.close();
      b?.close();
      cleanup();
    }
  },
};

const readOnlyTmpfs: ChaosCase = {
  name: 'read-only download folder (tmpfs mounted ro, real EROFS)',
  run: async () => {
    const tracks = catalogue(3);
    const { stack: a, music, cleanup } = onTmpfs('ro,size=1m', (dir) => createStack({ transport: 'gramjs', tracks, dir }));
    let b: Stack | null = null;
    try {
      const paused = await a.download();
      check(paused.status === 'paused', `job ${paused.status}`);
      check(paused.pauseReason !== null && /read-only/.test(paused.pauseReason), `reason: ${paused.pauseReason}`);
      check(a.bot.actions().length === 0, `${a.bot.actions().length} actions reached the bot`);
      a.close({ keepBot: true });
      mount(['-o', 'remount,rw', music]);
      b = createStack({ transport: 'gramjs', tracks, dir: a.dir, clock: a.clock, bot: a.bot });
      const done = await b.download();
      check(done.status === 'done', `after remounting rw: ${done.status}`);
      const n = await expectClean(music, b.tracks(done.id), b.bot, { folder: 'Chaos Set' });
      return { detail: `0 messages spent, ${n}/3 after remounting rw; job said "${paused.pauseReason}"` };
    } finally {
      a.close();
      b?.close();
      cleanup();
    }
  },
};

export const TMPFS_FAULT_CASES: ChaosCase[] = [diskFullTmpfs, readOnlyTmpfs];
