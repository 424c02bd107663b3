import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as nodeUtil from 'node:util';
import { parseConfig, secretValues, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** What every command gets: streams, the environment, and lazily built config and logger. */
export interface CliContext {
  stdout: Out;
  stderr: Out;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Parsed config (`.env` in cwd fills what the real environment does not set). */
  config(): Config;
  logger(options?: { debug?: boolean }): Logger;
  /** Aborted on SIGINT/SIGTERM; long commands stop cleanly on it. */
  shutdownSignal: AbortSignal;
}

export function createCliContext(
  overrides: Partial<Pick<CliContext, 'stdout' | 'stderr' | 'env' | 'cwd' | 'shutdownSignal'>> = {},
): CliContext {
  const cwd = overrides.cwd ?? process.cwd();
  const env = overrides.env ?? loadEnv(cwd, process.env);
  let config: Config | undefined;
  let logger: Logger | undefined;
  const ctx: CliContext = {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    env,
    cwd,
    shutdownSignal: overrides.shutdownSignal ?? new AbortController().signal,
    config() {
      config ??= parseConfig(env);
      return config;
    },
    logger(options) {
      if (!logger) {
        const cfg = ctx.config();
        logger = createLogger({ level: options?.debug ? 'debug' : cfg.logLevel, secrets: secretValues(cfg) });
        for (const w of cfg.warnings) logger.warn(w);
      } else if (options?.debug) {
        logger.level = 'debug';
      }
      return logger;
    },
  };
  return ctx;
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
