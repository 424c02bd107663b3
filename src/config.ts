import { z } from 'zod';
import { UserError } from './domain/errors.js';
import { OUTPUT_FORMATS, PLAYERS, type OutputFormat, type PlayerId } from './library/convert/player-profiles.js';
import { parseIntervalMs } from './domain/interval.js';
import { TEMPLATE_FIELDS, unknownTemplateFields } from './library/path-template.js';
import { TAG_MODES, type TagMode } from './library/tags/tag-plan.js';

/** Requests in flight at once (BATCH_SIZE, `--batch-size`, /settings). */
export const BATCH_SIZE_RANGE = { min: 1, max: 50 } as const;

/** The message gap can be configured, but never below this: the owner's account comes first. */
export const MIN_MESSAGE_GAP_SECONDS = 2.0;

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Opaque credentials (ids, secrets, tokens) are visible ASCII: a space or an accent means a bad paste. */
const credential = (what: string) =>
  optionalText.refine((v) => v === undefined || /^[\x21-\x7e]+$/.test(v), {
    message: `does not look like ${what} (letters, digits and symbols, no spaces): check the copy and paste`,
  });

/** A folder: any text, but never control characters (a NUL would end the path early). */
const folder = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      // eslint-disable-next-line no-control-regex
      if (v && /[\u0000-\u001f\u007f]/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'contains control characters; give a plain folder path' });
        return z.NEVER;
      }
      return v ? v : fallback;
    });

const number = (fallback: number, opts: { min?: number; max?: number; int?: boolean } = {}) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n))) {
        ctx.addIssue({ code: 'custom', message: `must be ${opts.int ? 'a whole number' : 'a number'}, got "${v}"` });
        return z.NEVER;
      }
      if (opts.min !== undefined && n < opts.min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${opts.min}, got ${v}` });
        return z.NEVER;
      }
      if (opts.max !== undefined && n > opts.max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${opts.max}, got ${v}` });
        return z.NEVER;
      }
      return n;
    });

