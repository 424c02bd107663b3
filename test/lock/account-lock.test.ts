/**
 * The account lock with real processes: one holder at a time (four processes racing), the second
 * told in plain words who holds it, a dead holder's lock taken over, a reused pid recognised by
 * its start time, a lock from another machine left alone.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountLockedError, acquireAccountLock, currentLockHolder, lockFilePath } from '../../src/lock/account-lock.js';
import { currentProcess, readProcStart } from '../../src/lock/process-identity.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./lock-child.ts', import.meta.url));

describe('account lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crate-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fakeLock = (fields: Record<string, unknown>) =>
    writeFileSync(
      lockFilePath(dir),
      JSON.stringify({ host: os.hostname(), procStart: null, bootId: null, command: 'serve', since: Date.now(), token: 'old', ...fields }),
    );

  it('lets one process in and tells the next, in plain words, who has it and what to do', () => {
    const lock = acquireAccountLock(dir, 'serve');
    const err = (() => {
      try {
        acquireAccountLock(dir, 'download');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(AccountLockedError);
    expect((err as Error).message).toMatch(
      new RegExp(`^Crate is already running as \`crate serve\` \\(pid ${process.pid}, since \\d\\d:\\d\\d\\): send the link to the control bot, or stop it first\\.$`),
    );
    expect(currentLockHolder(dir)).toMatchObject({ pid: process.pid, command: 'serve', state: 'alive' });
    lock.release();
    expect(existsSync(lockFilePath(dir))).toBe(false);
    expect(currentLockHolder(dir)).toBeNull();
    acquireAccountLock(dir, 'download').release();
  });

  it('takes over the lock of a process that is gone', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid!;
    await new Promise((resolve) => dead.on('exit', resolve));
    fakeLock({ pid, command: 'download' });
    expect(currentLockHolder(dir)).toBeNull();
    const lock = acquireAccountLock(dir, 'serve');
    expect(JSON.parse(readFileSync(lockFilePath(dir), 'utf8'))).toMatchObject({ pid: process.pid, command: 'serve' });
    lock.release();
  });

  it('does not take a reused pid for the holder: the start time must match too', () => {
    const self = currentProcess();
    expect(self.procStart).not.toBeNull(); // Linux: /proc is there
    // Our own pid, but a different start: the holder died and the pid was given to us.
    fakeLock({ pid: process.pid, procStart: String(Number(readProcStart(process.pid)) - 1000), bootId: self.bootId });
    acquireAccountLock(dir, 'download').release();
    // Same pid and start time, but nobody holds the file lock: the words alone are stale (an older
    // Crate's, or written by hand) and a live-looking pid does not keep the account.
    fakeLock({ pid: process.pid, procStart: self.procStart, bootId: self.bootId });
    expect(currentLockHolder(dir)).toBeNull();
    acquireAccountLock(dir, 'download').release();
  });

  it('a holder in another container (its pid means nothing here) still holds the account: the kernel file lock decides', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'serve', '60000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
      // Seen from another PID namespace the holder is "pid 6", which here is gone or someone else.
      const written = JSON.parse(readFileSync(lockFilePath(dir), 'utf8')) as Record<string, unknown>;
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => gone.on('exit', resolve));
      writeFileSync(lockFilePath(dir), JSON.stringify({ ...written, pid: gone.pid, host: 'c0ffee15dead' }));
      let err: unknown = null;
      try {
        acquireAccountLock(dir, 'login');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AccountLockedError);
      expect((err as Error).message.startsWith(`Crate is already running as \`crate serve\` on c0ffee15dead (pid ${gone.pid}, since`)).toBe(true);
      expect(currentLockHolder(dir)).toMatchObject({ command: 'serve', state: 'alive' });
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.on('exit', resolve));
    }
    // Killed: the kernel dropped its lock, and the words it left are taken over.
    expect(currentLockHolder(dir)).toBeNull();
    acquireAccountLock(dir, 'login').release();
  }, 60_000);

  it('leaves a lock from another machine alone and says how to clear it', () => {
    fakeLock({ pid: 4242, host: 'nas-in-the-attic', bootId: 'another-boot' });
    let err: unknown = null;
    try {
      acquireAccountLock(dir, 'download');
    } catch (e) {
      err = e;
    }
    expect((err as AccountLockedError).message).toContain('`crate serve` on nas-in-the-attic (pid 4242, since');
    expect((err as AccountLockedError).hint).toContain(`delete that file`);
    expect((err as AccountLockedError).hint).toContain(lockFilePath(dir));
  });

  it('gives the lock to exactly one of four processes racing for it, and to the next once it is released', async () => {
    const startAt = String(Date.now() + 3000);
    const racers = Array.from({ length: 4 }, () =>
      run(process.execPath, ['--import', 'tsx', CHILD, dir, 'download', '1500', startAt]).then(
        (r) => r.stdout,
        (e: { stdout: string }) => e.stdout,
      ),
    );
    const outputs = await Promise.all(racers);
    const winners = outputs.filter((o) => o.startsWith('locked'));
    expect(winners).toHaveLength(1);
    expect(winners[0]).toContain('released');
    for (const o of outputs.filter((x) => !x.startsWith('locked'))) {
      expect(o).toMatch(/^refused Crate is already running as `crate download` \(pid \d+, since \d\d:\d\d\): wait for it to finish/);
    }
    expect(existsSync(lockFilePath(dir))).toBe(false);
  }, 60_000);

  it('takes over from a holder that was SIGKILLed', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'download', '60000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    expect(() => acquireAccountLock(dir, 'serve')).toThrow(/`crate download`/);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    expect(existsSync(lockFilePath(dir))).toBe(true); // a crash leaves it behind...
    acquireAccountLock(dir, 'serve').release(); // ...and the next process takes it over
  }, 30_000);
});
