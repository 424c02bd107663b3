/**
 * `crate verify PATH… [--deep] [--json]`: checks files or folders exactly as the library checks a
 * download (the same verifier: bounded structure and tail check in a limited worker, then with
 * --deep the reference decoder's MD5 check), and says per file the verdict, why, and what it is.
 */
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../domain/errors.js';
import { flacToolChecker } from '../library/verify/deep-check.js';
import { listFilesToVerify } from '../library/verify/list-files.js';
import type { VerifyReport } from '../library/verify/report.js';
import { FileVerifier } from '../library/verify/verifier.js';
import { VerifyWorkerPool } from '../library/verify/worker-pool.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { formatBytes } from './job-format.js';

/** Exit code when at least one file was refused (0: all good, 2: a path or option to fix). */
export const EXIT_REFUSED = 4;

export interface VerifyCommandDeps {
  createVerifier?(): { verifier: FileVerifier; close(): Promise<void> };
}

export function createVerifyCommand(deps: VerifyCommandDeps = {}): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('verify <paths...>')
      .description('check FLAC files or folders as the library does (structure, completeness; --deep decodes and checks the MD5)')
      .option('--deep', 'also decode every frame with the reference `flac` tool and compare the audio with its MD5')
      .option('--json', 'JSON output')
      .action(async (paths: string[], opts: { deep?: boolean; json?: boolean }) => {
        const listed = await listFilesToVerify(paths, ctx.cwd);
        if (!listed.ok) throw new UserError(`No such file or folder: ${listed.missing.join(', ')}`);
        const { verifier, close } = deps.createVerifier?.() ?? defaultVerifier();
        try {
          if (opts.deep) {
            const decoder = await verifier.deepAvailable();
            if (!decoder.ok) throw new UserError(`--deep needs a FLAC decoder: ${decoder.reason}.`, 'Install the reference tool (Debian/Ubuntu: apt-get install flac; macOS: brew install flac), or run without --deep.');
          }
          const reports = await verifyAll(verifier, listed.files, { deep: opts.deep === true, signal: ctx.shutdownSignal }, (r) => {
            if (!opts.json) ctx.stdout.write(`${reportLine(r, ctx.cwd)}\n`);
          });
          const refused = reports.filter((r) => r.verdict === 'rejected').length;
          if (opts.json) ctx.stdout.write(`${JSON.stringify({ files: reports, ok: reports.length - refused, refused }, null, 2)}\n`);
          else ctx.stdout.write(`${summaryLine(reports.length, refused, opts.deep === true)}\n`);
          if (ctx.shutdownSignal.aborted) ctx.exitCode = 130;
          else if (refused > 0) ctx.exitCode = EXIT_REFUSED;
        } finally {
          await close();
        }
      });
  };
}

function defaultVerifier(): { verifier: FileVerifier; close(): Promise<void> } {
  // Two at a time at most: a folder check should not take the whole machine.
  const pool = new VerifyWorkerPool({ size: Math.max(1, Math.min(2, os.availableParallelism() - 1)) });
  return { verifier: new FileVerifier({ pool, deep: flacToolChecker() }), close: () => pool.close() };
}

/** Verifies files two at a time, in order of the list, reporting each as it is done. */
async function verifyAll(
  verifier: FileVerifier,
  files: string[],
  options: { deep: boolean; signal: AbortSignal },
  onReport: (r: VerifyReport) => void,
): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = new Array(files.length);
  const ready: boolean[] = new Array(files.length).fill(false);
  let emitted = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length && !options.signal.aborted) {
      const i = next++;
      try {
        reports[i] = await verifier.verify(files[i]!, { deep: options.deep, signal: options.signal });
      } catch (err) {
        if (options.signal.aborted) return;
        throw err;
      }
      ready[i] = true;
      while (emitted < files.length && ready[emitted]) onReport(reports[emitted++]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return reports.filter((r) => r !== undefined);
}

function reportLine(r: VerifyReport, cwd: string): string {
  const shown = path.relative(cwd, r.file).startsWith('..') ? r.file : path.relative(cwd, r.file);
  if (r.verdict === 'rejected') return `REFUSED  ${shown}: ${r.reason ?? r.kind}${r.facts ? ` (${factsText(r)})` : ''}`;
  return `ok       ${shown}: ${factsText(r)}`;
}

function factsText(r: VerifyReport): string {
  const f = r.facts;
  if (!f) return '';
  const parts = [
    `${f.format} ${f.bitDepth ?? '?'}-bit ${f.sampleRate ? `${f.sampleRate / 1000} kHz` : '? kHz'}${f.channels && f.channels !== 2 ? ` ${f.channels} ch` : ''}`,
    f.durationMs !== null ? clock(f.durationMs) : 'length unknown',
    formatBytes(f.sizeBytes),
  ];
  if (r.deep === 'md5_match') parts.push('MD5 checked');
  else if (r.deep === 'decoded_no_md5') parts.push('decoded (no MD5 in the file)');
  const who = [f.tags.artist, f.tags.title].filter(Boolean).join(' - ');
  parts.push(who ? `"${who}"` : 'no artist/title tags');
  if (f.tags.isrc) parts.push(`ISRC ${f.tags.isrc}`);
  return parts.join(', ');
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function summaryLine(total: number, refused: number, deep: boolean): string {
  const how = deep ? 'decoded and MD5-checked where the file has one' : 'structure and completeness; add --deep to decode the audio';
  if (total === 0) return 'No FLAC files found.';
  return `${total} file${total === 1 ? '' : 's'}: ${total - refused} ok, ${refused} refused (${how}).`;
}
