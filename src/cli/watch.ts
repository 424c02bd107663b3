/**
 * `crate watch`: playlists that stay in sync by themselves (the same watches as the bot's /watch).
 *   add LINK [--every 6h]     follow a playlist; what it lacks is downloaded now, in the foreground
 *   list [--json]             the watches, their last and next check, tracks that left (read-only)
 *   remove ID                 stop following (the job and the files stay)
 *   check [ID] [--dry-run]    check now; a dry run prints + / - lines and a summary and sends nothing
 * `crate serve` runs the scheduled checks; this command is for the terminal and scripts.
 */
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { UserError } from '../domain/errors.js';
import { formatInterval } from '../domain/interval.js';
import type { JobRecord, TrackRecord } from '../domain/job.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { PacerState } from '../engine/ports.js';
import type { WatchRecord } from '../engine/watch-ports.js';
import type { CheckOutcome, WatchService } from '../engine/watch-service.js';
import type { Logger } from '../logger.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { followJobInForeground } from './download-run.js';
import { counted } from './job-format.js';

export interface WatchRuntime {
  watches: Pick<WatchService, 'add' | 'list' | 'get' | 'remove' | 'check'>;
  service: JobServiceApi;
  tracks?(jobId: number): TrackRecord[];
  pacer?: { state(): PacerState };
  close(): Promise<void>;
}

/** `session`: connect the Telegram user session (add and a real check download; list and dry runs do not). */
export type WatchRuntimeFactory = (args: { config: Config; logger: Logger; signal: AbortSignal; session: boolean }) => Promise<WatchRuntime>;

export function createWatchCommand(deps: { createWatchRuntime: WatchRuntimeFactory }): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    const watch = program.command('watch').description('follow Spotify playlists: new tracks are downloaded, removed ones noted (files kept)');
    const open = async (session: boolean, debug?: boolean) =>
      deps.createWatchRuntime({ config: ctx.config(), logger: ctx.logger({ debug }), signal: ctx.shutdownSignal, session });
    const using = async (session: boolean, fn: (rt: WatchRuntime) => Promise<void>, debug?: boolean) => {
      const rt = await open(session, debug);
      try {
        await fn(rt);
      } finally {
        await rt.close();
      }
    };

    watch
      .command('add')
      .description('follow a playlist (checked every WATCH_DEFAULT_EVERY, default 6h); downloads what it lacks now')
      .argument('<link>', 'Spotify playlist link')
      .option('--every <interval>', 'how often to check: 30m, 6h, 1d (at least 30m)')
      .option('--debug', 'verbose logs on stderr')
      .action(async (link: string, flags: { every?: string; debug?: boolean }) => {
        const { parseInterval } = await import('../engine/watch-service.js');
        const everyMs = flags.every !== undefined ? parseInterval(flags.every) : undefined;
        await using(true, async (rt) => {
          const { watch: w, job, created } = await rt.watches.add(link, { ...(everyMs !== undefined ? { everyMs } : {}), startJob: false });
          ctx.stdout.write(`${created ? 'Watching' : 'Already watching'} "${w.name}" (watch #${w.id}): every ${formatInterval(w.everyMs)}, next check ${stamp(w.nextCheckAt)}.\n`);
          if (job.status === 'pending' && !job.startedAt) await runForeground(ctx, rt, job);
          else ctx.stdout.write(`${job.total === 1 ? 'Its track is' : `Its ${job.total} tracks are`} in job #${job.id} (${job.status}).\n`);
        }, flags.debug);
      });

    watch
      .command('list')
      .description('the watched playlists (read-only)')
      .option('--json', 'one JSON document on stdout')
      .action(async (flags: { json?: boolean }) => {
        await using(false, async (rt) => {
          const all = rt.watches.list();
          if (flags.json) return void ctx.stdout.write(`${JSON.stringify({ watches: all }, null, 2)}\n`);
          if (all.length === 0) return void ctx.stdout.write('No watched playlists. `crate watch add LINK` follows one.\n');
          for (const w of all) ctx.stdout.write(watchLines(w).join('\n') + '\n');
        });
      });

    watch
      .command('remove')
      .description('stop following a playlist (its job and files stay)')
      .argument('<id>', 'watch number (see `crate watch list`)')
      .action(async (idArg: string) => {
        const id = watchId(idArg);
        await using(false, async (rt) => {
          const w = rt.watches.get(id);
          rt.watches.remove(id);
          ctx.stdout.write(`Stopped watching "${w.name}" (watch #${w.id}); job ${w.jobId ?? '-'} and its files stay.\n`);
        });
      });

    watch
      .command('check')
      .description('check now (all active watches, or one); new tracks are downloaded in the foreground')
      .argument('[id]', 'watch number')
      .option('--dry-run', 'only compare: print + / - lines and a summary, store and send nothing')
      .option('--debug', 'verbose logs on stderr')
      .action(async (idArg: string | undefined, flags: { dryRun?: boolean; debug?: boolean }) => {
        const id = idArg === undefined ? null : watchId(idArg);
        await using(!flags.dryRun, (rt) => runChecks(ctx, rt, id, flags.dryRun === true), flags.debug);
      });
  };
}

