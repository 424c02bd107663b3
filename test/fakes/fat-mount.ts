/**
 * A real FAT file system for tests (no hard links there: what DJs' USB sticks are): a small image
 * made with mkfs.vfat / mkfs.exfat and mounted — by the kernel when it has the driver, else (exFAT)
 * through FUSE (exfat-fuse on a loop device). Needs root and those tools; otherwise says why it cannot.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type FatKind = 'vfat' | 'exfat';
export type FatMount = { ok: true; dir: string; how: string; unmount(): void } | { ok: false; reason: string };

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function mountFat(kind: FatKind, sizeMb = 64): FatMount {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root (mounting an image needs it)' };
  const mkfs = kind === 'vfat' ? 'mkfs.vfat' : 'mkfs.exfat';
  if (!has(mkfs)) return { ok: false, reason: `${mkfs} is not installed (apt-get install ${kind === 'vfat' ? 'dosfstools' : 'exfatprogs'})` };
  const base = mkdtempSync(path.join(tmpdir(), `crate-${kind}-`));
  const image = path.join(base, 'image');
  const dir = path.join(base, 'mnt');
  mkdirSync(dir);
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  try {
    run('truncate', ['-s', `${sizeMb}M`, image]);
    run(mkfs, [image]);
  } catch (err) {
    cleanup();
    return { ok: false, reason: `${mkfs} failed: ${(err as Error).message}` };
  }
  const attempts: string[] = [];
  // 1. The kernel's own driver.
  try {
    run('mount', ['-t', kind, '-o', 'loop', image, dir]);
    return { ok: true, dir, how: `kernel ${kind}`, unmount: () => (tryRun('umount', [dir]), cleanup()) };
  } catch (err) {
    attempts.push(`kernel mount: ${firstLine(err)}`);
  }
  // 2. FUSE. exfat-fuse (a complete driver) wants a block device: a loop device. fusefat (0.1a) is
  //    not used: it refuses to rename over a file, has no copy call and stalls under concurrent
  //    writes, so it would test fusefat rather than FAT.
  if (kind === 'exfat' && has('mount.exfat-fuse') && has('losetup')) {
    let loop: string | null = null;
    try {
      loop = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8', timeout: 20_000 }).trim();
      run('mount.exfat-fuse', [loop, dir]);
      const device = loop;
      return {
        ok: true,
        dir,
        how: 'exfat-fuse (FUSE) on a loop device',
        unmount: () => (unmountFuse(dir), tryRun('losetup', ['-d', device]), cleanup()),
      };
    } catch (err) {
      if (loop) tryRun('losetup', ['-d', loop]);
      attempts.push(`exfat-fuse: ${firstLine(err)}`);
    }
  } else if (kind === 'exfat') {
    attempts.push('exfat-fuse not installed');
  } else {
    attempts.push('no usable FUSE vfat driver (fusefat 0.1a is not faithful enough)');
  }
  cleanup();
  return { ok: false, reason: `cannot mount a ${kind} image here (${attempts.join('; ')})` };
}

/** FUSE unmount; lazily when something still holds the mount (it goes once released). */
function unmountFuse(dir: string): void {
  try {
    run('fusermount', ['-u', dir]);
  } catch {
    tryRun('fusermount', ['-uz', dir]);
  }
}

function tryRun(cmd: string, args: string[]): void {
  try {
    run(cmd, args);
  } catch {
    // Best effort on the way out.
  }
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: Buffer; message?: string };
  return (e.stderr?.toString().trim() || e.message || String(err)).split('\n')[0]!;
}
