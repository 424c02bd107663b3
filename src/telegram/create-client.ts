import { TelegramClient } from 'telegram';
import { StringSession } from 'telegram/sessions/index.js';
import { requireSettings, type Config } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { BotPeerStore, TelegramGateway } from '../domain/telegram.js';
import type { Logger } from '../logger.js';
import { GramjsGateway, type PollingOptions } from './gramjs-gateway.js';
import { telegramClientParams } from './client-params.js';
import { BoundedStringSession } from './bounded-session.js';
import type { FloodRecord } from './bot-resolver.js';
import { createGramjsLogger, routeGramjsConsole } from './gramjs-logger.js';
import { sessionFilePath } from './session-file.js';
import { UnavailableGateway } from './unavailable-gateway.js';

export interface CreateClientOptions {
  /** A saved StringSession, or '' for a fresh login. */
  session: string;
  logger?: Logger;
}

/**
 * A GramJS client the way Crate needs it: no flood wait is ever slept through silently
 * (floodSleepThreshold 0: the engine's pacer handles every wait), and GramJS never prints to
 * stdout (its logger bridges to ours at debug level). Does not connect.
 */
export function createTelegramClient(config: Config, options: CreateClientOptions): TelegramClient {
  requireSettings(config, ['telegramUser']);
  const { apiId, apiHash } = config.telegram;
  if (apiId === undefined || apiHash === undefined) throw new Error('unreachable: requireSettings checked the api id');
  let session: StringSession;
  try {
    session = new BoundedStringSession(options.session);
  } catch (err) {
    throw new UserError(
      `The saved Telegram session in ${sessionFilePath(config.dataDir)} is damaged.`,
      'Log in again with `crate login` (or /login in the control bot).',
      { cause: err },
    );
  }
  const dc = config.telegram.dc;
  if (dc && !options.session) session.setDC(dc.id, dc.ip, 443);
  const client = new TelegramClient(session, apiId, apiHash, telegramClientParams(createGramjsLogger(options.logger)));
  client.floodSleepThreshold = 0;
  return client;
}

export interface GatewayFromConfigOptions {
  polling?: Partial<PollingOptions>;
  /** The bot's peer kept in SQLite (resolved once per account) and the account's stored FloodWait. */
  botPeers?: BotPeerStore;
  flood?: FloodRecord;
}

/** The GramJS gateway for a saved session (gateway-from-config.ts decides whether there is one). */
export function createGramjsGateway(config: Config, session: string, logger: Logger, options: GatewayFromConfigOptions = {}): TelegramGateway {
  routeGramjsConsole(logger);
  try {
    createTelegramClient(config, { session, logger });
  } catch (err) {
    if (err instanceof UserError) return new UnavailableGateway(err.message);
    throw err;
  }
  // A factory: after an outage the gateway builds a fresh client (same session) instead of
  // reviving one whose queues still hold the requests that timed out.
  return new GramjsGateway(() => createTelegramClient(config, { session, logger }), {
    botUsername: config.telegram.externalBot,
    logger,
    download: { parallelParts: config.downloadParallelParts },
    downloadsPerDc: config.downloadsPerDc,
    inlineSendTo: config.inlineSendTo,
    timing: { connectTimeoutMs: config.telegramConnectTimeoutSeconds * 1000 },
    // Files can come minutes after a request: keep polling briskly for the response timeout and a bit.
    polling: { activeWindowMs: (config.responseTimeoutSeconds + 60) * 1000, ...options.polling },
    ...(options.botPeers ? { botPeers: options.botPeers } : {}),
    ...(options.flood ? { flood: options.flood } : {}),
  });
}
