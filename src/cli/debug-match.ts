import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UserError } from '../domain/errors.js';
import { pickMenuRow } from '../lossless/picker.js';
import { explainAttribution } from '../matching/attribute.js';
import { EVAL_FORMAT, evalFileSchema, runScenario, toIncomingFiles, toPendingRequests, type EvalFile } from '../matching/eval-format.js';
import type { CliContext } from './context.js';

/** Reads and validates a `crate-match-eval/1` file; every problem is a UserError naming the file. */
export async function readEvalFile(file: string): Promise<EvalFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `input file not found: ${file}` : `cannot read ${file} (${code ?? 'error'})`, undefined, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== EVAL_FORMAT) {
    throw new UserError(`${file} is not a ${EVAL_FORMAT} file (format: ${JSON.stringify(format ?? null)})`, `Expected {"format": "${EVAL_FORMAT}", "scenarios": [...]}.`);
  }
  const parsed = evalFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new UserError(`${file} does not follow ${EVAL_FORMAT}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** `crate debug match --input FILE`: runs the product's picker and attributor on each scenario, one JSON line each. */
export function registerDebugMatch(program: Command, ctx: CliContext): void {
  // Other debug tools may add their own subcommands to the same `debug` group.
  const debug = program.commands.find((c) => c.name() === 'debug') ?? program.command('debug').description('developer tools');
  debug
    .command('match')
    .description(`run menu picks and file attribution on a ${EVAL_FORMAT} file; prints one JSON line per scenario`)
    .requiredOption('--input <file>', `${EVAL_FORMAT} JSON file`)
    .option('--explain', 'also print the reason for each decision to stderr')
    .action(async (opts: { input: string; explain?: boolean }) => {
      const data = await readEvalFile(opts.input);
      // One write: a reader that stops early (`| head`) then gets whole lines.
      const lines = data.scenarios.map((s) => `${JSON.stringify(runScenario(s))}\n`);
      if (opts.explain) ctx.stderr.write(data.scenarios.map((s) => `${explain(s)}\n`).join(''));
      ctx.stdout.write(lines.join(''));
    });
}

function explain(s: EvalFile['scenarios'][number]): string {
  if (s.kind === 'menu') {
    const r = pickMenuRow(s.request, s.buttons, { preferredRowText: s.preferredRowText ?? null });
    return `${s.id}: ${r.index ?? 'none'}: ${r.reason}`;
  }
  return explainAttribution(toPendingRequests(s), toIncomingFiles(s.files))
    .map((a) => `${s.id} ${a.fileId} → ${a.requestId ?? 'none'}: ${a.reason}${a.closest ? ` (closest ${a.closest.requestId}: ${a.closest.reason})` : ''}`)
    .join('\n');
}
