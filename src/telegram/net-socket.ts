/**
 * The TCP socket GramJS talks to Telegram through (its `networkSocket` client option), in place of
 * GramJS's PromisedNetSockets, which is quadratic in a packet's size: every chunk that arrives is
 * concatenated onto everything buffered, and `readExactly` concatenates again per chunk, so a
 * 1 MiB file part arriving in 64 KiB chunks costs about 9 MiB of short-lived copies. At a few MB/s
 * that garbage, not the parts themselves, was most of a download's memory (the download bench).
 *
 * Here chunks are kept as they arrive and a read copies each byte once (none when one chunk holds
 * it all). Same contract as PromisedNetSockets otherwise: `connect` resolves once connected and
 * rejects on a connect error; once either side closes, pending and later reads and writes throw,
 * which is how GramJS's receive loop learns the link is gone (then it reconnects). One bound more:
 * a read of more than MAX_PACKET_BYTES (a length no Telegram packet has: a damaged or hostile
 * stream) throws instead of waiting to buffer it.
 *
 * No proxy support: Crate has no proxy setting, and GramJS passes none.
 */
import { Socket } from 'node:net';

/** Far above Telegram's largest packet (a 1 MiB file part plus its envelope). */
export const MAX_PACKET_BYTES = 16 * 1024 * 1024;

const closeError = () => new Error('NetSocket was closed');

export class CrateNetSocket {
  closed = true;
  private socket: Socket | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiting: (() => void)[] = [];

  constructor(proxy?: unknown) {
    if (proxy) throw new Error('Crate does not support connecting to Telegram through a proxy');
  }

  connect(port: number, ip: string): Promise<this> {
    this.chunks = [];
    this.buffered = 0;
    const socket = new Socket();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.wake();
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.closed = true;
      this.wake();
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, ip, () => {
        socket.off('error', reject);
        // Later errors end in 'close', which is what readers hear.
        socket.on('error', () => undefined);
        this.closed = false;
        resolve(this);
      });
    });
  }

  write(data: Buffer): void {
    if (this.closed || !this.socket) throw closeError();
    this.socket.write(data);
  }

  /** Exactly `count` bytes, once they have all arrived. */
  async readExactly(count: number): Promise<Buffer> {
    if (count < 0 || count > MAX_PACKET_BYTES) {
      throw new Error(`Telegram sent a packet length of ${count} bytes: the connection is damaged`);
    }
    while (this.buffered < count && !this.closed) await this.arrival();
    if (this.closed) throw closeError();
    return this.take(count);
  }

  /** Up to `count` bytes, as soon as there are any. */
  async read(count: number): Promise<Buffer> {
    while (this.buffered === 0 && !this.closed) await this.arrival();
    if (this.closed) throw closeError();
    return this.take(Math.min(count, this.buffered));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.socket = null;
    this.chunks = [];
    this.buffered = 0;
    this.wake();
  }

  toString(): string {
    return 'CrateNetSocket';
  }

  private take(count: number): Buffer {
    this.buffered -= count;
    const first = this.chunks[0];
    if (first && first.length >= count) {
      // One chunk holds it all: a view, no copy.
      if (first.length === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
      return first.subarray(0, count);
    }
    const out = Buffer.allocUnsafe(count);
    for (let at = 0; at < count; ) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.length, count - at);
      chunk.copy(out, at, 0, n);
      at += n;
      if (n === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(n);
    }
    return out;
  }

  private arrival(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }
}
