/**
 * A real GramJS TelegramClient talking real MTProto to a fake Telegram (test/fakes/mtproto/),
 * whose account and bot chat are a SimulatedLosslessBot.
 *
 * Only the network below GramJS is faked: the client gets a fake `networkSocket`; GramJS's own
 * connect, senders (getSender and its borrowing of exported senders, with the release timer), invoke, FloodWait
 * handling, DC export for FILE_MIGRATE, reconnect, ping and update loops all run. Bot messages
 * reach the client as updates the server pushes through the transport.
 *
 * Link model per connection: each request costs a round trip; upload.File bytes share the
 * connection's bandwidth in arrival order (see FakeTelegramNetwork).
 */
import { TelegramClient } from 'telegram';
import type { PromisedNetSockets } from 'telegram/extensions/index.js';
import { Logger, LogLevel } from 'telegram/extensions/Logger.js';
import type { StringSession } from 'telegram/sessions/index.js';
import { telegramClientParams } from '../../../src/telegram/client-params.js';
import { FakeTelegramNetwork } from '../mtproto/fake-network.js';
import type { SimulatedLosslessBot } from './core.js';
import { simulateAccount, type SimulatedAccountOptions, type SimulatedLink } from './simulated-account.js';

export type { RequestHandler, SimRequestRecord, SimulatedLink } from './simulated-account.js';

export interface SimulatedClientOptions extends SimulatedAccountOptions {
  /** Round trip per request, ms: fixed or a [min, max] range. Default 0. */
  latencyMs?: number | [number, number];
  /** Bandwidth of each connection (sender) for file bytes. Default unlimited. */
  bandwidthBytesPerSec?: number;
  /** The session to use (default: an empty StringSession on DC 2). */
  session?: StringSession;
  apiId?: number;
  apiHash?: string;
  /** The fake Telegram to use (default: a new one with `latencyMs`/`bandwidthBytesPerSec`). */
  network?: FakeTelegramNetwork;
  /** GramJS client options on top of production's (test/fakes pass a quiet logger by default). */
  clientParams?: Record<string, unknown>;
  /** The socket GramJS dials with (default: the network's in-process FakeSocket; tcp-tunnel-client.ts: real TCP). */
  socketClass?: typeof PromisedNetSockets;
}

export type SimulatedTelegramClient = TelegramClient & { sim: SimulatedLink };

export function createSimulatedTelegramClient(
  bot: SimulatedLosslessBot,
  options: SimulatedClientOptions,
): SimulatedTelegramClient {
  const network =
    options.network ?? new FakeTelegramNetwork({ latencyMs: options.latencyMs ?? 0, bandwidthBytesPerSec: options.bandwidthBytesPerSec });
  const session = options.session ?? network.sessionSync();
  network.trustSession(session);
  const client = new TelegramClient(session, options.apiId ?? 12345, options.apiHash ?? '0123456789abcdef0123456789abcdef', {
    ...telegramClientParams(new Logger(LogLevel.NONE)),
    ...options.clientParams,
    networkSocket: options.socketClass ?? network.socketClass(),
  }) as SimulatedTelegramClient;
  client.sim = simulateAccount(bot, network, options);
  return client;
}
