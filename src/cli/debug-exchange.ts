import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { UserError } from '../domain/errors.js';
import { EXCHANGE_FORMAT, ExchangeFormatError, MAX_EXCHANGE_FILE_BYTES, parseExchangeText, type ExchangeFile } from '../lossless/exchange/format.js';
import type { CliContext } from './context.js';

/** Reads and validates a `crate-exchange/1` file; every problem is a UserError naming the file (and scenario). */
export async function readExchangeFile(file: string): Promise<ExchangeFile> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_EXCHANGE_FILE_BYTES) {
      throw new UserError(`${file} is larger than ${MAX_EXCHANGE_FILE_BYTES / 1024 / 1024} MB; split it into several files`);
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `input file not found: ${file}` : `cannot read ${file} (${code ?? 'error'})`, undefined, { cause: err });
  }
  try {
    return parseExchangeText(text, file);
  } catch (err) {
    if (err instanceof ExchangeFormatError) {
      throw new UserError(err.message, `Expected {"format": "${EXCHANGE_FORMAT}", "scenarios": [...]} (see README, "Recorded exchanges").`, { cause: err });
    }
    throw err;
  }
}

/**
 * `crate debug exchange --input FILE`: replays each scenario through the product's own strategy
 * code against its scripted bot on virtual time; one JSON line per scenario, as each finishes.
 */
export function registerDebugExchange(program: Command, ctx: CliContext): void {
  const debug = program.commands.find((c) => c.name() === 'debug') ?? program.command('debug').description('developer tools');
  debug
    .command('exchange')
    .description(`replay ${EXCHANGE_FORMAT} scenarios through Crate's chat/inline strategy (no Telegram); prints one JSON line per scenario`)
    .requiredOption('--input <file>', `${EXCHANGE_FORMAT} JSON file`)
    .option('--timeout <seconds>', 'RESPONSE_TIMEOUT to replay with (default 300)', (v) => positive(v, '--timeout'))
    .action(async (opts: { input: string; timeout?: number }) => {
      const data = await readExchangeFile(opts.input);
      // The whole acquirer stack, loaded only for this command (not for `crate --help`).
      const { replayScenario } = await import('../lossless/exchange/replay.js');
      for (const scenario of data.scenarios) {
        if (ctx.shutdownSignal.aborted) break;
        const result = await replayScenario(scenario, opts.timeout !== undefined ? { responseTimeoutSeconds: opts.timeout } : {});
        ctx.stdout.write(`${JSON.stringify(result)}\n`);
      }
    });
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${flag} must be a positive number of seconds, got "${value}"`);
  return n;
}
