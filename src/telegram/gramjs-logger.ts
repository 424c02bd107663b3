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

const ROUTED = Symbol.for('crate.gramjsConsoleRouted');

/**
 * GramJS also writes to the console directly, bypassing its logger ("sender already has some
 * hanging states. reconnecting", errors of its update loop and reconnects). Those calls come
 * from its own files: route them to our logger (debug level, with redaction) and keep every
 * other console call as it was. Installed once per process by the composition root.
 */
export function routeGramjsConsole(logger: Logger): void {
  const target = console as unknown as Record<PropertyKey, unknown>;
  if (target[ROUTED]) return;
  target[ROUTED] = true;
  for (const method of ['log', 'error', 'warn', 'info'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const stack = new Error().stack ?? '';
      if (/[\\/]node_modules[\\/]telegram[\\/]/.test(stack.split('\n').slice(2, 4).join('\n'))) {
        logger.debug({ component: 'gramjs', console: method }, args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
        return;
      }
      original(...args);
    };
  }
}
