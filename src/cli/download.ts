/**
 * `crate download LINK`: the earlier tool's command and flags.
 *   --dry-run        list the tracks (no Telegram settings needed); with --json one JSON document
 *   --check-missing  which tracks are not in the folder yet (same as `crate missing`)
 *   otherwise        the real download through the job engine (runDownload below).
 */
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BATCH_SIZE_RANGE } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { OrganizeBy } from '../domain/job.js';
import { linkOrTrackList } from './track-list-arg.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { checkWritableFolder, DATA_FOLDER, DOWNLOAD_FOLDER, type FolderRole } from './data-folders.js';
import { listingJson, listingText, selectTracks } from './listing-view.js';
import { runMissingCheck, type SpotifyCommandDeps } from './missing.js';
import { runJobInForeground, type DownloadRuntimeFactory } from './download-run.js';

const { min: BATCH_MIN, max: BATCH_MAX } = BATCH_SIZE_RANGE;
const OUTPUT_DIR: FolderRole = { what: 'output folder', setting: '--output-dir' };

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
  /** false with --no-retry-missing: tracks the last finished run did not get are not asked again. */
  retryMissing: boolean;
  organizeBy?: OrganizeBy;
  yearFolders?: boolean;
  outputDir?: string;
  /** The job's name for a track list file (default: the file name). */
  name?: string;
}

/**
 * A strict decimal whole number in a range: `0x10`, `1e3`, `12abc`, ` 5` and `3.0` are refused
 * (Number() would take several of them).
 */
