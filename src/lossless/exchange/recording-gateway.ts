/**
 * A TelegramGateway that passes everything to the real one and writes down each step of the
 * exchange as it happens: what Crate sent and pressed (with the button's row and column and the
 * toast), inline queries and their results, every bot message and edit (seen as an event or only
 * by polling), with times. `crate probe` prints these steps and turns them into a recording.
 *
 * It never downloads: a probe shows what the bot does, and `downloadDocument` only notes which
 * message Crate would download (a 40 MB file is not needed for that).
 */
import type {
  BotMessage,
  DownloadResult,
  IncomingHandler,
  InlineResultInfo,
  SessionStatus,
  TelegramGateway,
} from '../../domain/telegram.js';
import type { Clock } from '../../engine/ports.js';

export type ProbeStep =
  | { kind: 'sent'; at: number; text: string; messageId: number }
  | {
      kind: 'clicked';
      at: number;
      messageId: number;
      button: { text: string; row: number; column: number } | null;
      toast: string | null;
      /** The press failed (the error's message). */
      error?: string;
    }
  | { kind: 'inline'; at: number; query: string; results: InlineResultInfo[]; answeredAt: number }
  | { kind: 'chosen'; at: number; resultId: string; message: BotMessage }
  /** A bot message as it arrived or changed; `how`: an event, or found by reading the chat. */
  | { kind: 'incoming'; at: number; how: 'new' | 'edited' | 'polled'; message: BotMessage }
  | { kind: 'download'; at: number; messageId: number };

/** Most steps one probe keeps: a probe is one exchange, a runaway bot must not fill memory. */
const MAX_STEPS = 500;

export class RecordingGateway implements TelegramGateway {
  readonly steps: ProbeStep[] = [];
  /** The last content seen of each message, to tell a real change from a repeated read. */
  private readonly seen = new Map<number, string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly inner: TelegramGateway,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = inner.onMessage((message, kind) => this.note(message, kind));
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }

  status(): Promise<SessionStatus> {
    return this.inner.status();
  }

  resolveBot(username: string): Promise<{ id: string; username: string }> {
    return this.inner.resolveBot(username);
  }

  async sendText(text: string): Promise<BotMessage> {
    const at = this.clock.now();
    const ours = await this.inner.sendText(text);
    this.seen.set(ours.id, fingerprint(ours));
    this.push({ kind: 'sent', at, text, messageId: ours.id });
    return ours;
  }

  async clickButton(messageId: number, data: string): Promise<{ message: string | null }> {
    const at = this.clock.now();
    const [message] = await this.inner.getMessages([messageId]).catch(() => [null]);
    const b = message?.buttons.find((x) => x.data === data);
    const button = b ? { text: b.text, row: b.row, column: b.column } : null;
    try {
      const answer = await this.inner.clickButton(messageId, data);
      this.push({ kind: 'clicked', at, messageId, button, toast: answer.message });
      return answer;
    } catch (err) {
      this.push({ kind: 'clicked', at, messageId, button, toast: null, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async inlineQuery(query: string): Promise<InlineResultInfo[]> {
    const at = this.clock.now();
    const results = await this.inner.inlineQuery(query);
    this.push({ kind: 'inline', at, query, results: results.map((r) => ({ ...r, document: r.document ? { ...r.document } : null })), answeredAt: this.clock.now() });
    return results;
  }

  async sendInlineResult(result: InlineResultInfo): Promise<BotMessage> {
    const at = this.clock.now();
    const ours = await this.inner.sendInlineResult(result);
    this.seen.set(ours.id, fingerprint(ours));
    this.push({ kind: 'chosen', at, resultId: result.resultId, message: copy(ours) });
    return ours;
  }

  async history(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    const messages = await this.inner.history(options);
    for (const m of messages) this.note(m, 'polled');
    return messages;
  }

  async getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    const messages = await this.inner.getMessages(ids);
    for (const m of messages) if (m) this.note(m, 'polled');
    return messages;
  }

  onMessage(handler: IncomingHandler): () => void {
    return this.inner.onMessage(handler);
  }

  async downloadDocument(messageId: number, targetPath: string): Promise<DownloadResult> {
    this.push({ kind: 'download', at: this.clock.now(), messageId });
    const [message] = await this.inner.getMessages([messageId]);
    return { path: targetPath, sizeBytes: message?.document?.size ?? 0, resumedFromBytes: 0 };
  }

  /** Stops listening to the chat (the inner gateway stays as it was). */
  close(): void {
    this.unsubscribe();
  }

  private note(message: BotMessage, how: 'new' | 'edited' | 'polled'): void {
    const print = fingerprint(message);
    const before = this.seen.get(message.id);
    if (before === print) return;
    // Our own messages matter only once the bot changes them (an inline result turning into a file).
    if (message.out && before === undefined) {
      this.seen.set(message.id, print);
      return;
    }
    this.seen.set(message.id, print);
    this.push({ kind: 'incoming', at: this.clock.now(), how: before === undefined ? (how === 'polled' ? 'polled' : 'new') : how === 'polled' ? 'polled' : 'edited', message: copy(message) });
  }

  private push(step: ProbeStep): void {
    if (this.steps.length < MAX_STEPS) this.steps.push(step);
  }
}

function fingerprint(m: BotMessage): string {
  return JSON.stringify([m.text, m.buttons, m.media, m.document]);
}

function copy(m: BotMessage): BotMessage {
  return { ...m, buttons: m.buttons.map((b) => ({ ...b })), document: m.document ? { ...m.document } : null };
}
