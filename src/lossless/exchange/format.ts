/**
 * The `crate-exchange/1` file: recorded (or written by hand) exchanges with @LosslessRobot, each a
 * track request plus the bot's behaviour as ordered rules. `crate debug exchange` replays them
 * through the product's strategies, the simulator plays them as its bot, `crate probe --record`
 * writes them. Every size is bounded: a file is data from outside (an owner's bug report).
 */
import { z } from 'zod';

export const EXCHANGE_FORMAT = 'crate-exchange/1';

/** A file past this is not a recording of a few exchanges. */
export const MAX_EXCHANGE_FILE_BYTES = 8 * 1024 * 1024;
const MAX_SCENARIOS = 2000;
const MAX_RULES = 200;
const MAX_REPLIES = 50;
const MAX_ROWS = 30;
const MAX_COLUMNS = 12;
const MAX_RESULTS = 50;
const MAX_TEXT = 4096;
const MAX_SHORT = 512;
const MAX_REGEX = 500;
/** One day: a reply later than that is no reply. */
const MAX_AFTER_MS = 24 * 3600 * 1000;

const shortText = z.string().max(MAX_SHORT);
const ref = z.string().min(1).max(64);

const buttonSchema = z
  .strictObject({
    text: z.string().max(MAX_SHORT),
    /** Callback data as text (what the bot put in; Telegram allows 64 bytes). */
    data: z.string().max(256).optional(),
    /** Callback data that is not UTF-8 text, base64-encoded. */
    dataBase64: z.string().max(344).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64').optional(),
    url: z.string().max(2048).optional(),
  })
  .refine((b) => [b.data, b.dataBase64, b.url].filter((x) => x !== undefined).length <= 1, {
    message: 'a button has at most one of data, dataBase64 and url',
  });

const buttonRows = z.array(z.array(buttonSchema).max(MAX_COLUMNS)).max(MAX_ROWS);

const mediaSchema = z.strictObject({
  /** `other`: media Crate does not read (sticker, video...), kept so a recording says it was there. */
  kind: z.enum(['document', 'audio', 'photo', 'other']),
  fileName: shortText.nullish(),
  mimeType: z.string().max(128).nullish(),
  size: z.number().int().nonnegative().max(8 * 1024 ** 3).nullish(),
  performer: shortText.nullish(),
  title: shortText.nullish(),
  durationSec: z.number().nonnegative().max(24 * 3600).nullish(),
});

const messageSchema = z.strictObject({
  ref,
  text: z.string().max(MAX_TEXT).optional(),
  buttons: buttonRows.optional(),
  media: mediaSchema.nullish(),
});

const resultSchema = z.strictObject({
  ref,
  /** What the inline list shows; default: the first line of `text`. */
  title: shortText.nullish(),
  description: shortText.nullish(),
  /** The message the result puts in the chat when chosen. */
  text: z.string().max(MAX_TEXT).optional(),
  buttons: buttonRows.optional(),
  media: mediaSchema.nullish(),
});

const afterMs = z.number().int().nonnegative().max(MAX_AFTER_MS);

/** Exactly one of message, edit, toast, results (one object, so errors point at the bad field). */
const replySchema = z
  .strictObject({
    afterMs: afterMs.default(0),
    message: messageSchema.optional(),
    edit: messageSchema.optional(),
    toast: z.string().max(MAX_SHORT).optional(),
    results: z.array(resultSchema).max(MAX_RESULTS).optional(),
  })
  .refine((r) => [r.message, r.edit, r.toast, r.results].filter((x) => x !== undefined).length === 1, {
    message: 'a reply has exactly one of "message", "edit", "toast" and "results"',
  });

const regex = z
  .string()
  .max(MAX_REGEX)
  .refine((s) => compiles(s), { message: 'not a valid regular expression' });

/** Exactly one of sent, clicked, inline, chosen; `matches` goes with sent or inline. */
const onSchema = z
  .strictObject({
    sent: z.enum(['any', 'link', 'text', 'start']).optional(),
    clicked: shortText.optional(),
    inline: z.literal('any').optional(),
    chosen: ref.optional(),
    matches: regex.optional(),
  })
  .superRefine((on, ctx) => {
    const forms = [on.sent, on.clicked, on.inline, on.chosen].filter((x) => x !== undefined).length;
    if (forms !== 1) ctx.addIssue({ code: 'custom', message: 'an "on" has exactly one of "sent", "clicked", "inline" and "chosen"' });
    else if (on.matches !== undefined && on.sent === undefined && on.inline === undefined) {
      ctx.addIssue({ code: 'custom', path: ['matches'], message: '"matches" goes with "sent" or "inline" only' });
    }
  });

const ruleSchema = z.strictObject({
  on: onSchema,
  repeat: z.boolean().optional(),
  /** The answer to the press that fired the rule (a `clicked` rule). */
  toast: z.string().max(MAX_SHORT).optional(),
  replies: z.array(replySchema).max(MAX_REPLIES).default([]),
});

const requestSchema = z.object({
  artists: z.array(shortText.min(1)).min(1).max(20),
  title: shortText.min(1),
  album: shortText.nullish(),
  durationMs: z.number().int().nonnegative().max(24 * 3600 * 1000).nullish(),
  isrc: z.string().max(32).nullish(),
  spotifyUrl: z.string().max(512).nullish(),
});

