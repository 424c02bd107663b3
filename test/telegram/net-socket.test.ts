/** Crate's socket under GramJS (src/telegram/net-socket.ts) against real TCP servers on 127.0.0.1. */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CrateNetSocket, MAX_PACKET_BYTES } from '../../src/telegram/net-socket.js';
import { freePort } from '../fakes/free-port.js';

let server: Server | null = null;
const accepted: Socket[] = [];

/** A loopback server that hands each accepted connection to `onConnection`. */
async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  server = createServer((s) => {
    accepted.push(s);
    onConnection(s);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

afterEach(async () => {
  for (const s of accepted.splice(0)) s.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
});

const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251));

async function writeInPieces(socket: Socket, data: Buffer, piece: number): Promise<void> {
  for (let at = 0; at < data.length; at += piece) {
    socket.write(data.subarray(at, at + piece));
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('CrateNetSocket', () => {
  it('reads packets that arrive in many small pieces, byte for byte and in order', async () => {
    const body = pattern(1024 * 1024 + 12);
    const port = await listen((s) => void writeInPieces(s, Buffer.concat([Buffer.from('HEADER!!'), body, Buffer.from('tail')]), 3000));
    const socket = await new CrateNetSocket().connect(port, '127.0.0.1');
    expect((await socket.readExactly(8)).toString()).toBe('HEADER!!');
    expect((await socket.readExactly(body.length)).equals(body)).toBe(true);
    expect((await socket.readExactly(4)).toString()).toBe('tail');
    await socket.close();
  });

  it('read gives what has arrived, up to the count asked', async () => {
    const port = await listen((s) => s.write('hello'));
    const socket = await new CrateNetSocket().connect(port, '127.0.0.1');
    expect((await socket.read(3)).toString()).toBe('hel');
    expect((await socket.read(100)).toString()).toBe('lo');
    await socket.close();
  });

  it('carries what the client writes to the server', async () => {
    let received = '';
    let gotAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (gotAll = resolve));
    const port = await listen((s) =>
      s.on('data', (d) => {
        received += d.toString();
        if (received.length >= 6) gotAll();
      }),
    );
    const socket = await new CrateNetSocket().connect(port, '127.0.0.1');
    socket.write(Buffer.from('abc'));
    socket.write(Buffer.from('def'));
    await all;
    expect(received).toBe('abcdef');
    await socket.close();
  });

  it('when the server closes, a pending read and every later read and write throw', async () => {
    let peer: Socket | null = null;
    const port = await listen((s) => {
      peer = s;
      s.write('part');
    });
    const socket = await new CrateNetSocket().connect(port, '127.0.0.1');
    const pending = socket.readExactly(100); // only 4 bytes will ever come
    await new Promise((r) => setTimeout(r, 20));
    peer!.destroy();
    await expect(pending).rejects.toThrow('NetSocket was closed');
    expect(socket.closed).toBe(true);
    await expect(socket.read(1)).rejects.toThrow('NetSocket was closed');
    expect(() => socket.write(Buffer.from('x'))).toThrow('NetSocket was closed');
  });

  it('close by the client ends the connection on the server and fails its own reads', async () => {
    let serverSawClose: () => void = () => undefined;
    const closedOnServer = new Promise<void>((resolve) => (serverSawClose = resolve));
    const port = await listen((s) => s.on('close', () => serverSawClose()));
    const socket = await new CrateNetSocket().connect(port, '127.0.0.1');
    const pending = socket.readExactly(8);
    await socket.close();
    await expect(pending).rejects.toThrow('NetSocket was closed');
    await closedOnServer;
  });

  it('a refused connection rejects the connect', async () => {
    const port = await freePort();
    await expect(new CrateNetSocket().connect(port, '127.0.0.1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a packet length no Telegram packet has fails at once instead of buffering it', async () => {
    const port = await listen(() => undefined);
    const socket = await new CrateNetSocket().connect(port, '127.0.0.1');
    await expect(socket.readExactly(MAX_PACKET_BYTES + 1)).rejects.toThrow(/packet length of \d+ bytes: the connection is damaged/);
    await expect(socket.readExactly(-8)).rejects.toThrow(/packet length of -8 bytes/);
    await socket.close();
  });

  it('refuses a proxy it cannot use rather than connecting around it', () => {
    expect(() => new CrateNetSocket({ ip: '10.0.0.1', port: 1080, socksType: 5 })).toThrow(/proxy/);
  });
});
