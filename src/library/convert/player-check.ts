/**
 * `crate doctor`'s line about the DJ's player: do the output settings suit it, and are the
 * reference tools there for the conversions they need.
 */
import type { Config } from '../../config.js';
import type { CheckResult } from '../../bot/ports.js';
import { outputTarget, profileOf, settingsConflicts } from './player-profiles.js';
import { toolVersion } from './run-tool.js';

export interface PlayerCheckDeps {
  version?: (command: string) => Promise<string | null>;
}

export async function playerCheckResult(config: Pick<Config, 'library'>, deps: PlayerCheckDeps = {}): Promise<CheckResult> {
  const version = deps.version ?? toolVersion;
  const s = config.library;
  const target = outputTarget(s);
  const profile = profileOf(s.player);
  const what = `${target.format.toUpperCase()}${target.maxSampleRate ? ` up to ${target.maxSampleRate / 1000} kHz` : ''}${target.maxBitDepth ? `/${target.maxBitDepth}-bit` : ''}`;
  const conflicts = settingsConflicts(s);
  if (conflicts.length > 0) {
    return { status: 'warn', detail: `files would not play on the ${profile!.label}: ${conflicts.join('; ')}`, fix: `Remove these settings to use the ${profile!.label}'s own limits, or set PLAYER to the player you use.` };
  }
  const converts = target.format !== 'flac' || target.maxSampleRate !== null || target.maxBitDepth !== null;
  if (!converts) return { status: 'ok', detail: `${profile ? `${profile.label}: ` : ''}FLAC files kept as the bot sends them (no PLAYER set)` };
  const [flac, sox] = await Promise.all([version('flac'), version('sox')]);
  const missing = [flac ? null : 'flac', sox ? null : 'sox'].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    return {
      status: 'fail',
      detail: `${missing.join(' and ')} not installed: files that need converting to ${what} stay as they are${profile ? ` and may not play on the ${profile.label}` : ''}`,
      fix: 'Install them (Debian/Ubuntu: sudo apt install flac sox; macOS: brew install flac sox).',
    };
  }
  return { status: 'ok', detail: `${profile ? `${profile.label}: ` : ''}writing ${what} (${flac}; ${sox})` };
}
