/**
 * The socket GramJS's Connection reads and writes (the `networkSocket` client option; in
 * production `PromisedNetSockets`). Same interface and the same end-of-stream behaviour: a
 * close from either side makes pending and later reads throw, which is how GramJS's receive
 * loop learns the link is gone. Everything above it — ConnectionTCPFull's framing, MTProtoSender
 * (encryption, acks, resends, reconnect), the client's senders and update loop — is GramJS's own.
 */
import type { PromisedNetSockets } from 'telegram/extensions/index.js';

export interface SocketPeer {
  /** Bytes the client wrote. */
  receive(data: Buffer): void;
  /** The client closed its end. */
  clientClosed(): void;
}

/** The client's end of a connection, as the server sees it: a FakeSocket, or a TCP tunnel to one in another process. */
export interface ClientEnd {
  /** Bytes that the server sent have arrived. */
  deliver(data: Buffer): void;
  /** The server (or the network in between) closed the connection. */
  serverClosed(): void;
  /** Bytes delivered but not yet read by the client. */
  readonly unread: number;
}

export interface SocketNetwork {
  /** Resolves with the server side of a new connection; rejects (refused), or never settles (SYN dropped). */
  open(ip: string, port: number, socket: ClientEnd): Promise<SocketPeer>;
}

const closeError = () => new Error('NetSocket was closed');

export class FakeSocket implements ClientEnd {
  closed = true;
  private stream: Buffer = Buffer.alloc(0);
  private readers: (() => void)[] = [];
  private peer: SocketPeer | null = null;

  constructor(private readonly network: SocketNetwork) {}

  async connect(port: number, ip: string): Promise<this> {
    this.stream = Buffer.alloc(0);
    this.peer = await this.network.open(ip, port, this);
    this.closed = false;
    return this;
  }

  write(data: Buffer): void {
    if (this.closed || !this.peer) throw closeError();
    this.peer.receive(Buffer.from(data));
  }

  async readExactly(count: number): Promise<Buffer> {
    while (this.stream.length < count) {
      if (this.closed) throw closeError();
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
    if (this.closed) throw closeError();
    const out = this.stream.subarray(0, count);
    this.stream = this.stream.subarray(count);
    return out;
  }

  async read(count: number): Promise<Buffer> {
    while (this.stream.length === 0) {
      if (this.closed) throw closeError();
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
    const out = this.stream.subarray(0, count);
    this.stream = this.stream.subarray(out.length);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.peer?.clientClosed();
  }

  /** Bytes that the server sent have arrived. */
  deliver(data: Buffer): void {
    if (this.closed) return;
    this.stream = this.stream.length === 0 ? data : Buffer.concat([this.stream, data]);
    this.wake();
  }

  /** The server (or the network in between) closed the connection. */
  serverClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
  }

  /** Bytes delivered but not yet read by GramJS. */
  get unread(): number {
    return this.stream.length;
  }

  private wake(): void {
    const waiting = this.readers;
    this.readers = [];
    for (const w of waiting) w();
  }
}

/**
 * A `networkSocket` class bound to one fake network (GramJS constructs it with `new socket(proxy)`).
 * Typed as GramJS's socket class: the option's type names the concrete class, whose other members
 * (readAll, receive) GramJS's TCP-full connection never calls.
 */
export function socketClassFor(network: SocketNetwork): typeof PromisedNetSockets {
  class BoundFakeSocket extends FakeSocket {
    constructor(_proxy?: unknown) {
      super(network);
    }
  }
  return BoundFakeSocket as unknown as typeof PromisedNetSockets;
}
