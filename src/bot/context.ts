import type { ConversationFlavor } from '@grammyjs/conversations';
import type { Context } from 'grammy';
import type { Config } from '../config.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { Logger, SecretRegistry } from '../logger.js';
import type { LoginNoticeThrottle } from './notifications.js';
import type { BotAccountControl, Check, ExchangeProbe, SettingsStore, SpotifyLogin, TelegramLoginFlow } from './ports.js';
import type { ProgressMessages } from './progress-messages.js';

/** The context outside conversations: grammY's plus a per-update child logger. */
export type BotContext = ConversationFlavor<Context & { logger: Logger }>;

/** Everything the features use; built once in createBot. */
export interface BotDeps {
  config: Config;
  logger: Logger;
  service: JobServiceApi;
  login: TelegramLoginFlow;
  spotify: SpotifyLogin;
  settings: SettingsStore;
  /** The short doctor list shown in /status (optional: /status works without it). */
  checks: Check[];
  progress: ProgressMessages;
  /** Telegram user id of the owner; also the private chat id with them. */
  ownerId: number;
  /** Secrets that must never be echoed in a message (shared with the logger: stored ones join later). */
  secrets: SecretRegistry;
  /** One "log in" message per interval, from notifications and buttons alike. */
  loginNotice: LoginNoticeThrottle;
  /** `/probe` (absent: the command says it is not available). */
  prober?: ExchangeProbe;
  /** `/acceptbot` (absent: the command says it is not available). */
  botAccount?: BotAccountControl;
}
