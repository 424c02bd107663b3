/**
 * One Crate process per Telegram account: `serve`, `download`, `login`, `probe` and doctor's session check
 * hold `CRATE_DATA_DIR/crate.lock` while they use the account. Two processes on one account send
 * every request twice, break the message gap, write the same `.part` files, and two connections
 * with one auth key are what Telegram answers with AUTH_KEY_DUPLICATED (it can revoke the session).
 *
 * Two parts. The kernel's: a file lock on `crate.lock.sqlite` (db/kernel-lock.ts), held while the
 * process lives and dropped by the kernel when it dies — it is what decides on this machine, across
 * containers too, where pids mean nothing to each other. And the words: a small JSON file naming
 * the holder (command, pid, host, since) for the message a second process prints, created
 * atomically (written under a private name, then hard-linked to `crate.lock`: link fails if the
 * name exists, and a reader never sees it half written). A JSON lock whose holder no longer holds
 * the kernel lock is stale and taken over; where file locks do not work, a lock whose process is
 * gone (pid and its start time checked) is.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { kernelLockHeld, tryKernelLock, type KernelLock } from '../db/kernel-lock.js';
import { currentProcess, liveness, type Liveness, type ProcessIdentity } from './process-identity.js';

export type LockCommand = 'serve' | 'download' | 'login' | 'doctor' | 'probe' | 'watch';

export interface LockHolder extends ProcessIdentity {
  command: LockCommand;
  /** When the holder took the lock (epoch ms). */
  since: number;
  token: string;
}

export interface AccountLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): void;
}

export const LOCK_FILE = 'crate.lock';
/** The database whose file lock the kernel holds for the holder (see the top of this file). */
export const KERNEL_LOCK_FILE = 'crate.lock.sqlite';
/** A takeover guard older than this belongs to a process that died while taking over. */
const GUARD_STALE_MS = 10_000;

export function lockFilePath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

function kernelLockPath(dataDir: string): string {
  return path.join(dataDir, KERNEL_LOCK_FILE);
}

/** Who the JSON file names, or a stand-in when it names nobody readable (the kernel says someone holds it). */
function namedHolder(file: string): LockHolder {
  const existing = readHolder(file);
  if (typeof existing === 'object') return existing;
  return { pid: 0, host: currentProcess().host, procStart: null, bootId: null, command: 'serve', since: Date.now(), token: '' };
}

/** Thrown when another live process holds the account (a UserError: exit code 2, plain words). */
export class AccountLockedError extends UserError {
  constructor(
    readonly holder: LockHolder,
    readonly file: string,
    state: Liveness,
  ) {
    super(lockedMessage(holder, state), lockedHint(holder, file, state));
  }
}

/**
 * Takes the account for `command`, or throws AccountLockedError naming the process that has it.
 * `now` only stamps `since`.
 */
export function acquireAccountLock(dataDir: string, command: LockCommand, options: { now?: () => number } = {}): AccountLock {
  const file = lockFilePath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const holder: LockHolder = { ...currentProcess(), command, since: (options.now ?? Date.now)(), token: randomUUID() };
  const kernel = tryKernelLock(kernelLockPath(dataDir));
  if (kernel === 'held') throw new AccountLockedError(namedHolder(file), file, 'alive');
  const kernelLock = kernel === 'unsupported' ? null : kernel;
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      if (createExclusive(file, holder)) return ownLock(file, holder, kernelLock);
      const existing = readHolder(file);
      if (existing === 'missing') continue;
      if (existing === 'fresh') {
        sleepSync(50);
        continue;
      }
      if (existing !== 'unreadable') {
        // Holding the kernel lock, we know the named process does not hold the account, whatever
        // its pid looks like from here (another container's pid may exist here as someone else).
        // Only another machine (a share without working locks) stays unknown.
        const seen = liveness(existing);
        const state = kernelLock && seen === 'alive' ? 'dead' : seen;
        if (state !== 'dead') throw new AccountLockedError(existing, file, state);
      }
      takeOver(file, existing === 'unreadable' ? null : existing.token);
    }
    throw new Error(`Could not take the lock ${file}: it keeps changing hands`);
  } catch (err) {
    kernelLock?.release();
    throw err;
  }
}

/** The live process holding the account, if any (for read-only commands and doctor). */
export function currentLockHolder(dataDir: string): (LockHolder & { state: Liveness }) | null {
  const file = lockFilePath(dataDir);
  const kernel = kernelLockHeld(kernelLockPath(dataDir));
  // The kernel knows, on this machine and in every container on it.
  if (kernel === true) return { ...namedHolder(file), state: 'alive' };
  const existing = readHolder(file);
  if (existing === 'missing' || existing === 'unreadable' || existing === 'fresh') return null;
  const state = liveness(existing);
  // Nobody holds the file lock: a holder on this machine is gone (another machine's we cannot tell).
  if (kernel === false && state === 'alive') return null;
  return state === 'dead' ? null : { ...existing, state };
}