const url = (fallback: string, normalise: (u: string) => string = (u) => u) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? fallback : v;
      try {
        const parsed = new URL(value);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, got "${value}"` });
        return z.NEVER;
      }
      return normalise(value.replace(/\/+$/, ''));
    });

/**
 * Spotify documents its Web API base as `https://api.spotify.com/v1`; Crate adds `/v1` to every
 * path itself, so a base given with it would call `/v1/v1/…` (404s and a silent fall-back to the
 * embed page). Both forms are accepted.
 */
export function spotifyApiBase(u: string): string {
  return u.replace(/(\/v1)+\/*$/i, '').replace(/\/+$/, '');
}

const choice = <T extends string>(values: readonly [T, ...T[]], fallback: T) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (!(values as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}, got "${v}"` });
        return z.NEVER;
      }
      return v as T;
    });

/**
 * The persisted-query hash of the web player's `fetchPlaylist` operation, as other tools used it through
 * 2026. Spotify rotates it; SPOTIFY_WEB_PLAYLIST_HASH sets the current one without a new release.
 */
export const DEFAULT_WEB_PLAYLIST_HASH = 'e578eda4f77aae54294a48eac85e2a42ddb203faf6ea12b3fddaec5aa32918a3';
/** A choice with no default: undefined when not set (the player then decides). */
const optionalChoice = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!(values as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}, got "${v}"` });
        return z.NEVER;
      }
      return v as T;
    });

const SAMPLE_RATES = [44100, 48000, 88200, 96000, 176400, 192000] as const;

export const LINK_MODES = ['hardlink', 'copy', 'reference'] as const;
export type LinkMode = (typeof LINK_MODES)[number];
export const DJ_PLAYLIST_KINDS = ['rekordbox', 'traktor'] as const;
export type DjPlaylistKind = (typeof DJ_PLAYLIST_KINDS)[number];

const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: optionalText.refine((v) => v === undefined || /^\d+:[\w-]{20,}$/.test(v), {
    message: 'does not look like a bot token from @BotFather (digits, a colon, then about 35 characters)',
  }),
  TELEGRAM_OWNER_ID: optionalText.refine((v) => v === undefined || /^\d{1,20}$/.test(v), {
    message: 'must be your numeric Telegram user id (digits only)',
  }),
  TELEGRAM_BOT_API_ROOT: url('https://api.telegram.org'),
  TELEGRAM_API_ID: optionalText.refine((v) => v === undefined || /^\d{1,12}$/.test(v), {
    message: 'must be the numeric api_id from my.telegram.org',
  }),
  TELEGRAM_API_HASH: optionalText.refine((v) => v === undefined || /^[0-9a-f]{32}$/i.test(v), {
    message: 'must be the 32-character api_hash from my.telegram.org',
  }),
  TELEGRAM_PHONE_NUMBER: optionalText.refine((v) => v === undefined || /^\+?[\d\s-]{7,20}$/.test(v), {
    message: 'must be a phone number in international form, e.g. +441234567890',
  }),
  TELEGRAM_DC: optionalText.refine((v) => v === undefined || /^[1-5]@\d{1,3}(\.\d{1,3}){3}$/.test(v), {
    message: 'must be DC@IPv4, e.g. 2@149.154.167.50 (the data centre a fresh login connects to)',
  }),
  EXTERNAL_BOT_USERNAME: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? '@LosslessRobot' : v;
      const bare = value.replace(/^@/, '');
      if (!/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(bare)) {
        ctx.addIssue({ code: 'custom', message: `must be a Telegram username like @LosslessRobot, got "${value}"` });
        return z.NEVER;
      }
      return `@${bare}`;
    }),
  SPOTIFY_CLIENT_ID: credential("the Client ID from your Spotify app's dashboard"),
  SPOTIFY_CLIENT_SECRET: credential("the Client secret from your Spotify app's dashboard"),
  SPOTIFY_REFRESH_TOKEN: credential('a Spotify refresh token'),
  SPOTIFY_REDIRECT_URI: url('http://127.0.0.1:8888/callback'),
  SPOTIFY_API_URL: url('https://api.spotify.com', spotifyApiBase),
  SPOTIFY_ACCOUNTS_URL: url('https://accounts.spotify.com'),
  SPOTIFY_WEB_URL: url('https://open.spotify.com'),
  SPOTIFY_WEB_PLAYLISTS: choice(['on', 'off'], 'off'),
  SPOTIFY_PARTNER_URL: url('https://api-partner.spotify.com'),
  SPOTIFY_WEB_PLAYLIST_HASH: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return DEFAULT_WEB_PLAYLIST_HASH;
      if (!/^[0-9a-f]{64}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be the 64 hex characters of the fetchPlaylist persisted-query hash' });
        return z.NEVER;
      }
      return v;
    }),
  SPOTIFY_ENRICH: choice(['on', 'off'], 'on'),
  CRATE_DATA_DIR: folder('./data'),
  DOWNLOAD_FOLDER: folder('./downloads'),
  DELAY_BETWEEN_REQUESTS: number(3.0, { min: 0, max: 3600 }),
  MAX_RETRIES: number(3, { min: 0, max: 20, int: true }),
  UNKNOWN_REPLY_LIMIT: number(3, { min: 1, max: 50, int: true }),
  RESPONSE_TIMEOUT: number(300, { min: 10, max: 86_400 }),
  BATCH_SIZE: number(12, { ...BATCH_SIZE_RANGE, int: true }),
  DAILY_MESSAGE_BUDGET: number(400, { min: 1, max: 100_000, int: true }),
  DOWNLOAD_PARALLEL_PARTS: number(4, { min: 1, max: 16, int: true }),
  DOWNLOADS_PER_DC: number(2, { min: 1, max: 8, int: true }),
  TELEGRAM_CONNECT_TIMEOUT: number(15, { min: 2, max: 120, int: true }),
  LOSSLESS_QUALITY: choice(['high', 'max'] as const, 'high'),
  LOSSLESS_MODE: choice(['chat', 'inline'] as const, 'chat'),
  INLINE_SEND_TO: choice(['bot', 'saved'] as const, 'bot'),
  FILE_TEMPLATE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v && v.trim() ? v : '{artists} - {title}';
      const unknown = unknownTemplateFields(value);
      // eslint-disable-next-line no-control-regex
      if (unknown.length > 0 || /[\u0000-\u001f\u007f]/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `${unknown.length > 0 ? `has unknown fields ${unknown.join(' ')}` : 'contains control characters'}; use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(' ')}`,
        });
        return z.NEVER;
      }
      return value;
    }),
  ORGANIZE_BY: choice(['playlist', 'artist', 'album', 'none'] as const, 'playlist'),
  TAGS: choice(TAG_MODES, 'fill'),
  PLAYER: choice(PLAYERS, 'none'),
  OUTPUT_FORMAT: optionalChoice(OUTPUT_FORMATS),
  MAX_SAMPLE_RATE: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v.replace(/k(hz)?$/i, '000'));
      if (!(SAMPLE_RATES as readonly number[]).includes(n)) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${SAMPLE_RATES.join(', ')} (Hz), got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
  MAX_BIT_DEPTH: optionalChoice(['16', '24'] as const),
  LINK_MODE: choice(LINK_MODES, 'hardlink'),
  DJ_MUSIC_ROOT: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      // eslint-disable-next-line no-control-regex
      if (v && /[\u0000-\u001f\u007f]/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'contains control characters; give a plain folder path' });
        return z.NEVER;
      }
      if (v && !/^([A-Za-z]:[\\/]|\/)/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `must be an absolute path on the DJ computer ("/Volumes/USB/Crate" or "D:\\Crate"), got "${v}"` });
        return z.NEVER;
      }
      return v || undefined;
    }),
  DJ_PLAYLISTS: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return [...DJ_PLAYLIST_KINDS];
      if (v === 'none') return [];
      const kinds = v.split(/[\s,]+/).filter(Boolean);
      const bad = kinds.filter((k) => !(DJ_PLAYLIST_KINDS as readonly string[]).includes(k));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be rekordbox, traktor, both (comma-separated) or none, got "${v}"` });
        return z.NEVER;
      }
      return [...new Set(kinds)] as DjPlaylistKind[];
    }),
  WATCH_DEFAULT_EVERY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return 6 * 3600_000;
      const ms = parseIntervalMs(v);
      if (ms === null || ms < 30 * 60_000 || ms > 30 * 24 * 3600_000) {
        ctx.addIssue({ code: 'custom', message: `must be an interval from 30m to 30d such as 30m, 6h or 1d, got "${v}"` });
        return z.NEVER;
      }
      return ms;
    }),
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  HEALTH_PORT: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65_535) {
        ctx.addIssue({ code: 'custom', message: `must be a TCP port from 1 to 65535 (or empty to turn the health endpoint off), got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
  HEALTH_HOST: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? '127.0.0.1' : v;
      if (!/^[A-Za-z0-9.:_-]+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be an address to listen on, like 127.0.0.1 or 0.0.0.0, got "${value}"` });
        return z.NEVER;
      }
      return value;
    }),
});

