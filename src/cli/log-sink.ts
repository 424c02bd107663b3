/**
 * Where the CLI's log lines go: the command's stderr, unless the live progress block is on the
 * same screen. Then the block holds the lines and prints them above itself at its next redraw —
 * a line written straight to the terminal would land inside the block, and the next redraw
 * (which moves up over the rows it drew) would overwrite it and leave stale rows behind.
 */
import { createRequire } from 'node:module';

type Target = { write(text: string): unknown };

/** Takes each formatted log line while the live block is shown. */
export type LogHolder = (text: string) => void;

export class LogSink {
  private holder: LogHolder | null = null;
  private format: ((line: string) => string) | null = null;

  /** `pretty`: human-readable lines (a terminal); otherwise pino's JSON lines as they are. */
  constructor(
    private readonly target: Target,
    private readonly options: { pretty: boolean },
  ) {}

  /** pino's destination: one JSON line per call, written before the log call returns. */
  write(line: string): void {
    this.format ??= this.options.pretty ? prettyLines() : (l) => l;
    const text = this.format(line);
    if (this.holder) this.holder(text);
    else this.target.write(text);
  }

  /** From now on every line goes to `holder`; the returned function gives them back to stderr. */
  hold(holder: LogHolder): () => void {
    this.holder = holder;
    return () => {
      if (this.holder === holder) this.holder = null;
    };
  }
}

/**
 * pino-pretty's formatter, in this thread and synchronous: its transport form runs in a worker
 * that writes to fd 2 by itself, past anything the display could hold. Loaded only when a
 * terminal shows a log line (`--help` never needs it).
 */
function prettyLines(): (line: string) => string {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as {
    prettyFactory(options: Record<string, unknown>): (line: string) => string;
  };
  const pretty = prettyFactory({ colorize: true, translateTime: 'HH:MM:ss' });
  return (line) => pretty(line);
}
