import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as nodeUtil from 'node:util';
import { parseConfig, secretValues, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { LogSink } from './log-sink.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** What every command gets: streams, the environment, and lazily built config and logger. */
export interface CliContext {
  stdout: Out;
  stderr: Out;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Parsed config (`.env` in cwd fills what the real environment does not set); folders are absolute, from cwd. */
  config(): Config;
  logger(options?: { debug?: boolean }): Logger;
  /** Where the logger writes (stderr); the live progress block holds its lines while it is shown. */
  logSink: LogSink;
  /** `--debug` was given (a global option): debug logs, stack traces on unexpected errors. */
  debug: boolean;
  /** Aborted on SIGINT/SIGTERM; long commands stop cleanly on it. */
  shutdownSignal: AbortSignal;
  /** Set by a command that ends without an error but not in success (runCli returns it; default 0). */
  exitCode?: number;
}

export function createCliContext(
  overrides: Partial<Pick<CliContext, 'stdout' | 'stderr' | 'env' | 'cwd' | 'shutdownSignal' | 'debug'>> = {},
): CliContext {
  const cwd = overrides.cwd ?? process.cwd();
  const env = overrides.env ?? loadEnv(cwd, process.env);
  let config: Config | undefined;
  let logger: Logger | undefined;
  const stderr = overrides.stderr ?? process.stderr;
  const ctx: CliContext = {
    stdout: overrides.stdout ?? process.stdout,
    stderr,
    // Human-readable lines in a terminal, JSON lines for a file or a pipe.
    logSink: new LogSink(stderr, { pretty: Boolean(stderr.isTTY) }),
    env,
    cwd,
    debug: overrides.debug ?? false,
    shutdownSignal: overrides.shutdownSignal ?? new AbortController().signal,
    config() {
      // Relative folders belong to the command's working directory (not the process's), once.
      config ??= withFoldersFrom(cwd, parseConfig(env));
      return config;
    },
    logger(options) {
      const debug = options?.debug || ctx.debug;
      if (!logger) {
        const cfg = ctx.config();
        // Logs follow the command's stderr (a caller that passes its own stream gets them there too).
        logger = createLogger({ level: debug ? 'debug' : cfg.logLevel, secrets: secretValues(cfg), destination: ctx.logSink });
        for (const w of cfg.warnings) logger.warn(w);
      } else if (debug) {
        logger.level = 'debug';
      }
      return logger;
    },
  };
  return ctx;
}

function withFoldersFrom(cwd: string, config: Config): Config {
  return { ...config, dataDir: path.resolve(cwd, config.dataDir), downloadFolder: path.resolve(cwd, config.downloadFolder) };
}

/** Copies the environment and fills in from `.env` (parsed with Node's own --env-file rules). */
export function loadEnv(cwd: string, base: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return env;
  const parseEnv = (nodeUtil as unknown as { parseEnv?: (text: string) => Record<string, string> }).parseEnv;
  if (!parseEnv) return env;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) if (env[k] === undefined) env[k] = v;
  return env;
}
