import { Command, CommanderError } from 'commander';
import { UserError } from './domain/errors.js';
import { createCliContext, type CliContext } from './cli/context.js';
import { commandModules } from './cli/commands.js';

/**
 * Builds the `crate` command line. Each command lives in its own file under src/cli/ and is
 * listed in src/cli/commands.ts.
 */
export function buildProgram(ctx: CliContext): Command {
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
  for (const register of commandModules) register(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code. User errors print a short message, never a stack trace. */
export async function runCli(argv: string[], overrides: Parameters<typeof createCliContext>[0] = {}): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  const ownSignal = !overrides.shutdownSignal;
  if (ownSignal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const ctx = createCliContext({ shutdownSignal: controller.signal, ...overrides });
  try {
    await buildProgram(ctx).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
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
