/** /settings: quality, the gap between messages to the external bot (never below 2 s), batch size. */
import { Composer } from 'grammy';
import { MIN_MESSAGE_GAP_SECONDS } from '../../config.js';
import { UserError } from '../../domain/errors.js';
import { onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { inlineKeyboard, qualityButtons } from '../keyboards.js';
import type { CrateSettings } from '../ports.js';

export const MAX_BATCH_SIZE = 50;
export const MAX_GAP_SECONDS = 3600;

/** Parses "gap 3.5", "batch 10", "quality max" into a settings patch; throws UserError otherwise. */
export function parseSettingsCommand(args: string): Partial<CrateSettings> {
  const [rawKey, rawValue, ...rest] = args.trim().toLowerCase().split(/\s+/);
  if (!rawKey || rawValue === undefined || rest.length > 0) {
    throw new UserError('Use /settings gap <seconds>, /settings batch <n> or /settings quality high|max.');
  }
  const value = rawValue.replace(',', '.').replace(/s$/, '');
  switch (rawKey) {
    case 'gap':
    case 'delay': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UserError(`The gap must be a number of seconds, got “${rawValue}”.`);
      if (n < MIN_MESSAGE_GAP_SECONDS) {
        throw new UserError(
          `The gap can't be below ${MIN_MESSAGE_GAP_SECONDS} s: faster messages from your account to a bot get it limited by Telegram.`,
        );
      }
      if (n > MAX_GAP_SECONDS) throw new UserError(`The gap can be at most ${MAX_GAP_SECONDS} s.`);
      return { messageGapSeconds: n };
    }
    case 'batch': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE) {
        throw new UserError(`The batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got “${rawValue}”.`);
      }
      return { batchSize: n };
    }
    case 'quality':
      if (value !== 'high' && value !== 'max') throw new UserError('Quality is high (16 bit) or max (up to 24 bit/192 kHz).');
      return { quality: value };
    default:
      throw new UserError(`There is no setting “${rawKey}”. Settings: gap, batch, quality.`);
  }
}

export function settingsText(s: CrateSettings): string {
  return [
    'Settings',
    `Quality: ${s.quality === 'max' ? 'max (up to 24 bit/192 kHz)' : 'high (16 bit)'}`,
    `Gap between messages to the bot: ${s.messageGapSeconds} s (at least ${MIN_MESSAGE_GAP_SECONDS} s)`,
    `Batch size: ${s.batchSize}`,
    '',
    'Change: /settings gap 4 · /settings batch 10 · /settings quality max',
    'Quality and batch size apply to new jobs; the gap applies at once.',
  ].join('\n');
}

export function createSettingsFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { settings } = deps;

  composer.command('settings', async (ctx) => {
    let current = settings.get();
    if (ctx.match.trim()) {
      current = settings.update(parseSettingsCommand(ctx.match));
      ctx.logger.info({ settings: current }, 'settings changed');
    }
    await ctx.reply(settingsText(current), { reply_markup: inlineKeyboard(qualityButtons(current.quality)) });
  });

  onCallback(composer, ['quality'], async (ctx, { id }) => {
    if (id !== 0 && id !== 1) throw new UserError('Unknown quality button.');
    const current = settings.update({ quality: id === 1 ? 'max' : 'high' });
    try {
      await ctx.editMessageText(settingsText(current), { reply_markup: inlineKeyboard(qualityButtons(current.quality)) });
    } catch (err) {
      ctx.logger.debug({ err }, 'settings message not edited');
    }
    return `Quality: ${current.quality}`;
  });

  return composer;
}
