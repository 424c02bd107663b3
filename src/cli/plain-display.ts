/**
 * The progress of a foreground job without a terminal: one line per finished track and per wait,
 * for logs, pipes and CI. Also what both displays share (the Display shape, the wait wording).
 */
import type { JobEvent } from '../engine/ports.js';
import type { CliContext } from './context.js';
import { audioLabel, formatDuration, stateWords } from './job-format.js';

export interface Display {
  onEvent(e: JobEvent): void;
  render(): void;
  close(): void;
}

/** A wait in plain words; a long one says when sending goes on (a UTC clock time). */
export function waitingLine(e: { seconds: number; reason: string; until?: number }): string {
  if (e.until === undefined || e.seconds < 120) return `waiting ${e.seconds} s: ${e.reason}`;
  const at = new Date(e.until).toISOString().slice(11, 16);
  return `Telegram asked Crate to wait ${formatDuration(e.seconds)} (${e.reason}): nothing is sent before ${at} UTC; the job goes on by itself then (Ctrl-C is safe: the wait is remembered).`;
}

/** One line per finished track and per pause. */
export class PlainDisplay implements Display {
  constructor(
    private readonly ctx: CliContext,
    private readonly total: number,
    private finished: number,
  ) {}

  onEvent(e: JobEvent): void {
    const w = (s: string) => this.ctx.stdout.write(`${s}\n`);
    if (e.type === 'track_changed') {
      const t = e.track;
      if (!['done', 'skipped', 'not_found', 'mismatch', 'failed'].includes(t.state)) return;
      this.finished++;
      const extra =
        t.state === 'done' || t.state === 'skipped'
          ? t.audio
            ? ` (${audioLabel(t.audio)})`
            : ''
          : t.lastError
            ? ` — ${t.lastError}`
            : '';
      // "8 of 40 finished", not "[8/40]": that reads like the track's place in the playlist.
      w(`${this.finished} of ${this.total} finished · ${stateWords(t.state)}: ${t.artists.join(', ')} - ${t.title}${extra}`);
    } else if (e.type === 'pacer_waiting') {
      w(waitingLine(e));
    } else if (e.type === 'session_expired') {
      w(e.message);
    }
  }

  render(): void {}
  close(): void {}
}
