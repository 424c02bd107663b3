/**
 * The engine's ProcessOwnership over this machine's processes: a running job carries
 * "command|host|pid|procStart|bootId" of the process that runs it, and a job whose process is
 * still alive (or on another machine, where we cannot look) is not adopted by another process.
 */
import type { ProcessOwnership } from '../engine/job-service.js';
import type { LockCommand } from './account-lock.js';
import { currentProcess, decodeIdentity, encodeIdentity, liveness } from './process-identity.js';

export function jobOwnership(command: LockCommand): ProcessOwnership {
  const owner = `${command}|${encodeIdentity(currentProcess())}`;
  return {
    owner,
    isAlive(other) {
      const identity = decodeIdentity(other.slice(other.indexOf('|') + 1));
      return identity !== null && liveness(identity) !== 'dead';
    },
    describe(other) {
      const command = other.slice(0, other.indexOf('|')) || 'crate';
      const identity = decodeIdentity(other.slice(other.indexOf('|') + 1));
      return `\`crate ${command}\`${identity ? ` (pid ${identity.pid}${identity.host === currentProcess().host ? '' : ` on ${identity.host}`})` : ''}`;
    },
  };
}
