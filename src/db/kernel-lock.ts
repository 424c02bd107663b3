/**
 * A lock the kernel keeps for exactly as long as the process that took it lives: SQLite's POSIX
 * (fcntl) lock on a small database of its own, taken EXCLUSIVE and never given up until the
 * connection closes. The kernel drops it when the process dies, however it dies.
 *
 * Why not only a pid in a file: a pid means nothing across PID namespaces. Two containers on one
 * data volume (the service, and `docker compose run --rm crate login` beside it) each see the
 * other's pid as missing or as some other process, and one would take over the other's lock. A
 * file lock is on the inode: every process on this kernel that opens the file sees it.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface KernelLock {
  /** Gives the lock up (closes the connection). Safe to call twice. */
  release(): void;
}

/** 'held': another process has it; 'unsupported': this file system has no working locks. */
export type KernelLockRefusal = 'held' | 'unsupported';

/**
 * Takes the lock, waiting up to `waitMs` for a process that only looks (kernelLockHeld) to let go.
 */
export function tryKernelLock(file: string, waitMs = 1000): KernelLock | KernelLockRefusal {
  let db: Database.Database | null = null;
  try {
    // Private like the rest of the data folder (SQLite would create it 0644).
    closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, { timeout: waitMs });
    // No journal file beside it: the database holds nothing; only its lock matters.
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db?.close();
    if (isBusy(err)) return 'held';
    return 'unsupported';
  }
  const held = db;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      held.close();
    },
  };
}

/** Whether some process holds the lock now; null when it cannot be told (no file, no locks here). */
export function kernelLockHeld(file: string): boolean | null {
  if (!existsSync(file)) return null;
  let db: Database.Database | null = null;
  try {
    // A read needs a shared lock, which an EXCLUSIVE holder refuses at once (no waiting).
    db = new Database(file, { timeout: 0, readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    return false;
  } catch (err) {
    return isBusy(err) ? true : null;
  } finally {
    db?.close();
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