async function runChecks(ctx: CliContext, rt: WatchRuntime, id: number | null, dryRun: boolean): Promise<void> {
  const w = (s: string) => ctx.stdout.write(`${s}\n`);
  const targets = id !== null ? [rt.watches.get(id)] : rt.watches.list().filter((x) => x.status === 'active');
  if (targets.length === 0) throw new UserError('No active watches to check.', '`crate watch add LINK` follows a playlist; `crate watch list` shows them.');
  const total = { added: 0, removed: 0, unchanged: 0 };
  let waiting = false;
  for (const target of targets) {
    if (ctx.shutdownSignal.aborted) break;
    const outcome: CheckOutcome = await rt.watches.check(target.id, { dryRun, signal: ctx.shutdownSignal, startJob: false });
    w(`${target.name} (watch #${target.id})${outcome.skippedUnchanged ? ': unchanged since the last check' : ''}`);
    if (outcome.postponed) {
      waiting = true;
      w(`  postponed until ${stamp(outcome.postponed.until)}: ${outcome.postponed.reason}`);
      continue;
    }
    for (const label of outcome.added) w(`+ ${label}`);
    for (const label of outcome.removed) w(`- ${label}`);
    total.added += outcome.added.length;
    total.removed += outcome.removed.length;
    total.unchanged += outcome.unchanged;
    if (!dryRun && outcome.added.length > 0 && outcome.jobId !== null) {
      const job = await runForeground(ctx, rt, rt.service.progress(outcome.jobId).job);
      if (job.status === 'paused') waiting = true;
    }
  }
  w(`watch: ${total.added} added, ${total.removed} removed, ${total.unchanged} unchanged`);
  // As `crate download`: 3 when a safety stop (budget, flood wait, session) held something back, 130 on Ctrl-C.
  if (waiting) ctx.exitCode = ctx.shutdownSignal.aborted ? 130 : 3;
}

async function runForeground(ctx: CliContext, rt: WatchRuntime, job: JobRecord): Promise<JobRecord> {
  const deps = { ...(rt.tracks ? { tracks: rt.tracks } : {}), ...(rt.pacer ? { pacer: rt.pacer } : {}) };
  const result = await followJobInForeground(ctx, rt.service, job, {}, deps);
  if (result.status === 'paused') ctx.exitCode = ctx.shutdownSignal.aborted ? 130 : 3;
  return result;
}

export function watchLines(w: WatchRecord): string[] {
  const r = w.lastResult;
  const last =
    w.lastCheckAt === null || !r
      ? 'not checked yet'
      : `last check ${stamp(w.lastCheckAt)} (${r.skippedUnchanged || (r.added === 0 && r.removed === 0) ? 'no change' : `${r.added} added, ${r.removed} removed`}${r.downloaded !== undefined ? `; ${r.downloaded} downloaded, ${r.notFound ?? 0} not found` : ''})`;
  const lines = [
    `#${w.id}  ${w.name}  every ${formatInterval(w.everyMs)}  ${w.status}  ${counted(w.trackKeys.length, 'track')}  job ${w.jobId ?? '-'}`,
    `    ${last}; next check ${w.status === 'paused' ? 'paused' : stamp(w.nextCheckAt)}`,
  ];
  if (w.lastError) lines.push(`    problem: ${w.lastError}`);
  if (w.removed.length > 0) lines.push(`    left the playlist (files kept): ${w.removed.length}; \`crate report ${w.jobId ?? ''}\` lists them`);
  return lines;
}

function stamp(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function watchId(arg: string): number {
  const id = Number(arg.replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1) throw new UserError(`"${arg}" is not a watch number.`, '`crate watch list` shows them.');
  return id;
}
