import { Logger as GramLogger, LogLevel } from 'telegram/extensions/Logger.js';
import type { Logger } from '../logger.js';

/**
 * GramJS logs to stdout by default, which would corrupt `--json` output and could print
 * connection details. This bridge sends its lines to our pino logger at debug level, and is
 * fully silent (level NONE) unless debug is on: at any other level GramJS also calls
 * console.error itself for errors in handlers and pings.
 */
class PinoBridgeLogger extends GramLogger {
  constructor(private readonly target: Logger) {
    super(target.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.NONE);
  }

  override log(level: LogLevel, message: string): void {
    this.target.debug({ component: 'gramjs', gramLevel: level }, message);
  }
}

export function createGramjsLogger(logger?: Logger): GramLogger {
  return logger ? new PinoBridgeLogger(logger) : new GramLogger(LogLevel.NONE);
}
