/**
 * A fake Telegram reached over real TCP on 127.0.0.1, so the client under test can run in another
 * process (the download bench measures the memory of Crate's side alone).
 *
 * One loopback listener per data centre: the client connects to the port that stands for the DC's
 * address (tcp-tunnel-client.ts maps it), and each accepted TCP connection becomes one connection
 * of the FakeTelegramNetwork. The link model (round trip, bandwidth per connection, order of the
 * bytes) stays where it is, in the network's ServerConnection: loopback TCP adds no model of its
 * own, it only carries the bytes the network lets out when it lets them out.
 *
 * Connect semantics over TCP: the kernel accepts at once, so the network's connect delay (half a
 * round trip) is spent before the first client byte is handed on; a refused connection is reset
 * right after it was accepted; one that would never be answered is held and never read. The
 * bench uses a link that is up; tests of outages run the in-process FakeSocket.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ClientEnd, SocketNetwork, SocketPeer } from './fake-socket.js';

export interface TcpTunnel {
  /** Loopback port that stands for each DC address. */
  ports: Record<string, number>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (one ephemeral port per address in `addresses`) for clients of `network`. */
export async function serveOverTcp(network: SocketNetwork, addresses: string[], dcPort = 443): Promise<TcpTunnel> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const ports: Record<string, number> = {};
  for (const ip of addresses) {
    const server = createServer({ noDelay: true }, (tcp) => {
      sockets.add(tcp);
      tcp.on('close', () => sockets.delete(tcp));
      accept(network, ip, dcPort, tcp);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('tcp tunnel: no port');
    ports[ip] = address.port;
    servers.push(server);
  }
  return {
    ports,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

function accept(network: SocketNetwork, ip: string, port: number, tcp: Socket): void {
  // Bytes the client sends before the network has accepted wait here (the client sends first in MTProto).
  const early: Buffer[] = [];
  let peer: SocketPeer | null = null;
  let clientGone = false;
  tcp.on('data', (chunk: Buffer) => (peer ? peer.receive(chunk) : early.push(chunk)));
  tcp.on('error', () => undefined); // 'close' follows
  tcp.on('close', () => {
    clientGone = true;
    peer?.clientClosed();
  });
  const end: ClientEnd = {
    deliver: (data) => void tcp.write(data),
    serverClosed: () => tcp.destroy(),
    get unread() {
      return tcp.writableLength;
    },
  };
  network.open(ip, port, end).then(
    (opened) => {
      if (clientGone) return opened.clientClosed();
      peer = opened;
      for (const chunk of early.splice(0)) opened.receive(chunk);
    },
    () => tcp.resetAndDestroy(),
  );
}
