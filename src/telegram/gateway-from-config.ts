import type { Config } from '../config.js';
import type { TelegramGateway } from '../domain/telegram.js';
import type { Logger } from '../logger.js';
import type { GatewayFromConfigOptions } from './create-client.js';
import { loadSession } from './session-file.js';
import { UnavailableGateway } from './unavailable-gateway.js';

export type { GatewayFromConfigOptions } from './create-client.js';

/**
 * The gateway the service uses. With no saved session (or missing api settings) it returns a
 * gateway whose status() is 'no_session' and whose calls fail with SessionExpiredError, so the
 * service still starts and the owner can log in from the control bot. After a login, build a
 * new gateway with this function.
 *
 * GramJS is loaded only when there is a session to use it with: a `serve` waiting for its first
 * /login does not carry it (~50 MB of a process's memory).
 */
export async function createGatewayFromConfig(config: Config, logger: Logger, options: GatewayFromConfigOptions = {}): Promise<TelegramGateway> {
  if (config.telegram.apiId === undefined || config.telegram.apiHash === undefined) {
    return new UnavailableGateway('TELEGRAM_API_ID and TELEGRAM_API_HASH are not set (my.telegram.org → API development tools)');
  }
  const session = await loadSession(config.dataDir, logger);
  if (session === null) return new UnavailableGateway('not logged in: run `crate login` or send /login to the control bot');
  const { createGramjsGateway } = await import('./create-client.js');
  return createGramjsGateway(config, session, logger, options);
}
