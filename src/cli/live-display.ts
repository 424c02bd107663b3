/**
 * The progress of a foreground job in a terminal: a block redrawn in place (overall bar, tracks in
 * flight, bytes, ETA, the pacer). Finished-track lines and log lines scroll away above it; when it
 * closes (finished, or Ctrl-C) it leaves nothing of itself but one line with the count.
 */
import type { TrackRecord } from '../domain/job.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { JobEvent, PacerState } from '../engine/ports.js';
import type { CliContext } from './context.js';
import { fitToWidth } from './display-width.js';
import { counted, formatBytes, formatDuration, stateWords } from './job-format.js';
import { waitingLine, type Display } from './plain-display.js';

const STEP: Partial<Record<TrackRecord['state'], string>> = {
  requested: 'asked',
  picked: 'picked',
  downloading: 'downloading',
  verifying: 'verifying',
};

const ESC = '\x1b';

export interface LiveDisplayDeps {
  /** The shared pacer, for "waiting 42 s: Telegram flood limit". */
  pacer?: { state(): PacerState };
}

export class LiveDisplay implements Display {
  /** Rows of the block drawn last (what the next redraw moves up over). */
  private lines = 0;
  private readonly bytes = new Map<number, { received: number; total: number }>();
  private readonly active = new Map<number, TrackRecord>();
  /** Finished-track lines still to print above the block. */
  private readonly log: string[] = [];
  /** Log lines (already formatted, with their newline) held back while the block is shown. */
  private readonly heldLogs: string[] = [];
  private readonly releaseLogs: () => void;
  private waiting: string | null = null;

  constructor(
    private readonly ctx: CliContext,
    private readonly service: JobServiceApi,
    private readonly jobId: number,
    private readonly deps: LiveDisplayDeps,
  ) {
    // Log lines on the same screen would land inside the block and be drawn over at the next
    // redraw. When stderr goes elsewhere (a file, a pipe) they need no holding.
    this.releaseLogs = ctx.stderr.isTTY ? ctx.logSink.hold((text) => this.heldLogs.push(text)) : () => {};
  }

  onEvent(e: JobEvent): void {
    if (e.type === 'track_changed') {
      const t = e.track;
      if (STEP[t.state]) {
        this.active.set(t.id, t);
        return;
      }
      this.active.delete(t.id);
      this.bytes.delete(t.id);
      if (t.state === 'not_found' || t.state === 'failed' || t.state === 'mismatch') {
        this.log.push(`${stateWords(t.state)}: ${t.artists.join(', ')} - ${t.title}${t.lastError ? ` — ${t.lastError}` : ''}`);
      }
    } else if (e.type === 'bytes') {
      this.bytes.set(e.trackId, { received: e.receivedBytes, total: e.totalBytes });
    } else if (e.type === 'pacer_waiting') {
      this.waiting = waitingLine(e);
    } else if (e.type === 'session_expired') {
      this.log.push(e.message);
    }
  }

  render(): void {
    const cols = this.columns();
    const p = this.service.progress(this.jobId);
    const c = p.counts;
    const finished = c.done + c.skipped + c.not_found + c.mismatch + c.failed;
    const total = p.job.total;
    const width = Math.max(10, Math.min(40, cols - 50));
    const filled = total > 0 ? Math.round((finished / total) * width) : 0;
    const eta = p.etaSeconds !== null ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
    const block = [`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${finished}/${total}  ${p.inFlight.length} in flight  ${formatBytes(p.receivedBytes)}${eta}`];
    for (const t of [...this.active.values()].slice(0, 6)) {
      const b = this.bytes.get(t.id);
      const pct = b && b.total > 0 ? ` ${Math.floor((b.received / b.total) * 100)}%` : '';
      block.push(`  ${STEP[t.state] ?? t.state}${pct}  ${t.artists.join(', ')} - ${t.title}`);
    }
    const pacer = this.deps.pacer?.state().describe ?? this.waiting;
    if (pacer && pacer !== 'ready') block.push(`  pacer: ${pacer}`);
    // Cut by display cells (CJK, emoji), one cell short of the edge: a line that wrapped would
    // take two rows and the next redraw would leave a stale one behind.
    this.redraw(block.map((l) => fitToWidth(l, cols - 1)));
  }

  /**
   * The block goes away (after Ctrl-C it would show tracks no longer in flight); what was still to
   * be printed and one line with the final count stay, and the summary follows. Log lines go
   * straight to stderr again.
   */
  close(): void {
    const p = this.service.progress(this.jobId);
    const c = p.counts;
    const finished = c.done + c.skipped + c.not_found + c.mismatch + c.failed;
    this.redraw([fitToWidth(`${finished} of ${counted(p.job.total, 'track')} finished`, this.columns() - 1)]);
    this.lines = 0;
    this.releaseLogs();
  }

  private columns(): number {
    return Math.max(40, this.ctx.stdout.columns ?? 80);
  }

  /**
   * Clears the old block, prints what scrolls away (log lines on stderr, finished tracks on
   * stdout) and draws `block` below it.
   */
  private redraw(block: string[]): void {
    const { stdout, stderr } = this.ctx;
    // The cursor sits at the start of the row below the block; `\r` + clear-line first removes
    // a "^C" the terminal echoed there, then up over the block and clear to the end of screen.
    if (this.lines > 0) stdout.write(`\r${ESC}[2K${ESC}[${this.lines}A${ESC}[0J`);
    const logs = this.heldLogs.splice(0);
    if (logs.length > 0) stderr.write(logs.join(''));
    const logged = this.log.splice(0);
    stdout.write([...logged, ...block].map((l) => `${l}\n`).join(''));
    this.lines = block.length;
  }
}
