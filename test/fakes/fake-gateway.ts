/**
 * A TelegramGateway over the plain-data SimulatedLosslessBot: the protocol and engine tests talk
 * to the simulated @LosslessRobot through the same interface the GramJS gateway implements.
 * Downloads write real bytes through `.part` + rename, like the real downloader.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FloodWaitError } from '../../src/domain/errors.js';
import type {
  BotMessage,
  DownloadOptions,
  DownloadResult,
  IncomingHandler,
  InlineResultInfo,
  SessionStatus,
  TelegramGateway,
} from '../../src/domain/telegram.js';
import type { Clock } from '../../src/engine/ports.js';
import { SimFloodWait, type SimulatedLosslessBot } from './simulated-lossless/core.js';
import type { SimScheduler } from './simulated-lossless/scheduler.js';

export interface FakeGatewayOptions {
  /** Events the gateway "misses" (GramJS never catches up): only polling finds them. */
  dropEvent?: (message: BotMessage, kind: 'new' | 'edited') => boolean;
  /** Changes an event before delivery (e.g. a reply the simulator never makes); null drops it. */
  rewriteEvent?: (message: BotMessage, kind: 'new' | 'edited') => BotMessage | null;
  /** Bytes per read in downloads. */
  partSize?: number;
  /** Where chosen inline results go (INLINE_SEND_TO): the bot chat (default) or Saved Messages. */
  inlineSendTo?: 'bot' | 'saved';
}

export type GatewayCall = { method: string; args: unknown[] };

export class FakeGateway implements TelegramGateway {
  readonly calls: GatewayCall[] = [];
  private connected = false;

  constructor(
    readonly bot: SimulatedLosslessBot,
    private readonly options: FakeGatewayOptions = {},
  ) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async status(): Promise<SessionStatus> {
    return { state: this.connected ? 'ready' : 'offline', user: 'tester', detail: null };
  }

  async resolveBot(username: string): Promise<{ id: string; username: string }> {
    return { id: String(this.bot.botUserId), username: username.replace(/^@/, '') };
  }

  async sendText(text: string): Promise<BotMessage> {
    return this.sim('sendText', [text], () => this.bot.sendText(text));
  }

  async clickButton(messageId: number, data: string): Promise<{ message: string | null }> {
    return this.sim('clickButton', [messageId, data], () => this.bot.clickButton(messageId, data));
  }

  async inlineQuery(query: string): Promise<InlineResultInfo[]> {
    return this.sim('inlineQuery', [query], () => this.bot.inlineQuery(query));
  }

  async sendInlineResult(result: InlineResultInfo): Promise<BotMessage> {
    return this.sim('sendInlineResult', [result.resultId], () => this.bot.sendInlineResult(result, this.options.inlineSendTo ?? 'bot'));
  }

  async inlineHistory(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    if (this.options.inlineSendTo !== 'saved') return this.history(options);
    return this.sim('inlineHistory', [options.minId], () =>
      this.bot.savedMessages().filter((m) => m.id > options.minId && this.bot.sentViaBot(m.id)).slice(0, options.limit),
    );
  }

  async history(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    return this.sim('history', [options.minId], () => this.bot.history(options));
  }

  async getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    return this.sim('getMessages', [ids], () => this.bot.getMessages(ids));
  }

  onMessage(handler: IncomingHandler): () => void {
    return this.bot.onMessage((message, kind) => {
      if (this.options.dropEvent?.(message, kind)) return;
      const rewritten = this.options.rewriteEvent ? this.options.rewriteEvent(message, kind) : message;
      if (rewritten) handler(rewritten, kind);
    });
  }

  async downloadDocument(messageId: number, targetPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    this.calls.push({ method: 'downloadDocument', args: [messageId, targetPath] });
    const [message] = this.bot.getMessages([messageId]);
    const doc = message?.document;
    if (!doc) throw new Error(`message ${messageId} has no document`);
    await mkdir(path.dirname(targetPath), { recursive: true });
    const part = `${targetPath}.part`;
    const already = await stat(part).then((s) => s.size, () => 0);
    const resumed = already > 0 && already < doc.size ? already : 0;
    if (resumed === 0) await rm(part, { force: true });
    const file = await open(part, resumed > 0 ? 'r+' : 'w');
    const step = this.options.partSize ?? 64 * 1024;
    try {
      for (let offset = resumed; offset < doc.size; offset += step) {
        options.signal?.throwIfAborted();
        const bytes = this.bot.documentBytes(doc.id, offset, Math.min(step, doc.size - offset));
        await file.write(bytes, 0, bytes.length, offset);
        options.onProgress?.({ receivedBytes: offset + bytes.length, totalBytes: doc.size });
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(part, targetPath);
    return { path: targetPath, sizeBytes: doc.size, resumedFromBytes: resumed };
  }

  /** Calls of one method, e.g. `sent('sendText')`. */
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private sim<T>(method: string, args: unknown[], fn: () => T): T {
    this.calls.push({ method, args });
    try {
      return fn();
    } catch (err) {
      if (err instanceof SimFloodWait) throw new FloodWaitError(err.seconds, method, { cause: err });
      throw err;
    }
  }
}

/** Runs the simulator on a Clock (e.g. the engine's FakeClock), so one virtual time drives both sides. */
export function schedulerOnClock(clock: Clock): SimScheduler {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      const handle = new AbortController();
      clock.sleep(ms, handle.signal).then(fn, () => undefined);
      return handle;
    },
    clearTimeout: (handle) => (handle as AbortController).abort(),
  };
}
