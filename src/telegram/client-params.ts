import type { TelegramClientParams } from 'telegram/client/telegramBaseClient.js';
import type { PromisedNetSockets } from 'telegram/extensions/index.js';
import type { Logger as GramLogger } from 'telegram/extensions/Logger.js';
import { CrateNetSocket } from './net-socket.js';

/**
 * GramJS options Crate runs with (tests build their simulated clients from the same ones).
 * Few connection retries: GramJS's own connect loop has no deadline and gives up silently, so
 * the gateway's health loop owns retrying (with backoff and a plain message) instead. Our own
 * socket (net-socket.ts): GramJS's copies every packet over and over while it arrives.
 */
export function telegramClientParams(baseLogger: GramLogger): TelegramClientParams {
  return {
    connectionRetries: 2,
    retryDelay: 1_000,
    autoReconnect: true,
    floodSleepThreshold: 0,
    baseLogger,
    deviceModel: 'Crate',
    appVersion: '0.1.0',
    // The option is typed as GramJS's class; GramJS only calls connect, write, readExactly, read and close.
    networkSocket: CrateNetSocket as unknown as typeof PromisedNetSockets,
  };
}
