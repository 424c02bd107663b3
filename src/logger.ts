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
  'phoneCode',
  'phone_code',
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

/**
 * Redacted only inside the login flow (loginFlowLogger): there `code` is the login code, while
 * everywhere else it is an errno or RPC code (EACCES, FLOOD_WAIT) that the log must show.
 */
const LOGIN_KEYS = ['code'];

/** Deeper than this an object is cut off rather than walked (cycles are cut at once). */
const MAX_DEPTH = 64;

const SCRUBBER = Symbol('crate.scrubber');

/**
 * Every secret value Crate knows — configured ones, and ones stored while it runs (a Spotify
 * refresh token from /spotify) — in the forms they take in logs: as is and URL-encoded (bot API
 * URLs, form bodies). Shared by a root logger and all its children, so a secret added later is
 * scrubbed everywhere from then on.
 */
export class SecretRegistry {
  private readonly forms = new Set<string>();

  constructor(values: Iterable<string | null | undefined> = []) {
    this.add(...values);
  }

  add(...values: (string | null | undefined)[]): void {
    for (const value of values) {
      // Shorter strings would redact ordinary words and numbers.
      if (typeof value !== 'string' || value.length < 4) continue;
      this.forms.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) {
        this.forms.add(encoded);
        this.forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
        this.forms.add(encoded.replace(/%20/g, '+'));
      }
    }
  }

  /** Every form, longest first (so a value inside a longer one does not leave half of it). */
  values(): string[] {
    return [...this.forms].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.values()) if (out.includes(s)) out = out.split(s).join('[redacted]');
    // Bot tokens can appear inside Bot API URLs even when not configured here (a copied error):
    // `/bot<TOKEN>/` has no word boundary before the digits, and `:` may be URL-encoded.
    return out.replace(/(?<!\d)\d{6,12}(?::|%3A)[A-Za-z0-9_-]{30,}/gi, '[redacted-token]');
  }
}

/** Walks any value and returns a copy with secrets scrubbed by value and redacted keys replaced. */
function deepScrubber(secrets: SecretRegistry, keys: readonly string[]): (value: unknown) => unknown {
  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return secrets.scrub(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    if (depth > MAX_DEPTH) return '[too deep]';
    seen.add(value);
    try {
      if (value instanceof Error) {
        const copy: Record<string, unknown> = { type: value.name, message: secrets.scrub(value.message) };
        if (value.stack) copy.stack = secrets.scrub(value.stack);
        // errno / RPC details (code, syscall, path, seconds…) are what makes an error readable.
        for (const [k, v] of Object.entries(value)) {
          if (k === 'message' || k === 'stack' || k === 'cause') continue;
          copy[k] = keys.includes(k) ? '[redacted]' : walk(v, depth + 1, seen);
        }
        if (value.cause !== undefined) copy.cause = walk(value.cause, depth + 1, seen);
        return copy;
      }
      if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = keys.includes(k) ? '[redacted]' : walk(v, depth + 1, seen);
      return out;
    } finally {
      seen.delete(value);
    }
  };
  return (value) => walk(value, 0, new WeakSet());
}

interface Scrubber {
  secrets: SecretRegistry;
  scrub: (value: unknown) => unknown;
}

export interface LoggerOptions {
  level: string;
  /** Secret values (tokens, hashes, phone) scrubbed from anything that reaches a log line. */
  secrets: string[] | SecretRegistry;
  /** Defaults to stderr, so stdout stays clean for `--json` output. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty); defaults to true when stderr is a TTY. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets instanceof SecretRegistry ? options.secrets : new SecretRegistry(options.secrets);
  const scrub = deepScrubber(secrets, REDACTED_KEYS);

  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination =
    options.destination ??
    (pretty
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss' } })
      : pino.destination({ dest: 2, sync: true }));

  const logger = pino(
    {
      level: options.level,
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // The first object is the merging object (formatters.log scrubs it); the rest are
          // interpolated (`%o`, `%j`, `%s`) or appended, and must be scrubbed here.
          const scrubbed = args.map((a, i) => (typeof a === 'string' ? secrets.scrub(a) : i === 0 ? a : scrub(a)));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: { err: (e: unknown) => scrub(e) },
    },
    destination,
  );
  Object.defineProperty(logger, SCRUBBER, { value: { secrets, scrub } satisfies Scrubber });
  return logger;
}

function scrubberOf(logger: Logger): Scrubber | null {
  return ((logger as unknown as Record<symbol, Scrubber | undefined>)[SCRUBBER] ?? null);
}

/** The secrets a logger made by createLogger scrubs (children share their root's); null for other loggers. */
export function secretsOf(logger: Logger): SecretRegistry | null {
  return scrubberOf(logger)?.secrets ?? null;
}

/** A secret learned while running (a stored Spotify refresh token): scrubbed from every later line. */
export function addSecrets(logger: Logger, ...values: (string | null | undefined)[]): void {
  scrubberOf(logger)?.secrets.add(...values);
}

/** A child logger for the Telegram login flow, where `code` is the login code and is redacted too. */
export function loginFlowLogger(logger: Logger, bindings: Record<string, unknown> = { component: 'login' }): Logger {
  const scrubber = scrubberOf(logger);
  if (!scrubber) return logger.child(bindings);
  const keys = [...REDACTED_KEYS, ...LOGIN_KEYS];
  const scrub = deepScrubber(scrubber.secrets, keys);
  return logger.child(bindings, {
    formatters: { log: (obj: object) => scrub(obj) as Record<string, unknown> },
    serializers: { err: (e: unknown) => scrub(e) },
    redact: { paths: keys.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
  });
}

/** A logger that writes nowhere: for tests and library code that wants a default. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
