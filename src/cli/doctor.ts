/**
 * `crate doctor`: checks everything `crate serve` needs and says, for each problem, what to do.
 * The checks are plain `Check` objects, so tests run them without the network and /status shows
 * the same list in short form. Checks that need the Telegram user session or Spotify use probes
 * the composition root provides (src/main.ts); without them those lines say so.
 */
import { statfs, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { requireSettings, type Config, type Requirement } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { SessionStatus } from '../domain/telegram.js';
import type { Logger } from '../logger.js';
import { FIRST_CONTACT_CHECK, type Check, type CheckResult } from '../bot/ports.js';
import { flacToolChecker } from '../library/verify/deep-check.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { checkWritableFolder, DATA_FOLDER, DOWNLOAD_FOLDER, folderError, type FolderRole } from './data-folders.js';

/** What the composition root can tell about the parts beyond the control bot. */
export interface DoctorProbes {
  /** The Telegram user session (connects if needed, never starts a login). */
  session?(): Promise<SessionStatus>;
  /** Resolves the external bot through the user session. */
  resolveExternalBot?(): Promise<{ username: string; id: string }>;
  /** Spotify: do the app credentials work, and is a user login stored and still accepted? */
  spotify?(): Promise<SpotifyDoctorProbe>;
  /** The deep check's decoder (default: is the reference `flac` tool installed?). */
  decoder?(): Promise<{ ok: true; version: string } | { ok: false; reason: string }>;
  /** Why the probes above are missing (e.g. the data folder cannot be used), shown on their lines. */
  unavailable?: string;
  /** First contact with the external bot: when /start went out and what it answered (null: not yet). */
  firstContact?(): Promise<{ sentAt: number; answer: string | null; answerKind: string | null } | null>;
  /** Releases what the probes opened (GramJS client, database). */
  close?(): Promise<void>;
}

export interface SpotifyDoctorProbe {
  app: 'ok' | 'missing' | 'rejected';
  user: 'ok' | 'missing' | 'expired';
  detail?: string;
  /** A real read through the Web API (a catalogue album), so a wrong SPOTIFY_API_URL shows here. */
  read?: { ok: boolean; detail: string };
}

/** SpotifyHttp says "Cannot reach Spotify (host): …" for DNS, refused and timed-out connections. */
const NETWORK = /Cannot reach Spotify/;

export function spotifyResult(s: SpotifyDoctorProbe): CheckResult {
  if (s.app === 'missing') return { status: 'fail', detail: 'no app credentials', fix: 'Set SPOTIFY_CLIENT_ID (developer.spotify.com/dashboard).' };
  if (s.detail && NETWORK.test(s.detail)) {
    return { status: 'fail', detail: `network: ${s.detail}`, fix: 'Check the network (DNS, proxy, firewall) and SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL; the credentials were not checked.' };
  }
  if (s.app === 'rejected') return { status: 'fail', detail: `Spotify refused the app credentials${s.detail ? ` (${s.detail})` : ''}`, fix: 'Check SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET.' };
  if (s.read && !s.read.ok) return { status: 'fail', detail: `credentials OK, but reading through the Web API failed: ${s.read.detail}`, fix: 'Check SPOTIFY_API_URL (the base, e.g. https://api.spotify.com, with or without /v1).' };
  const read = s.read ? `; ${s.read.detail}` : '';
  if (s.user === 'missing') return { status: 'warn', detail: `app OK${read}; no user login: public playlists only (first 100 tracks)`, fix: 'Run `crate spotify-login` or send /spotify.' };
  if (s.user === 'expired') return { status: 'fail', detail: 'the stored Spotify login was revoked', fix: 'Log in again: `crate spotify-login` or /spotify.' };
  return { status: 'ok', detail: `app and user login OK${read}` };
}

export type DoctorProbesFactory = (config: Config, logger: Logger) => Promise<DoctorProbes>;

const MIN_FREE_BYTES = 500 * 1024 * 1024;
const LOW_FREE_BYTES = 5 * 1024 * 1024 * 1024;

export function settingsCheck(config: Config): Check {
  return {
    name: 'Settings',
    async run() {
      const missing: string[] = [];
      const needs: Requirement[] = ['controlBot', 'telegramUser', 'spotifyApp'];
      for (const need of needs) {
        try {
          requireSettings(config, [need]);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          missing.push(...err.message.split('\n').slice(1).map((l) => l.trim()));
        }
      }
      if (missing.length === 0) {
        return { status: 'ok', detail: config.warnings.length ? config.warnings.join(' ') : 'everything needed is set' };
      }
      return { status: 'fail', detail: `missing ${missing.map((m) => m.split(':')[0]).join(', ')}`, fix: missing.join('\n') };
    },
  };
}

/**
 * A writable (or creatable) folder with room for FLAC files. Doctor only looks: a folder that does
 * not exist yet is not created (its nearest existing parent must be writable).
 */
export function folderCheck(
  name: string,
  folder: string,
  options: { minFreeBytes?: number; lowFreeBytes?: number; role?: FolderRole } = {},
): Check {
  const minFree = options.minFreeBytes ?? MIN_FREE_BYTES;
  const lowFree = options.lowFreeBytes ?? LOW_FREE_BYTES;
  const role = options.role ?? { what: name.toLowerCase(), setting: 'its setting' };
  return {
    name,
    async run() {
      const absolute = path.resolve(folder);
      try {
        checkWritableFolder(absolute, role);
      } catch (err) {
        if (err instanceof UserError) return { status: 'fail', detail: err.message, ...(err.hint ? { fix: err.hint } : {}) };
        throw err;
      }
      const exists = existsSync(absolute);
      if (exists) {
        // access() says yes to root even on a read-only mount: a real write says for sure.
        const probe = path.join(absolute, `.crate-doctor-${process.pid}`);
        try {
          await writeFile(probe, 'ok');
          await rm(probe, { force: true });
        } catch (err) {
          const e = folderError(err, absolute, role);
          if (e instanceof UserError) return { status: 'fail', detail: e.message, ...(e.hint ? { fix: e.hint } : {}) };
          throw err;
        }
      }
      let existing = absolute;
      while (!existsSync(existing)) existing = path.dirname(existing);
      const fs = await statfs(existing);
      const free = Number(fs.bavail) * Number(fs.bsize);
      const gb = (free / 1024 ** 3).toFixed(1);
      const where = exists ? `${absolute}: writable` : `${absolute}: not there yet, Crate creates it (${existing} is writable)`;
      if (free < minFree) return { status: 'fail', detail: `${absolute}: only ${gb} GB free`, fix: 'Free some space: a FLAC track is 20–50 MB (24-bit up to 150 MB).' };
      if (free < lowFree) return { status: 'warn', detail: `${where}, ${gb} GB free`, fix: `Only about ${Math.floor(free / (45 * 1024 * 1024))} tracks fit.` };
      return { status: 'ok', detail: `${where}, ${gb} GB free` };
    },
  };
}

/** A check whose code is imported when it runs (the name must match the loaded check's). */
function lazyCheck(name: string, load: () => Promise<Check>): Check {
  return { name, run: async (signal) => (await load()).run(signal) };
}

/** The deep check (decode every download, compare its MD5) needs the reference decoder. */
export function decoderCheck(decoder: NonNullable<DoctorProbes['decoder']>): Check {
  return {
    name: 'FLAC decoder',
    async run() {
      const d = await decoder();
      if (d.ok) return { status: 'ok', detail: `${d.version}: every download is decoded and checked against its MD5` };
      return {
        status: 'warn',
        detail: `${d.reason}: downloads are checked for structure and completeness only, a damaged middle goes unnoticed`,
        fix: 'Install the reference FLAC tool: apt-get install flac (Debian/Ubuntu), brew install flac (macOS).',
      };
    },
  };
}

function probeCheck(name: string, probe: (() => Promise<CheckResult>) | null, unavailable: string): Check {
  return {
    name,
    async run() {
      if (!probe) return { status: 'warn', detail: unavailable };
      try {
        return await probe();
      } catch (err) {
        return { status: 'fail', detail: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

export function sessionResult(s: SessionStatus): CheckResult {
  switch (s.state) {
    case 'ready':
      return { status: 'ok', detail: `logged in${s.user ? ` as ${s.user}` : ''}` };
    case 'no_session':
      return { status: 'fail', detail: 'not logged in', fix: 'Run `crate login`, or send /login to your bot.' };
    case 'expired':
      return { status: 'fail', detail: `the session was revoked or expired${s.detail ? ` (${s.detail})` : ''}`, fix: 'Log in again: `crate login` or /login.' };
    case 'offline':
      return { status: 'warn', detail: `cannot reach Telegram${s.detail ? ` (${s.detail})` : ''}`, fix: 'Check the network; Crate keeps retrying.' };
  }
}

/** Whether /start went out to the external bot, and what it answered. */
export function firstContactCheck(config: Config, probe: DoctorProbes['firstContact']): Check {
  return probeCheck(
    `${FIRST_CONTACT_CHECK} with ${config.telegram.externalBot}`,
    probe
      ? async () => {
          const contact = await probe();
          if (!contact) return { status: 'ok', detail: 'not yet: Crate sends /start once, before its first request' };
          const when = new Date(contact.sentAt).toISOString().slice(0, 16).replace('T', ' ');
          const answer = contact.answer ? `; it answered ${truncateText(contact.answer, 160)}` : '; no answer came';
          if (contact.answerKind === 'gate') {
            return {
              status: 'warn',
              detail: `/start sent ${when} UTC${answer}`,
              fix: `The bot gates its use: open ${config.telegram.externalBot} in Telegram, do what it asks (join its channel, press Start), then resume the job.`,
            };
          }
          return { status: 'ok', detail: `/start sent ${when} UTC${answer}` };
        }
      : null,
    'not checked (this build has no probe for it)',
  );
}

function truncateText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The full list `crate doctor` runs. `includeBot: false` drops the Bot API lines (for /status: the bot is answering). */
export function doctorChecks(
  config: Config,
  probes: DoctorProbes,
  options: { apiRoot?: string; fetch?: typeof fetch; includeBot?: boolean } = {},
): Check[] {
  const checks: Check[] = [settingsCheck(config)];
  const token = config.telegram.botToken;
  if ((options.includeBot ?? true) && token) {
    const target = { token, apiRoot: options.apiRoot ?? config.telegram.botApiRoot, ...(options.fetch ? { fetch: options.fetch } : {}) };
    // grammY is loaded only when a Bot API check runs (`serve`'s /status has no use for it).
    const botChecks = () => import('../bot/bot-checks.js');
    checks.push(lazyCheck('Bot API token', async () => (await botChecks()).botTokenCheck(target)));
    const ownerId = config.telegram.ownerId;
    if (ownerId !== undefined) checks.push(lazyCheck('Owner', async () => (await botChecks()).ownerCheck(target, ownerId)));
  }
  const unavailable = probes.unavailable ?? 'not checked (this build has no probe for it)';
  // One look at the session serves both lines; without one, the external bot cannot be looked up.
  let session: Promise<SessionStatus> | null = null;
  const sessionOnce = probes.session ? () => (session ??= probes.session!()) : null;
  checks.push(
    { ...probeCheck('Telegram session', sessionOnce ? async () => sessionResult(await sessionOnce()) : null, unavailable), topic: 'session' },
    {
      topic: 'needs-session',
      ...probeCheck(
      `External bot ${config.telegram.externalBot}`,
      probes.resolveExternalBot
        ? async () => {
            const state = sessionOnce ? (await sessionOnce().catch(() => null))?.state : undefined;
            if (state === 'no_session' || state === 'expired') {
              return { status: 'warn', detail: 'not checked: it is looked up through the Telegram session (see above)' };
            }
            try {
              const bot = await probes.resolveExternalBot!();
              return { status: 'ok', detail: `${bot.username} (id ${bot.id})` };
            } catch (err) {
              return { status: 'fail', detail: err instanceof Error ? err.message : String(err), fix: 'Check EXTERNAL_BOT_USERNAME and that the Telegram session works.' };
            }
          }
        : null,
      unavailable,
      ),
    },
    firstContactCheck(config, probes.firstContact),
    probeCheck(
      'Spotify',
      probes.spotify ? async () => spotifyResult(await probes.spotify!()) : null,
      unavailable,
    ),
    decoderCheck(probes.decoder ?? (() => flacToolChecker().available())),
    folderCheck('Download folder', config.downloadFolder, { role: DOWNLOAD_FOLDER }),
    folderCheck('Data folder', config.dataDir, { minFreeBytes: 50 * 1024 * 1024, lowFreeBytes: 200 * 1024 * 1024, role: DATA_FOLDER }),
    lazyCheck('Player and formats', async () => {
      const { playerCheckResult } = await import('../library/convert/player-check.js');
      return { name: 'Player and formats', run: () => playerCheckResult(config) };
    }),
  );
  return checks;
}

const LABEL: Record<CheckResult['status'], string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };

/** Runs the checks one after another (their output reads top to bottom) and prints them. */
export async function runChecks(checks: Check[], out: NodeJS.WritableStream, signal?: AbortSignal): Promise<CheckResult[]> {
  const width = Math.max(...checks.map((c) => c.name.length));
  const results: CheckResult[] = [];
  for (const check of checks) {
    let result: CheckResult;
    try {
      result = await check.run(signal);
    } catch (err) {
      result = { status: 'fail', detail: err instanceof Error ? err.message : String(err) };
    }
    results.push(result);
    out.write(`${LABEL[result.status]}  ${check.name.padEnd(width)}  ${result.detail}\n`);
    if (result.status !== 'ok' && result.fix) {
      for (const line of result.fix.split('\n')) out.write(`      ${' '.repeat(width)}  → ${line}\n`);
    }
  }
  return results;
}

export interface DoctorCommandOptions {
  /** Provided by src/main.ts; without it the session, external bot and Spotify lines are not checked. */
  probes?: DoctorProbesFactory;
  apiRoot?: string;
  fetch?: typeof fetch;
}

export function createDoctorCommand(options: DoctorCommandOptions = {}): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('doctor')
      .description('check everything `crate serve` needs, and say what to do about each problem')
      .action(async () => {
        const config = ctx.config();
        const logger = ctx.logger();
        const probes = options.probes ? await options.probes(config, logger) : {};
        try {
          const checks = doctorChecks(config, probes, { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
          const results = await runChecks(checks, ctx.stdout, ctx.shutdownSignal);
          const failed = results.filter((r) => r.status === 'fail').length;
          ctx.stdout.write(failed === 0 ? '\nAll good: `npm start` runs Crate.\n' : `\n${failed} check${failed === 1 ? '' : 's'} failed.\n`);
          // A failed check is a setting or a folder to fix: 2, like every other input to fix.
          if (failed > 0) ctx.exitCode = 2;
        } finally {
          await probes.close?.();
        }
      });
  };
}
