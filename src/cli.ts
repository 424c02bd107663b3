import { Command, CommanderError } from 'commander';
import { UserError } from './domain/errors.js';
import { createCliContext, type CliContext } from './cli/context.js';
import type { RegisterCommand } from './cli/commands.js';
import { createCommands, type Wiring } from './main.js';

/** Builds the `crate` command line from the wired commands (src/main.ts). */
export function buildProgram(ctx: CliContext, commands: RegisterCommand[]): Command {
  const program = new Command()
    .name('crate')
    .description('Turn Spotify playlists into folders of verified FLAC files via @LosslessRobot.')
    .version('0.1.0')
    .showHelpAfterError('(run `crate --help` for the list of commands)')
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
  const ctx = createCliContext({ shutdownSignal: controller.signal, ...overrides });
  try {
    await buildProgram(ctx, commands ?? createCommands(wiring)).parseAsync(argv);
    // Per run, never process.exitCode: one process may run several commands (tests, the bot).
    return ctx.exitCode ?? 0;
  } catch (err) {
    return reportFailure(ctx, err, argv.includes('--debug'));
  } finally {
    if (ownSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

function reportFailure(ctx: CliContext, err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version "errors" are commander's normal exits; usage errors were already printed.
    return err.exitCode;
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
