/**
 * `crate missing LINK [--dir DIR] [--json]` (also `crate download LINK --check-missing`): which
 * tracks of a playlist are not in the folder yet, judged from the FLACs' own tags and names, and
 * which FLACs there the playlist does not know. Tags are cached in the database by path, size
 * and mtime, so the second run over a big library is quick.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import type { OrganizeBy } from '../domain/job.js';
import type { SourceListing } from '../domain/track.js';
import type { Clock } from '../engine/ports.js';
import { playlistDir } from '../library/path-template.js';
import type { FolderCheck } from '../library/missing.js';
import type { FetchLike } from '../spotify/http.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { formatDuration, headerLine, listingJson, trackJson, trackLine } from './listing-view.js';
import type { ClosestFile } from '../library/closest-files.js';
import { databaseError } from './data-folders.js';
import { existingDatabase } from './job-store-access.js';

export interface SpotifyCommandDeps {
  /** Tests may route Spotify through their own fetch; normally the SPOTIFY_*_URL settings are enough. */
  fetch?: FetchLike;
  clock?: Clock;
}

export interface MissingFlags {
  dir?: string;
  organizeBy?: OrganizeBy;
  outputDir?: string;
  json?: boolean;
  debug?: boolean;
}

export function createMissingCommand(deps: SpotifyCommandDeps = {}): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('missing')
      .description('show which tracks of a playlist/album are not in the folder yet (from the FLACs\' own tags)')
      .argument('<link>', 'Spotify playlist, album or track link')
      .option('--dir <dir>', 'folder to check (default: the playlist\'s folder under DOWNLOAD_FOLDER)')
      .option('--json', 'print one JSON document on stdout')
      .action(async (link: string, opts: MissingFlags) => {
        await runMissingCheck(ctx, link, opts, deps);
      });
  };
}

export const registerMissing: RegisterCommand = createMissingCommand();

/** The folder a listing's files live in by default (the same rule the downloader names folders by). */
export function defaultFolder(
  config: Config,
  cwd: string,
  listing: SourceListing,
  options: { outputDir?: string; organizeBy?: OrganizeBy } = {},
): string {
  const root = path.resolve(cwd, options.outputDir ?? config.downloadFolder);
  // Organised by artist or album, a playlist's files spread over the whole library: scan all of it.
  return (options.organizeBy ?? config.organizeBy) === 'playlist' ? playlistDir(root, listing.source.name) : root;
}

export async function runMissingCheck(ctx: CliContext, link: string, flags: MissingFlags, deps: SpotifyCommandDeps = {}): Promise<void> {
  const config = ctx.config();
  const logger = ctx.logger({ debug: flags.debug });
  // Loaded here, not at the top: every other command (and `--help`) would pay for them.
  const [{ createSpotifySource }, { databasePath, openDatabase }, { DrizzleTagCache }, { checkFolder }, { closestFiles }] = await Promise.all([
    import('../spotify/playlist-source.js'),
    import('../db/open.js'),
    import('../db/tag-cache-store.js'),
    import('../library/missing.js'),
    import('../library/closest-files.js'),
  ]);
  // The tag cache lives in the database. In a data folder that is there (Crate is set up) it is
  // kept for next time; with no data folder the check runs on an in-memory cache and creates
  // nothing. A data folder that cannot be used is said before Spotify is read.
  const dataDir = path.resolve(ctx.cwd, config.dataDir);
  const dbFile = existingDatabase(dataDir, databasePath) ?? (existsSync(dataDir) ? databasePath(dataDir) : null);
  const source = createSpotifySource(config, { logger, fetch: deps.fetch, clock: deps.clock, cwd: ctx.cwd });
  const listing = await source.load(link, { signal: ctx.shutdownSignal });
  const dir = flags.dir ? path.resolve(ctx.cwd, flags.dir) : defaultFolder(config, ctx.cwd, listing, flags);

  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(dbFile ?? ':memory:');
  } catch (err) {
    throw dbFile ? databaseError(err, dbFile) : err;
  }
  let check: FolderCheck;
  try {
    check = await checkFolder(listing.tracks, dir, { cache: new DrizzleTagCache(db.db), signal: ctx.shutdownSignal });
  } finally {
    db.close();
  }
  logger.debug({ dir, scanned: check.scanned, cacheHits: check.cacheHits }, 'checked folder');
  const hints = closestFiles(check.missing, check.extra);
  ctx.stdout.write(flags.json ? `${JSON.stringify(missingJson(listing, check, hints), null, 2)}\n` : missingText(listing, check, hints));
}

export function missingJson(listing: SourceListing, check: FolderCheck, hints: ClosestFile[]) {
  const { source, warnings } = listingJson(listing);
  return {
    source,
    dir: check.dir,
    scanned: check.scanned,
    missing: check.missing.map(trackJson),
    present: check.present.map((p) => ({ position: p.track.position, file: p.file.relPath, by: p.by })),
    extra: check.extra.map((f) => ({ file: f.relPath, artist: f.tags?.artist ?? null, title: f.tags?.title ?? null })),
    unreadable: check.unreadable.map((f) => ({ file: f.relPath, reason: f.error })),
    closest: hints,
    warnings,
  };
}

function missingText(listing: SourceListing, check: FolderCheck, closest: ClosestFile[]): string {
  const lines: string[] = [headerLine(listing)];
  if (!check.exists) lines.push(`Folder ${check.dir} does not exist yet: every track is missing.`);
  else lines.push(`Checked ${check.scanned} FLAC file${check.scanned === 1 ? '' : 's'} in ${check.dir}${check.cacheHits ? ` (${check.cacheHits} from cache)` : ''}.`);
  const total = listing.tracks.length;
  const width = String(Math.max(1, ...listing.tracks.map((t) => t.position))).length;
  if (check.missing.length === 0) lines.push(total === 1 ? 'The track is there.' : `All ${total} tracks are there.`);
  else {
    lines.push(`Missing ${check.missing.length} of ${total}:`);
    const hints = new Map(closest.map((h) => [h.position, h]));
    for (const t of check.missing) {
      lines.push(`  ${trackLine(t, width)}`);
      const hint = hints.get(t.position);
      // A hint, not a match: the file's own tags or name did not pass the matcher for this track,
      // and the matcher's reason says why ("same name, but 42 s longer").
      if (hint) lines.push(`  ${' '.repeat(width)}  maybe under another name or version: ${hint.file}${hint.reason ? ` (${hint.reason})` : ''}`);
    }
  }
  if (check.present.length > 0) {
    const byIsrc = check.present.filter((p) => p.by === 'isrc').length;
    lines.push(`Present: ${check.present.length} (${byIsrc} by ISRC, ${check.present.length - byIsrc} by artist/title/length).`);
  }
  if (check.extra.length > 0) {
    lines.push(`In the folder but not in this ${listing.source.type} (${check.extra.length}):`);
    for (const f of check.extra) {
      const what = f.tags?.title ? `${f.tags.artist ?? 'Unknown artist'} - ${f.tags.title} [${formatDuration(f.tags.durationMs)}]` : 'no tags';
      lines.push(`  ${f.relPath}  (${what})`);
    }
  }
  if (check.unreadable.length > 0) {
    lines.push(`Unusable files (${check.unreadable.length}), their tracks count as missing:`);
    for (const f of check.unreadable) lines.push(`  ${f.relPath}: ${f.error}`);
  }
  for (const w of listing.warnings) lines.push(`! ${w}`);
  return `${lines.join('\n')}\n`;
}