/** "crate serve (pid 4242, since 10:42)" */
export function describeHolder(h: LockHolder, now = Date.now()): string {
  if (h.pid === 0) return 'another Crate process (it has not said which yet)';
  const self = currentProcess();
  const where = h.host === self.host ? '' : ` on ${h.host}`;
  return `\`crate ${h.command}\`${where} (pid ${h.pid}, since ${formatSince(h.since, now)})`;
}

const WHAT_TO_DO: Record<LockCommand, string> = {
  serve: 'send the link to the control bot, or stop it first',
  download: 'wait for it to finish, or stop it first (Ctrl-C in its terminal)',
  login: 'finish that login first, or stop it',
  doctor: 'it is checking the Telegram session; run this again in a moment',
  probe: 'it is sending one request to the external bot; run this again when it is done',
  watch: 'it is checking a watched playlist; wait for it to finish, or stop it first',
};

function lockedMessage(h: LockHolder, _state: Liveness): string {
  return `Crate is already running as ${describeHolder(h)}: ${WHAT_TO_DO[h.command] ?? 'stop it first'}.`;
}

function lockedHint(h: LockHolder, file: string, state: Liveness): string {
  const why = 'One Crate process per Telegram account: two would send every request twice and can get the session revoked.';
  if (state === 'unknown') {
    return `${why}\nThe lock ${file} was taken on another machine (${h.host}). If Crate no longer runs there, delete that file; never run one session on two machines.`;
  }
  return why;
}

function formatSince(at: number, now: number): string {
  const d = new Date(at);
  const hhmm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (new Date(now).toDateString() === d.toDateString()) return hhmm;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${hhmm}`;
}

/** Writes the holder under a private name and links it to `file`: false if `file` exists. */
function createExclusive(file: string, holder: LockHolder): boolean {
  const temp = `${file}.${holder.pid}.${holder.token}`;
  writeFileSync(temp, `${JSON.stringify(holder)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (some network shares): O_EXCL create, the content follows.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createWithExcl(file, holder);
    throw new Error(`Cannot create the lock ${file}`, { cause: err });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

function createWithExcl(file: string, holder: LockHolder): boolean {
  try {
    writeFileSync(file, `${JSON.stringify(holder)}\n`, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`Cannot create the lock ${file}`, { cause: err });
  }
}

/** 'fresh': an empty or partial file younger than 2 s (being written right now through the O_EXCL fallback). */
function readHolder(file: string): LockHolder | 'missing' | 'unreadable' | 'fresh' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new Error(`Cannot read the lock ${file}`, { cause: err });
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.token !== 'string') return 'unreadable';
    return {
      pid: h.pid,
      host: h.host,
      procStart: h.procStart ?? null,
      bootId: h.bootId ?? null,
      command: h.command ?? 'serve',
      since: typeof h.since === 'number' ? h.since : 0,
      token: h.token,
    };
  } catch {
    // Only the O_EXCL fallback can show a file before its content: a fresh one is being written.
    try {
      if (Date.now() - statSync(file).mtimeMs < 2000) return 'fresh';
    } catch {
      return 'missing';
    }
    return 'unreadable';
  }
}

/**
 * Removes a dead holder's lock. A guard file makes the check-and-remove one step among processes
 * that found the same stale lock (else one could remove the lock another just took).
 */
function takeOver(file: string, staleToken: string | null): void {
  const guard = `${file}.takeover`;
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`Cannot take over the lock ${file}`, { cause: err });
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) unlinkSync(guard);
    } catch {
      // the other process finished meanwhile
    }
    return;
  }
  try {
    const again = readHolder(file);
    const sameStale = again === 'unreadable' ? staleToken === null : typeof again === 'object' && again.token === staleToken;
    if (sameStale) unlinkSync(file);
  } finally {
    unlinkSync(guard);
  }
}

function ownLock(file: string, holder: LockHolder, kernelLock: KernelLock | null): AccountLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const current = readHolder(file);
    if (typeof current === 'object' && current.token === holder.token) {
      try {
        unlinkSync(file);
      } catch {
        // removed by hand meanwhile
      }
    }
    // Last: until the words are gone, nobody else may write theirs.
    kernelLock?.release();
  };
  // A crash still leaves a stale lock (taken over next time); a normal exit removes it.
  process.on('exit', release);
  return { file, holder, release };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