const scenarioSchema = z.object({
  id: z.string().min(1).max(200),
  mode: z.enum(['chat', 'inline']).default('chat'),
  quality: z.enum(['high', 'max']).default('high'),
  request: requestSchema,
  bot: z.array(ruleSchema).max(MAX_RULES),
  /** Read by scorers only; never by the replay. */
  expected: z.unknown().optional(),
});

const fileSchema = z.object({
  format: z.literal(EXCHANGE_FORMAT),
  note: z.string().max(MAX_TEXT).optional(),
  scenarios: z.array(z.unknown()).max(MAX_SCENARIOS),
});

export type ExchangeButton = z.infer<typeof buttonSchema>;
export type ExchangeMedia = z.infer<typeof mediaSchema>;
export type ExchangeMessage = z.infer<typeof messageSchema>;
export type ExchangeResult = z.infer<typeof resultSchema>;
export type ExchangeReply = z.infer<typeof replySchema>;
export type ExchangeOn = z.infer<typeof onSchema>;
export type ExchangeRule = z.infer<typeof ruleSchema>;
export type ExchangeRequest = z.infer<typeof requestSchema>;
export type ExchangeScenario = z.infer<typeof scenarioSchema>;
/** What a file may hold before parsing (what the recorder writes). */
export type ExchangeScenarioInput = z.input<typeof scenarioSchema>;

export interface ExchangeFile {
  format: typeof EXCHANGE_FORMAT;
  note?: string;
  scenarios: ExchangeScenario[];
}

/** A file that does not follow the format; the message names the file, the scenario and the path. */
export class ExchangeFormatError extends Error {
  override readonly name = 'ExchangeFormatError';
}

/**
 * Validates parsed JSON as a `crate-exchange/1` file. `source` names it in errors. Besides the
 * shape: scenario ids are unique, message refs are unique within a scenario, and every edit names
 * a message or an inline result of its scenario.
 */
export function parseExchange(json: unknown, source = 'input'): ExchangeFile {
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== EXCHANGE_FORMAT) {
    throw new ExchangeFormatError(`${source} is not a ${EXCHANGE_FORMAT} file (format: ${JSON.stringify(format ?? null)})`);
  }
  const file = fileSchema.safeParse(json);
  if (!file.success) throw new ExchangeFormatError(`${source}: ${describeIssue(file.error.issues[0], '')}`);
  const seen = new Set<string>();
  const scenarios = file.data.scenarios.map((raw, i) => {
    const id = scenarioIdOf(raw) ?? `#${i + 1}`;
    const where = `${source}: scenario "${id}" (scenarios[${i}])`;
    const parsed = scenarioSchema.safeParse(raw);
    if (!parsed.success) throw new ExchangeFormatError(`${where}: ${describeIssue(parsed.error.issues[0], '')}`);
    if (seen.has(parsed.data.id)) throw new ExchangeFormatError(`${where}: the id is used by an earlier scenario`);
    seen.add(parsed.data.id);
    checkRefs(parsed.data, where);
    return parsed.data;
  });
  return { format: EXCHANGE_FORMAT, ...(file.data.note !== undefined ? { note: file.data.note } : {}), scenarios };
}

/** Parses the text of a file (JSON), with the same errors. */
export function parseExchangeText(text: string, source = 'input'): ExchangeFile {
  if (Buffer.byteLength(text, 'utf8') > MAX_EXCHANGE_FILE_BYTES) {
    throw new ExchangeFormatError(`${source} is larger than ${MAX_EXCHANGE_FILE_BYTES / 1024 / 1024} MB; split it into several files`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ExchangeFormatError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return parseExchange(json, source);
}

function checkRefs(s: ExchangeScenario, where: string): void {
  const messages = new Set<string>();
  const results = new Set<string>();
  s.bot.forEach((rule, r) =>
    rule.replies.forEach((reply, k) => {
      if (reply.message) {
        if (messages.has(reply.message.ref) || results.has(reply.message.ref)) {
          throw new ExchangeFormatError(`${where}: bot[${r}].replies[${k}].message.ref: "${reply.message.ref}" is used twice`);
        }
        messages.add(reply.message.ref);
      }
      for (const x of reply.results ?? []) results.add(x.ref);
    }),
  );
  s.bot.forEach((rule, r) => {
    if (rule.on.chosen !== undefined && !results.has(rule.on.chosen)) {
      throw new ExchangeFormatError(`${where}: bot[${r}].on.chosen: no inline result has ref "${rule.on.chosen}"`);
    }
    rule.replies.forEach((reply, k) => {
      if (reply.edit && !messages.has(reply.edit.ref) && !results.has(reply.edit.ref)) {
        throw new ExchangeFormatError(`${where}: bot[${r}].replies[${k}].edit.ref: no message or inline result has ref "${reply.edit.ref}"`);
      }
    });
  });
}

function scenarioIdOf(raw: unknown): string | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : null;
}

function describeIssue(issue: z.core.$ZodIssue | undefined, prefix: string): string {
  if (!issue) return 'invalid';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const at = `${prefix}${path}`.replace(/^\./, '');
  return `${at ? `${at}: ` : ''}${issue.message}`;
}

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
