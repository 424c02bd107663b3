/**
 * Who a process is, well enough to tell later whether it still runs: host, pid and the kernel's
 * start time of that pid (Linux /proc), because a pid alone is reused — after a reboot, or in a
 * container where Crate is always pid 1.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** The kernel's start time of the pid (clock ticks since boot, /proc/PID/stat field 22); null without /proc. */
  procStart: string | null;
  /** This machine's boot (Linux boot_id): containers on one machine share it, a reboot changes it. */
  bootId: string | null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

/** Reads field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses. */
export function readProcStart(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  // After the name come fields 3, 4, …: starttime (22) is the 20th of them.
  return fields[19] ?? null;
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: os.hostname(), procStart: readProcStart(process.pid), bootId: readBootId() };
}

/**
 * Whether the process a lock (or a job) names still runs. Same machine (host or boot id): signal 0
 * says whether the pid exists, and the start time says whether it is still the same process.
 * Another machine: unknown (we cannot look).
 */
export function liveness(other: ProcessIdentity, self: ProcessIdentity = currentProcess()): Liveness {
  const sameMachine = other.host === self.host || (other.bootId !== null && other.bootId === self.bootId);
  if (!sameMachine) return 'unknown';
  // A different boot: every process of that boot is gone.
  if (other.bootId !== null && self.bootId !== null && other.bootId !== self.bootId) return 'dead';
  try {
    process.kill(other.pid, 0);
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  if (other.procStart !== null) {
    const now = readProcStart(other.pid);
    if (now !== null && now !== other.procStart) return 'dead';
  }
  return 'alive';
}

/** A compact form for a database column: "host|pid|procStart|bootId". */
export function encodeIdentity(p: ProcessIdentity): string {
  return [p.host, String(p.pid), p.procStart ?? '', p.bootId ?? ''].join('|');
}

export function decodeIdentity(text: string): ProcessIdentity | null {
  const [host, pid, procStart, bootId] = text.split('|');
  const n = Number(pid);
  if (!host || !Number.isInteger(n) || n <= 0) return null;
  return { host, pid: n, procStart: procStart || null, bootId: bootId || null };
}
