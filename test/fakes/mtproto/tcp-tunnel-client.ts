/**
 * The client half of a fake Telegram in another process (tcp-tunnel-server.ts): Crate's production
 * socket (src/telegram/net-socket.ts) pointed at the loopback port that stands for the DC's
 * address. Nothing of the client is replaced: the socket reads, buffers and closes as it does
 * against Telegram; only the address it dials is translated.
 */
import type { PromisedNetSockets } from 'telegram/extensions/index.js';
import { CrateNetSocket } from '../../../src/telegram/net-socket.js';

/** A `networkSocket` class for TelegramClient that reaches each DC address through its loopback port. */
export function tunnelSocketClass(ports: Record<string, number>): typeof PromisedNetSockets {
  class TunnelledNetSocket extends CrateNetSocket {
    override connect(port: number, ip: string): Promise<this> {
      const local = ports[ip];
      if (local === undefined) return Promise.reject(new Error(`tcp tunnel: no port for ${ip}:${port}`));
      return super.connect(local, '127.0.0.1');
    }
  }
  return TunnelledNetSocket as unknown as typeof PromisedNetSockets;
}