export function wholeNumber(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError(`${flag} takes a whole number (digits only), got "${value.slice(0, 40)}".`);
    const n = Number(value);
    if (n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${flag} must be at least ${min}, got ${n}.` : `${flag} must be from ${min} to ${max}, got ${n}.`);
    }
    return n;
  };
}

/** Flags that only mean something together; refused before anything is read or sent. */
export function checkFlagCombination(flags: DownloadFlags): void {
  const refuse = (message: string, hint?: string) => {
    throw new UserError(message, hint ?? 'See `crate download --help`.');
  };
  if (flags.dryRun && flags.checkMissing) refuse('--dry-run and --check-missing are two different commands; choose one.');
  if (flags.checkMissing && flags.limit !== undefined) refuse('--check-missing checks the whole list; --limit does not apply to it.');
  if (flags.checkMissing && flags.startFrom !== undefined) refuse('--check-missing checks the whole list; --start-from does not apply to it.');
  if (flags.json && !flags.dryRun && !flags.checkMissing) {
    refuse('--json works with --dry-run or --check-missing only (a download shows its progress as text).');
  }
  if (flags.dir !== undefined && !flags.checkMissing) {
    refuse('--dir is the folder for --check-missing; for a download use --output-dir.');
  }
  const listingOnly = flags.dryRun || flags.checkMissing;
  if (listingOnly) {
    const downloadOnly: [boolean, string][] = [
      [flags.batchSize !== undefined, '--batch-size'],
      [flags.sequential === true, '--sequential'],
      [flags.resume === false, '--no-resume'],
      [flags.retryMissing === false, '--no-retry-missing'],
    ];
    const given = downloadOnly.filter(([on]) => on).map(([, name]) => name);
    if (given.length > 0) refuse(`${given.join(', ')} only apply to a download, not to ${flags.dryRun ? '--dry-run' : '--check-missing'}.`);
  }
  if (flags.sequential && flags.batchSize !== undefined && flags.batchSize !== 1) {
    refuse('--sequential means one at a time; it cannot go with --batch-size ' + flags.batchSize + '.');
  }
}

/** --start-from past the end is a mistake, not "Shown: 0". */
export function checkStartFrom(startFrom: number | undefined, listed: number, kind: string): void {
  if (startFrom !== undefined && startFrom > listed) {
    throw new UserError(
      `--start-from ${startFrom} is past the end: the ${kind} lists ${listed} track${listed === 1 ? '' : 's'}.`,
      `Give a position from 1 to ${listed}.`,
    );
  }
}

export function createDownloadCommand(deps: SpotifyCommandDeps & DownloadEngineDeps): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('download')
      .description('download a Spotify playlist, album or track as FLAC files (or just list it with --dry-run)')
      .argument('<link>', 'Spotify link (open.spotify.com/playlist|album|track/…, spotify:…, a short link), or a track list file (CSV export or "Artist - Title" lines)')
      .option('--dry-run', 'only list the tracks (position, artists, title, album, length, ISRC); needs no Telegram settings')
      .option('--json', 'with --dry-run / --check-missing: print exactly one JSON document on stdout (logs go to stderr)')
      .option('--limit <n>', 'at most N tracks', wholeNumber('--limit', 1))
      .option('--start-from <n>', 'start at playlist position N (1-based)', wholeNumber('--start-from', 1))
      .option('--check-missing', 'show which tracks are not in the folder yet, and FLACs there the playlist does not know')
      .option('--dir <dir>', 'with --check-missing: the folder to check (default: the playlist\'s folder)')
      .option('--batch-size <n>', `tracks requested from the bot before waiting for their files, ${BATCH_MIN}-${BATCH_MAX} (default BATCH_SIZE)`, wholeNumber('--batch-size', BATCH_MIN, BATCH_MAX))
      .option('--sequential', 'one track at a time: ask, wait for the file, then the next')
      .option('--no-resume', 'start over instead of resuming an unfinished download of the same link')
      .option('--no-retry-missing', 'do not ask the bot again for tracks the last finished run of this link did not get (not found, wrong file)')
      .addOption(new Option('--organize-by <how>', 'folders: playlist, artist, album or none (default ORGANIZE_BY)').choices(['playlist', 'artist', 'album', 'none']))
      .option('--year-folders', 'add a folder per release year')
      .option('--output-dir <dir>', 'download folder (default DOWNLOAD_FOLDER)')
      .option('--name <name>', 'with a track list file: the playlist name (default: the file name)')
      .action(async (arg: string, flags: DownloadFlags) => {
        checkFlagCombination(flags);
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
  checkStartFrom(flags.startFrom, listing.tracks.length === 0 ? 0 : Math.max(...listing.tracks.map((t) => t.position)), listing.source.type);
  const shown = selectTracks(listing, { startFrom: flags.startFrom, limit: flags.limit });
  if (flags.json) ctx.stdout.write(`${JSON.stringify(listingJson(shown), null, 2)}\n`);
  else ctx.stdout.write(listingText(listing, shown));
}

/**
 * The real download through the job service wired by src/main.ts (create or resume the job for this link
 * with the flags above, run it in the foreground, show progress, stop cleanly on Ctrl-C).
 */
export async function runDownload(ctx: CliContext, link: string, flags: DownloadFlags, deps: DownloadEngineDeps): Promise<void> {
  // Before Spotify or Telegram: a download folder that is a file (or not ours) fails every track.
  const config = ctx.config();
  checkWritableFolder(path.resolve(ctx.cwd, flags.outputDir ?? config.downloadFolder), flags.outputDir ? OUTPUT_DIR : DOWNLOAD_FOLDER);
  checkWritableFolder(config.dataDir, DATA_FOLDER);
  const runtime = await deps.createDownloadRuntime({ config: ctx.config(), logger: ctx.logger({ debug: flags.debug }), signal: ctx.shutdownSignal });
  try {
    const job = await runJobInForeground(ctx, runtime.service, link, { ...flags, resume: flags.resume, retryMissing: flags.retryMissing }, runtime);
    // Not finished is not success: 3 for a safety stop (budget, promo, session), 130 (128 + SIGINT)
    // when stopped by Ctrl-C, so scripts can tell "done" from "run me again".
    if (job.status === 'paused') ctx.exitCode = ctx.shutdownSignal.aborted ? 130 : 3;
  } finally {
    await runtime.close();
  }
}