export interface Config {
  telegram: {
    botToken: string | undefined;
    ownerId: number | undefined;
    botApiRoot: string;
    apiId: number | undefined;
    apiHash: string | undefined;
    phoneNumber: string | undefined;
    externalBot: string;
    /** Where a fresh login first connects (default: GramJS's built-in DC 4 address). */
    dc: { id: number; ip: string } | undefined;
  };
  spotify: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    refreshToken: string | undefined;
    redirectUri: string;
    apiUrl: string;
    accountsUrl: string;
    webUrl: string;
    /** Opt-in: whole public playlists through the web player's internal API (may break at any time). */
    webPlaylists: boolean;
    partnerUrl: string;
    webPlaylistHash: string;
    /** Fill ISRC and album for rows that lack them, one /v1/tracks/{id} each, with the app credentials. */
    enrich: boolean;
  };
  dataDir: string;
  downloadFolder: string;
  /** Seconds between messages to the external bot, already clamped to MIN_MESSAGE_GAP_SECONDS. */
  messageGapSeconds: number;
  maxRetries: number;
  /** Tracks in a row answered with the same reply Crate cannot read before the job pauses. */
  unknownReplyLimit: number;
  responseTimeoutSeconds: number;
  batchSize: number;
  dailyMessageBudget: number;
  downloadParallelParts: number;
  /** Large downloads at once per Telegram data centre (Telegram asks for about 2). */
  downloadsPerDc: number;
  /** Seconds a connect to Telegram may take before Crate says it cannot be reached. */
  telegramConnectTimeoutSeconds: number;
  quality: 'high' | 'max';
  losslessMode: 'chat' | 'inline';
  /** Inline mode: where the chosen result is sent (the bot's chat, or the owner's Saved Messages) and its edit followed. */
  inlineSendTo: 'bot' | 'saved';
  fileTemplate: string;
  organizeBy: 'playlist' | 'artist' | 'album' | 'none';
  /** What the library does to a verified file: tags, format, sharing, DJ playlists (README → For DJs). */
  library: {
    tags: TagMode;
    player: PlayerId;
    /** As set by the owner; undefined = the player's choice (see outputTarget). */
    outputFormat: OutputFormat | undefined;
    maxSampleRate: number | undefined;
    maxBitDepth: 16 | 24 | undefined;
    linkMode: LinkMode;
    djPlaylists: DjPlaylistKind[];
    /** Where the DJ's computer sees DOWNLOAD_FOLDER (paths in the XML/NML files); undefined = the real paths. */
    musicRoot: string | undefined;
  };
  /** How often a watched playlist is checked unless the owner says otherwise (ms, at least 30 min). */
  watchDefaultEveryMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `serve`'s GET /healthz: off unless a port is set; loopback unless told otherwise. */
  health: { port: number | undefined; host: string };
  /** Things worth telling the user that are not errors (e.g. a gap raised to the floor). */
  warnings: string[];
  /** Settings that still hold .env.example's placeholder; they count as not set. */
  placeholders: string[];
}

