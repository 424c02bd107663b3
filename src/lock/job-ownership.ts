/**
 * The engine's ProcessOwnership over this machine's processes: a running job carries
 * "command|host|pid|procStart|bootId" of the process that runs it, and a job whose process is
 * still alive (or on another machine, where we cannot look) is not adopted by another process.
 */
import type { ProcessOwnership } from '../engine/job-service.js';
import type { LockCommand } from './account-lock.js';
import { currentProcess, decodeIdentity, encodeIdentity, liveness } from './process-identity.js';

export function jobOwnership(command: LockCommand, options: { holdsAccountLock?: boolean } = {}): ProcessOwnership {
  const owner = `${command}|${encodeIdentity(currentProcess())}`;
  return {
    owner,
    isAlive(other) {
      if (other === owner) return true;
      const identity = decodeIdentity(other.slice(other.indexOf('|') + 1));
      if (identity === null) return false;
      const seen = liveness(identity);
      // Jobs run only under the account lock: while this process holds it, no other process on
      // this machine runs one, whatever its recorded pid looks like from here (a pid from another
      // container may name someone else). Another machine we still cannot see.
      if (options.holdsAccountLock) return seen === 'unknown';
      return seen !== 'dead';
    },
    describe(other) {
      const command = other.slice(0, other.indexOf('|')) || 'crate';
      const identity = decodeIdentity(other.slice(other.indexOf('|') + 1));
      return `\`crate ${command}\`${identity ? ` (pid ${identity.pid}${identity.host === currentProcess().host ? '' : ` on ${identity.host}`})` : ''}`;
    },
  };
}
