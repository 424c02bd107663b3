/**
 * `crate download LINK`: the earlier tool's command and flags.
 *   --dry-run        list the tracks (no Telegram settings needed); with --json one JSON document
 *   --check-missing  which tracks are not in the folder yet (same as `crate missing`)
 *   otherwise        the real download through the job engine (runDownload below).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { OrganizeBy } from '../domain/job.js';
import { linkOrTrackList } from './track-list-arg.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { listingJson, listingText, selectTracks } from './listing-view.js';
import { runMissingCheck, type SpotifyCommandDeps } from './missing.js';
import { runJobInForeground, type DownloadRuntimeFactory } from './download-run.js';

/** The engine side of `crate download` (src/main.ts passes `createDownloadRuntime`). */
export interface DownloadEngineDeps {
  createDownloadRuntime: DownloadRuntimeFactory;
}

export interface DownloadFlags {
  dryRun?: boolean;
  json?: boolean;
  limit?: number;
  startFrom?: number;
  checkMissing?: boolean;
  dir?: string;
  debug?: boolean;
  batchSize?: number;
  sequential?: boolean;
  /** false with --no-resume */
  resume: boolean;
  organizeBy?: OrganizeBy;
  yearFolders?: boolean;
  outputDir?: string;
  /** The job's name for a track list file (default: the file name). */
  name?: string;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1.`);
    return n;
  };
}

export function createDownloadCommand(deps: SpotifyCommandDeps & DownloadEngineDeps): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('download')
      .description('download a Spotify playlist, album or track as FLAC files (or just list it with --dry-run)')
      .argument('<link>', 'Spotify link (open.spotify.com/playlist|album|track/…, spotify:…, a short link), or a track list file (CSV export or "Artist - Title" lines)')
      .option('--dry-run', 'only list the tracks (position, artists, title, album, length, ISRC); needs no Telegram settings')
      .option('--json', 'with --dry-run / --check-missing: print exactly one JSON document on stdout (logs go to stderr)')
      .option('--limit <n>', 'at most N tracks', positiveInt('--limit'))
      .option('--start-from <n>', 'start at playlist position N (1-based)', positiveInt('--start-from'))
      .option('--check-missing', 'show which tracks are not in the folder yet, and FLACs there the playlist does not know')
      .option('--dir <dir>', 'with --check-missing: the folder to check (default: the playlist\'s folder)')
      .option('--batch-size <n>', 'tracks requested from the bot before waiting for their files (default BATCH_SIZE)', positiveInt('--batch-size'))
      .option('--sequential', 'one track at a time: ask, wait for the file, then the next')
      .option('--no-resume', 'start over instead of resuming an unfinished download of the same link')
      .addOption(new Option('--organize-by <how>', 'folders: playlist, artist, album or none (default ORGANIZE_BY)').choices(['playlist', 'artist', 'album', 'none']))
      .option('--year-folders', 'add a folder per release year')
      .option('--output-dir <dir>', 'download folder (default DOWNLOAD_FOLDER)')
      .option('--name <name>', 'with a track list file: the playlist name (default: the file name)')
      .option('--debug', 'verbose logs on stderr, stack traces on errors')
      .action(async (arg: string, flags: DownloadFlags) => {
        const link = linkOrTrackList(arg, flags.name, ctx.cwd);
        if (flags.dryRun) return runDryRun(ctx, link, flags, deps);
        if (flags.checkMissing) return runMissingCheck(ctx, link, flags, deps);
        return runDownload(ctx, link, flags, deps);
      });
  };
}


/** Lists the tracks without Telegram: stdout gets the listing (or one JSON document), stderr the logs. */
export async function runDryRun(ctx: CliContext, link: string, flags: DownloadFlags, deps: SpotifyCommandDeps = {}): Promise<void> {
  const config = ctx.config();
  const logger = ctx.logger({ debug: flags.debug });
  const [{ createSpotifySource }, { withTrackLists }] = await Promise.all([import('../spotify/playlist-source.js'), import('../tracklist/track-list-file.js')]);
  const source = withTrackLists(createSpotifySource(config, { logger, fetch: deps.fetch, clock: deps.clock, cwd: ctx.cwd }));
  const listing = await source.load(link, { signal: ctx.shutdownSignal });
  const shown = selectTracks(listing, { startFrom: flags.startFrom, limit: flags.limit });
  if (flags.json) ctx.stdout.write(`${JSON.stringify(listingJson(shown), null, 2)}\n`);
  else ctx.stdout.write(listingText(listing, shown));
}

/**
 * The real download through the job service wired by src/main.ts (create or resume the job for this link
 * with the flags above, run it in the foreground, show progress, stop cleanly on Ctrl-C).
 */
export async function runDownload(ctx: CliContext, link: string, flags: DownloadFlags, deps: DownloadEngineDeps): Promise<void> {
  const runtime = await deps.createDownloadRuntime({ config: ctx.config(), logger: ctx.logger({ debug: flags.debug }), signal: ctx.shutdownSignal });
  try {
    const job = await runJobInForeground(ctx, runtime.service, link, { ...flags, resume: flags.resume }, runtime);
    // Not finished is not success: 3 for a safety stop (budget, promo, session), 130 (128 + SIGINT)
    // when stopped by Ctrl-C, so scripts can tell "done" from "run me again".
    if (job.status === 'paused') ctx.exitCode = ctx.shutdownSignal.aborted ? 130 : 3;
  } finally {
    await runtime.close();
  }
}
