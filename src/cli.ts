import { Command, CommanderError } from 'commander';
import { TelegramUnreachableError, UserError } from './domain/errors.js';
import { createCliContext, type CliContext } from './cli/context.js';
import type { RegisterCommand } from './cli/commands.js';
import { createCommands, type Wiring } from './main.js';

/** Builds the `crate` command line from the wired commands (src/main.ts). */
export function buildProgram(ctx: CliContext, commands: RegisterCommand[]): Command {
  const program = new Command()
    .name('crate')
    .description('Turn Spotify playlists into folders of verified FLAC files via @LosslessRobot.')
    .version('0.1.0')
    .option('--debug', 'verbose logs on stderr and stack traces on errors (any command)')
    .showHelpAfterError('(run `crate --help` for the list of commands)')
    // Each command's --help also lists --debug (and --help), which every command takes.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  for (const register of commands) register(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code. User errors print a short message, never a stack trace. */
export interface RunCliOptions extends NonNullable<Parameters<typeof createCliContext>[0]> {
  /** Replaces parts of the wiring (tests: simulated Telegram, fake servers). */
  wiring?: Wiring;
  /** Replaces the whole command list (tests of one command). */
  commands?: RegisterCommand[];
}

export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const { wiring, commands, ...overrides } = options;
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  const ownSignal = !overrides.shutdownSignal;
  if (ownSignal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const debug = wantsDebug(argv);
  const ctx = createCliContext({ shutdownSignal: controller.signal, debug, ...overrides });
  const hint = earlierToolHint(argv);
  if (hint) {
    ctx.stderr.write(hint);
    return 2;
  }
  try {
    await buildProgram(ctx, commands ?? createCommands(wiring)).parseAsync(argv);
    // Per run, never process.exitCode: one process may run several commands (tests, the bot).
    return ctx.exitCode ?? 0;
  } catch (err) {
    return reportFailure(ctx, err, debug);
  } finally {
    if (ownSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** `--debug` anywhere before a `--` (it is a global option: every command takes it). */
function wantsDebug(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).slice(2).includes('--debug');
}

/** `crate <link>` was the earlier tool's form; Crate's is `crate download <link>`. */
function earlierToolHint(argv: string[]): string | null {
  const first = argv[2];
  if (!first || first.startsWith('-')) return null;
  if (!/^(https?:\/\/|spotify:)|spotify\.(com|link)\//i.test(first)) return null;
  return `crate: "${first.length > 80 ? `${first.slice(0, 77)}...` : first}" is a link, not a command.\nTo download it: crate download ${first.length > 200 ? 'LINK' : first}\nTo list its tracks only: crate download --dry-run LINK\n`;
}

/** Commander's own exits that are not mistakes: help asked for, version asked for. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

function reportFailure(ctx: CliContext, err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Usage errors (unknown option or command, bad or missing value) were already printed by
    // commander; they exit 2 like every input to fix (README, exit codes). Help and version: 0.
    if (NOT_ERRORS.has(err.code)) return err.code === 'commander.help' ? 2 : 0;
    return 2;
  }
  if (err instanceof TelegramUnreachableError) {
    ctx.stderr.write(
      `crate: ${err.message}.\nCheck the network (or what blocks Telegram on it); nothing was changed: run the same command again when Telegram is reachable.\n`,
    );
    return 4;
  }
  if (err instanceof UserError) {
    ctx.stderr.write(`crate: ${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.stderr.write(`crate: unexpected error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  else ctx.stderr.write('Run again with --debug for details.\n');
  return 1;
}