/**
 * The example values of .env.example: a copied file that was never filled in must read as "not
 * set yet", not pass as credentials (a test keeps this list and the file in step).
 */
export const EXAMPLE_PLACEHOLDERS: Readonly<Record<string, string>> = {
  TELEGRAM_BOT_TOKEN: '123456789:replace-with-your-bot-token-from-botfather',
  TELEGRAM_OWNER_ID: 'your-numeric-telegram-user-id',
  TELEGRAM_API_ID: 'your-api-id',
  TELEGRAM_API_HASH: 'your-32-character-api-hash',
  TELEGRAM_PHONE_NUMBER: '+10000000000',
  SPOTIFY_CLIENT_ID: 'your-spotify-client-id',
  SPOTIFY_CLIENT_SECRET: 'your-spotify-client-secret',
};

/** Pure: environment in, Config out, or a UserError listing every bad setting. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const placeholders = Object.keys(EXAMPLE_PLACEHOLDERS).filter((k) => env[k]?.trim() === EXAMPLE_PLACEHOLDERS[k]);
  if (placeholders.length > 0) env = { ...env, ...Object.fromEntries(placeholders.map((k) => [k, undefined])) };
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new UserError(`Invalid settings:\n${lines.join('\n')}`, 'Fix them in .env or the environment (see .env.example).');
  }
  const e = result.data;
  const warnings: string[] = [];
  let gap = e.DELAY_BETWEEN_REQUESTS;
  if (gap < MIN_MESSAGE_GAP_SECONDS) {
    warnings.push(
      `DELAY_BETWEEN_REQUESTS=${gap} is below the ${MIN_MESSAGE_GAP_SECONDS} s floor that protects your Telegram account; using ${MIN_MESSAGE_GAP_SECONDS} s.`,
    );
    gap = MIN_MESSAGE_GAP_SECONDS;
  }
  return {
    telegram: {
      botToken: e.TELEGRAM_BOT_TOKEN,
      ownerId: e.TELEGRAM_OWNER_ID === undefined ? undefined : Number(e.TELEGRAM_OWNER_ID),
      botApiRoot: e.TELEGRAM_BOT_API_ROOT,
      apiId: e.TELEGRAM_API_ID === undefined ? undefined : Number(e.TELEGRAM_API_ID),
      apiHash: e.TELEGRAM_API_HASH,
      phoneNumber: e.TELEGRAM_PHONE_NUMBER,
      externalBot: e.EXTERNAL_BOT_USERNAME,
      dc: e.TELEGRAM_DC === undefined ? undefined : { id: Number(e.TELEGRAM_DC.split('@')[0]), ip: e.TELEGRAM_DC.split('@')[1]! },
    },
    spotify: {
      clientId: e.SPOTIFY_CLIENT_ID,
      clientSecret: e.SPOTIFY_CLIENT_SECRET,
      refreshToken: e.SPOTIFY_REFRESH_TOKEN,
      redirectUri: e.SPOTIFY_REDIRECT_URI,
      apiUrl: e.SPOTIFY_API_URL,
      accountsUrl: e.SPOTIFY_ACCOUNTS_URL,
      webUrl: e.SPOTIFY_WEB_URL,
      webPlaylists: e.SPOTIFY_WEB_PLAYLISTS === 'on',
      partnerUrl: e.SPOTIFY_PARTNER_URL,
      webPlaylistHash: e.SPOTIFY_WEB_PLAYLIST_HASH,
      enrich: e.SPOTIFY_ENRICH === 'on',
    },
    dataDir: e.CRATE_DATA_DIR,
    downloadFolder: e.DOWNLOAD_FOLDER,
    messageGapSeconds: gap,
    maxRetries: e.MAX_RETRIES,
    unknownReplyLimit: e.UNKNOWN_REPLY_LIMIT,
    responseTimeoutSeconds: e.RESPONSE_TIMEOUT,
    batchSize: e.BATCH_SIZE,
    dailyMessageBudget: e.DAILY_MESSAGE_BUDGET,
    downloadParallelParts: e.DOWNLOAD_PARALLEL_PARTS,
    downloadsPerDc: e.DOWNLOADS_PER_DC,
    telegramConnectTimeoutSeconds: e.TELEGRAM_CONNECT_TIMEOUT,
    quality: e.LOSSLESS_QUALITY,
    losslessMode: e.LOSSLESS_MODE,
    inlineSendTo: e.INLINE_SEND_TO,
    fileTemplate: e.FILE_TEMPLATE,
    organizeBy: e.ORGANIZE_BY,
    library: {
      tags: e.TAGS,
      player: e.PLAYER,
      outputFormat: e.OUTPUT_FORMAT,
      maxSampleRate: e.MAX_SAMPLE_RATE,
      maxBitDepth: e.MAX_BIT_DEPTH === undefined ? undefined : (Number(e.MAX_BIT_DEPTH) as 16 | 24),
      linkMode: e.LINK_MODE,
      djPlaylists: e.DJ_PLAYLISTS,
      musicRoot: e.DJ_MUSIC_ROOT,
    },
    watchDefaultEveryMs: e.WATCH_DEFAULT_EVERY,
    logLevel: e.LOG_LEVEL,
    health: { port: e.HEALTH_PORT, host: e.HEALTH_HOST },
    warnings,
    placeholders,
  };
}

/** What a command needs; each command asks only for its own. */
export type Requirement = 'controlBot' | 'telegramUser' | 'spotifyApp';

