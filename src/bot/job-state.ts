/**
 * A job's state in chat words, and what a button may still do to it. Buttons stay in old
 * messages for ever: each press is checked against the job as it is now.
 */
import { isSessionExpiredReason } from '../domain/errors.js';
import type { JobRecord } from '../domain/job.js';

/** Created from a link and never started: the preview's Start is what it waits for. */
export function isReady(job: JobRecord): boolean {
  return job.status === 'pending' && job.startedAt === null;
}

/** Paused because the Telegram session is missing or expired: Resume cannot help, a login does. */
export function waitsForLogin(job: JobRecord): boolean {
  return job.status === 'paused' && isSessionExpiredReason(job.pauseReason);
}

export function stateWords(job: JobRecord): string {
  if (isReady(job)) return 'ready, not started';
  switch (job.status) {
    case 'pending':
      return 'queued';
    case 'running':
      return 'running';
    case 'paused':
      return waitsForLogin(job) ? 'waiting for a login' : 'paused';
    case 'done':
      return 'finished';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return 'stopped with an error';
  }
}

/** "Job #3 was cancelled." / "Job #3 is running." — the answer of a button that no longer applies. */
export function stateSentence(job: JobRecord): string {
  if (job.status === 'cancelled') return `Job #${job.id} was cancelled. Send its link again to start over.`;
  if (job.status === 'done') return `Job #${job.id} is finished.`;
  if (job.status === 'paused' && !waitsForLogin(job)) return `Job #${job.id} is paused: /resume ${job.id} continues it.`;
  return `Job #${job.id} is ${stateWords(job)}.`;
}
