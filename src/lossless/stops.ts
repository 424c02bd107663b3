/**
 * The job-wide stops the bot's replies can cause, worded for the owner: what the bot said
 * (verbatim, bounded), why Crate stopped, and what to do. They travel as SafetyStopError through
 * the engine's pause path (the job pauses, the owner is notified with a Resume button).
 */
import { SafetyStopError } from '../domain/errors.js';
import type { BotMessage } from '../domain/telegram.js';
import { verbatim } from './unanswered.js';

const MAX_LINKS = 6;

/** The bot gates its use (join a channel, press start): only the owner can open it. */
export function gateStop(message: BotMessage, links: { text: string; url: string }[], where: string): SafetyStopError {
  const text = message.text.trim();
  const shown = links.slice(0, MAX_LINKS).map((l) => `• ${clip(l.text, 64)}: ${clip(l.url, 200)}`);
  return new SafetyStopError(
    'gate',
    [
      `@LosslessRobot will not answer until you do something in Telegram (${where}). It says: «${clip(text || verbatim(message), 600)}»`,
      ...(shown.length > 0 ? ['Its links:', ...shown] : []),
      'What to do: open the bot chat in Telegram, do what it asks (join the channel, press Start or its check button), then press Resume.',
    ].join('\n'),
  );
}

/** A premium offer that replaced a result: the free quota is most likely spent. */
export function promoStop(text: string): SafetyStopError {
  return new SafetyStopError('promo', `@LosslessRobot answered with its Premium offer instead of a result ("${clip(text, 200)}"): its free quota is probably spent`);
}

export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