const REQUIREMENTS: Record<Requirement, { key: string; present: (c: Config) => boolean; where: string }[]> = {
  controlBot: [
    {
      key: 'TELEGRAM_BOT_TOKEN',
      present: (c) => c.telegram.botToken !== undefined,
      where: 'create your control bot with @BotFather (/newbot) and copy the token it gives',
    },
    {
      key: 'TELEGRAM_OWNER_ID',
      present: (c) => c.telegram.ownerId !== undefined,
      where: 'your numeric Telegram user id: send any message to @userinfobot',
    },
  ],
  telegramUser: [
    {
      key: 'TELEGRAM_API_ID',
      present: (c) => c.telegram.apiId !== undefined,
      where: 'my.telegram.org → API development tools → App api_id',
    },
    {
      key: 'TELEGRAM_API_HASH',
      present: (c) => c.telegram.apiHash !== undefined,
      where: 'my.telegram.org → API development tools → App api_hash',
    },
  ],
  spotifyApp: [
    {
      key: 'SPOTIFY_CLIENT_ID',
      present: (c) => c.spotify.clientId !== undefined,
      where: 'developer.spotify.com/dashboard → Create app → Client ID',
    },
  ],
};

/** Throws one UserError naming every missing setting and where to get it. */
export function requireSettings(config: Config, needs: Requirement[]): void {
  const missing = needs.flatMap((n) => REQUIREMENTS[n].filter((r) => !r.present(config)));
  if (missing.length === 0) return;
  const lines = missing.map((m) => `  ${m.key}: ${config.placeholders?.includes(m.key) ? "still the example value from .env.example; " : ''}${m.where}`);
  throw new UserError(
    `Missing settings:\n${lines.join('\n')}`,
    'Put them in a .env file in the folder you run crate from (for `npm start`: the project folder; copy .env.example) or in the environment. See README.md → Setup.',
  );
}

/** Secrets as they appear in config: used by the logger's redaction and by tests that prove nothing leaks. */
export function secretValues(config: Config): string[] {
  return [
    config.telegram.botToken,
    config.telegram.apiHash,
    config.telegram.phoneNumber,
    config.spotify.clientSecret,
    config.spotify.refreshToken,
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
}
