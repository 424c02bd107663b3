/**
 * `crate probe QUERY [--record FILE]`: one real, paced exchange with @LosslessRobot through the
 * configured strategy, printed step by step with Crate's reading of each; `--record` writes it as
 * an anonymised crate-exchange/1 file for a bug report (replay it with `crate debug exchange`).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { ProbeReport } from '../lossless/exchange/probe.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';

/** What the probe command needs from the composition root. */
export interface ProbeRuntime {
  maxSeconds: number;
  probe(query: string, options: { signal: AbortSignal }): Promise<ProbeReport>;
  close(): Promise<void>;
}

export interface ProbeCommandOptions {
  createProbeRuntime(config: Config, logger: Logger): Promise<ProbeRuntime>;
}

export function createProbeCommand(options: ProbeCommandOptions): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('probe')
      .description('ask @LosslessRobot for one track (a track link or "Artist - Title") and print every step of its answer with what Crate reads in it; nothing is downloaded')
      .argument('<query...>', 'a Spotify track link, or "Artist - Title"')
      .option('--record <file>', 'also write the exchange as an anonymised crate-exchange/1 file')
      .option('--json', 'print the outcome as one JSON line (as `crate debug exchange` does) after the steps')
      .action(async (query: string[], opts: { record?: string; json?: boolean }) => {
        await probe(ctx, options, query.join(' '), opts);
      });
  };
}

async function probe(ctx: CliContext, options: ProbeCommandOptions, query: string, opts: { record?: string; json?: boolean }): Promise<void> {
  const config = ctx.config();
  const logger = ctx.logger();
  const runtime = await options.createProbeRuntime(config, logger);
  try {
    ctx.stderr.write(`Probing @LosslessRobot for ${JSON.stringify(query)} (paced; up to ${runtime.maxSeconds} s)…\n`);
    const { probeLines, recordingText } = await loadFormatters();
    const report = await runtime.probe(query, { signal: ctx.shutdownSignal });
    ctx.stdout.write(`${probeLines(report).join('\n')}\n`);
    if (opts.json) ctx.stdout.write(`${JSON.stringify(report.result)}\n`);
    if (opts.record) {
      try {
        await writeFile(opts.record, recordingText(report), { mode: 0o600 });
      } catch (err) {
        throw new UserError(`cannot write ${opts.record} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, undefined, { cause: err });
      }
      ctx.stdout.write(`Recorded (anonymised) to ${opts.record}; replay it with: crate debug exchange --input ${opts.record}\n`);
    }
  } finally {
    await runtime.close();
  }
}

async function loadFormatters() {
  const { recordingOf, verdictLine } = await import('../lossless/exchange/probe.js');
  return {
    probeLines: (r: ProbeReport) => [...r.lines, '', verdictLine(r.result)],
    recordingText: recordingOf,
  };
}
