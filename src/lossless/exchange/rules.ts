/**
 * The rule engine of a `crate-exchange/1` scenario's bot, shared by the scripted bot of replays
 * and the simulated @LosslessRobot: rules are tried in order, a rule fires once unless `repeat`,
 * nothing matching means silence.
 */
import type { BotButton } from '../../domain/telegram.js';
import type { ExchangeButton, ExchangeOn, ExchangeRule, ExchangeScenario } from './format.js';

export type SentForm = 'link' | 'text' | 'start';

/** What the bot sees Crate (or anyone) do. */
export type BotEvent =
  | { kind: 'sent'; form: SentForm; text: string }
  | { kind: 'clicked'; text: string }
  | { kind: 'inline'; query: string }
  | { kind: 'chosen'; ref: string };

const SPOTIFY_LINK = /(?:open\.spotify\.com\/(?:intl-[a-z-]+\/)?|spotify:)track[/:][A-Za-z0-9]+/i;

export class ExchangeRules {
  private readonly fired = new Set<ExchangeRule>();

  constructor(readonly scenario: ExchangeScenario) {}

  /** The rule that answers `event` (now marked fired), or null: the bot stays silent. */
  fire(event: BotEvent): ExchangeRule | null {
    const rule = this.scenario.bot.find((r) => (r.repeat || !this.fired.has(r)) && matches(r.on, event)) ?? null;
    if (rule) this.fired.add(rule);
    return rule;
  }
}

/** How the bot tells what we sent apart: `/start`, a Spotify track link, any other text. */
export function sentForm(text: string): SentForm {
  const t = text.trim();
  if (/^\/start(?:@\w+)?(?:\s|$)/i.test(t)) return 'start';
  if (SPOTIFY_LINK.test(t)) return 'link';
  return 'text';
}

export function matches(on: ExchangeOn, event: BotEvent): boolean {
  if (on.sent !== undefined) {
    if (event.kind !== 'sent' || (on.sent !== 'any' && on.sent !== event.form)) return false;
    return on.matches === undefined || new RegExp(on.matches, 'u').test(event.text);
  }
  if (on.clicked !== undefined) return event.kind === 'clicked' && event.text.trim() === on.clicked.trim();
  if (on.inline !== undefined) return event.kind === 'inline' && (on.matches === undefined || new RegExp(on.matches, 'u').test(event.query));
  return event.kind === 'chosen' && event.ref === on.chosen;
}

export function toastOf(rule: ExchangeRule): string | null {
  if (rule.toast !== undefined) return rule.toast;
  for (const reply of rule.replies) if (reply.toast !== undefined) return reply.toast;
  return null;
}

export function buttonsOf(rows: ExchangeButton[][]): BotButton[] {
  return rows.flatMap((row, r) =>
    row.map((b, c) => ({
      text: b.text,
      row: r,
      column: c,
      data: b.dataBase64 ?? (b.data !== undefined ? Buffer.from(b.data, 'utf8').toString('base64') : null),
      url: b.url ?? null,
    })),
  );
}
