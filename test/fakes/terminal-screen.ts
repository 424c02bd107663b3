/**
 * One terminal screen that a command's stdout and stderr both write to, as in a real terminal:
 * xterm.js's own emulator (@xterm/headless) interprets the cursor moves and clears, so a test
 * reads what the user would see at the end, not the bytes that were written.
 */
import { Writable } from 'node:stream';
import xterm from '@xterm/headless';

class TtyStream extends Writable {
  readonly isTTY = true;
  constructor(
    private readonly screen: TerminalScreen,
    readonly columns: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.screen.type(chunk.toString());
    cb();
  }
}

export class TerminalScreen {
  private readonly term: InstanceType<typeof xterm.Terminal>;
  private pending: Promise<void> = Promise.resolve();
  /** Everything written, in order (for messages when an assertion fails). */
  raw = '';
  readonly stdout: TtyStream;
  readonly stderr: TtyStream;

  constructor(readonly columns = 80, rows = 40) {
    // convertEol: a tty turns "\n" into "\r\n" (onlcr) before the terminal sees it.
    this.term = new xterm.Terminal({ cols: columns, rows, convertEol: true, allowProposedApi: true, scrollback: 1000 });
    this.stdout = new TtyStream(this, columns);
    this.stderr = new TtyStream(this, columns);
  }

  /** Bytes that reach the screen: a stream's output, or what the terminal echoes (Ctrl-C: "^C"). */
  type(text: string): void {
    this.raw += text;
    this.pending = this.pending.then(() => new Promise<void>((resolve) => this.term.write(text, resolve)));
  }

  /** The rows on screen and in scrollback, trailing blank rows and spaces dropped. */
  async lines(): Promise<string[]> {
    await this.pending;
    const buffer = this.term.buffer.active;
    const rows: string[] = [];
    for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i)?.translateToString(true) ?? '');
    while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
    return rows;
  }

  dispose(): void {
    this.term.dispose();
  }
}
