/**
 * The child side of the chaos kill test: a TelegramGateway whose every call is a request to the
 * parent process, where the simulated @LosslessRobot lives (so the bot, its pending replies and
 * its files outlive a SIGKILLed Crate). Downloads pull the document in chunks and write them
 * positionally into `NAME.part` (with `NAME.part.meta` naming the document, as the real
 * downloader does), so a kill can land in the middle of a file and the next run resumes it.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
import type { CheckpointDetail, CheckpointName, ParentMessage, RpcCall, RpcMethod } from './rpc.js';

/** What the gateway needs of the IPC channel (`process` in a forked child). */
export interface RpcPort {
  send(message: RpcCall): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export class RemoteGateway implements TelegramGateway {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly handlers = new Set<IncomingHandler>();
  private connected = false;

  constructor(
    private readonly port: RpcPort,
    private readonly options: { chunkBytes?: number } = {},
  ) {
    port.on('message', (raw) => this.receive(raw as ParentMessage));
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async status(): Promise<SessionStatus> {
    const s = (await this.call('status', [])) as SessionStatus;
    return this.connected || s.state !== 'ready' ? s : { ...s, state: 'offline' };
  }

  async resolveBot(username: string): Promise<{ id: string; username: string }> {
    return (await this.call('resolveBot', [username])) as { id: string; username: string };
  }

  async sendText(text: string): Promise<BotMessage> {
    return (await this.call('sendText', [text])) as BotMessage;
  }

  async clickButton(messageId: number, data: string): Promise<{ message: string | null }> {
    return (await this.call('clickButton', [messageId, data])) as { message: string | null };
  }

  async inlineQuery(query: string): Promise<InlineResultInfo[]> {
    return (await this.call('inlineQuery', [query])) as InlineResultInfo[];
  }

  async sendInlineResult(result: InlineResultInfo): Promise<BotMessage> {
    return (await this.call('sendInlineResult', [{ queryId: result.queryId, resultId: result.resultId }])) as BotMessage;
  }

  async history(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    return (await this.call('history', [options])) as BotMessage[];
  }

  async getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    return (await this.call('getMessages', [ids])) as (BotMessage | null)[];
  }

  onMessage(handler: IncomingHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Tells the parent where we are and waits for its go (it may SIGKILL us instead). */
  async checkpoint(name: CheckpointName, detail: CheckpointDetail): Promise<void> {
    await this.call('checkpoint', [name, detail]);
  }

  async downloadDocument(messageId: number, targetPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const [message] = await this.getMessages([messageId]);
    const doc = message?.document;
    if (!doc) throw new Error(`message ${messageId} has no document`);
    const step = this.options.chunkBytes ?? 64 * 1024;
    const part = `${targetPath}.part`;
    const metaPath = `${targetPath}.part.meta`;
    await mkdir(path.dirname(targetPath), { recursive: true });

    // Resume only a `.part` of this very document, cut back to whole chunks.
    const meta = await readFile(metaPath, 'utf8').then((s) => JSON.parse(s) as { documentId: string }, () => null);
    const onDisk = await stat(part).then((s) => s.size, () => 0);
    const resumed = meta?.documentId === doc.id && onDisk < doc.size ? Math.floor(onDisk / step) * step : 0;
    if (resumed === 0) {
      await rm(part, { force: true });
      await writeFile(metaPath, JSON.stringify({ documentId: doc.id, size: doc.size }));
    }
    const file = await open(part, resumed > 0 ? 'r+' : 'w');
    try {
      await file.truncate(resumed);
      for (let offset = resumed; offset < doc.size; offset += step) {
        options.signal?.throwIfAborted();
        const raw = (await this.call('documentBytes', [doc.id, offset, Math.min(step, doc.size - offset)])) as Uint8Array;
        const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
        await file.write(bytes, 0, bytes.length, offset);
        options.onProgress?.({ receivedBytes: offset + bytes.length, totalBytes: doc.size });
      }
      await file.sync();
    } finally {
      await file.close();
    }
    const size = (await stat(part)).size;
    if (size !== doc.size) throw new Error(`download of ${doc.id} has ${size} bytes, expected ${doc.size}`);
    await rename(part, targetPath);
    await rm(metaPath, { force: true });
    await this.checkpoint('downloaded', { path: targetPath, documentId: doc.id });
    return { path: targetPath, sizeBytes: doc.size, resumedFromBytes: resumed };
  }

  private call(method: RpcMethod, args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.send({ t: 'call', id, method, args });
    });
  }

  private receive(message: ParentMessage): void {
    if (message.t === 'event') {
      for (const h of [...this.handlers]) h(message.message, message.kind);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else if (message.error.kind === 'flood') waiter.reject(new FloodWaitError(message.error.seconds, 'simulated'));
    else waiter.reject(new Error(message.error.message));
  }
}
