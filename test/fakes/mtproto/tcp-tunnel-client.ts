/**
 * The client half of a fake Telegram in another process (tcp-tunnel-server.ts): GramJS's own
 * production socket, PromisedNetSockets, pointed at the loopback port that stands for the DC's
 * address. Nothing of GramJS is replaced: its socket reads, buffers and closes as it does against
 * Telegram; only the address it dials is translated.
 */
import { PromisedNetSockets } from 'telegram/extensions/index.js';

/** A `networkSocket` class for TelegramClient that reaches each DC address through its loopback port. */
export function tunnelSocketClass(ports: Record<string, number>): typeof PromisedNetSockets {
  return class TunnelledNetSocket extends PromisedNetSockets {
    override connect(port: number, ip: string): Promise<PromisedNetSockets> {
      const local = ports[ip];
      if (local === undefined) return Promise.reject(new Error(`tcp tunnel: no port for ${ip}:${port}`));
      return super.connect(local, '127.0.0.1') as Promise<PromisedNetSockets>;
    }
  };
}
