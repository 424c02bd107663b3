import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Field names whose values are never logged, wherever they appear. */
const REDACTED_KEYS = [
  'token',
  'botToken',
  'apiHash',
  'api_hash',
  'phone',
  'phoneNumber',
  'phone_number',
  'password',
  'code',
  'phoneCode',
  'session',
  'sessionString',
  'refreshToken',
  'refresh_token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'authorization',
  'Authorization',
];

export interface LoggerOptions {
  level: string;
  /** Literal secret values (tokens, hashes, phone) scrubbed from any string that reaches a log line. */
  secrets: string[];
  /** Defaults to stderr, so stdout stays clean for `--json` output. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty); defaults to true when stderr is a TTY. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets.filter((s) => s.length >= 4);
  const scrub = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return scrubString(value, secrets);
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      const copy: Record<string, unknown> = { type: value.name, message: scrubString(value.message, secrets) };
      if (value.stack) copy.stack = scrubString(value.stack, secrets);
      if (value.cause !== undefined) copy.cause = scrub(value.cause, depth + 1);
      return copy;
    }
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = REDACTED_KEYS.includes(k) ? '[redacted]' : scrub(v, depth + 1);
    return out;
  };

  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination =
    options.destination ??
    (pretty
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss' } })
      : pino.destination({ dest: 2, sync: true }));

  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrubString(a, secrets) : a)) as Parameters<typeof method>,
          );
        },
      },
      serializers: { err: (e: unknown) => scrub(e) },
    },
    destination,
  );
}

function scrubString(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  // Bot tokens can appear inside Bot API URLs even when not configured here (e.g. a copied error).
  return out.replace(/(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g, '[redacted-token]');
}

/** A logger that writes nowhere: for tests and library code that wants a default. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
