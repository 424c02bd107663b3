/**
 * /login: the Telegram user login as a conversation — phone, code, then the 2FA password.
 *
 * The code must be typed WITH SEPARATORS (1-2-3-4-5): Telegram invalidates a login code as soon
 * as it appears in any Telegram message (a guard against people being tricked into forwarding
 * it), and a message to this bot is a Telegram message. We strip everything but the digits. The
 * owner's messages holding the code and the password are deleted right away.
 */
import { createConversation } from '@grammyjs/conversations';
import { Composer, type Context, type MiddlewareFn } from 'grammy';
import { onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { truncate } from '../format.js';
import { isReady } from '../job-state.js';
import { inlineKeyboard } from '../keyboards.js';
import type { ButtonSpec } from '../progress-view.js';
import type { LoginProgress } from '../ports.js';
import {
  attempt,
  deleteSecretMessage,
  waitForText,
  type BotConversation,
  type ConversationPlugins,
  type Outcome,
} from './conversation-kit.js';

export const LOGIN_CONVERSATION = 'telegram-login';
const MAX_TRIES = 3;
const WAIT_MS = 15 * 60_000;

export interface ParsedCode {
  digits: string;
  /** False when the owner typed the bare code (Telegram has then most likely invalidated it). */
  separated: boolean;
}

/**
 * "1-2-3-4-5", "1 2 3 4 5", "1a2a3a4a5" → "12345"; null when it cannot be a login code. Only a
 * first sieve (so a stray message does not spend an attempt); the login flow has the last word.
 */
export function parseLoginCode(text: string): ParsedCode | null {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 5 || digits.length > 6) return null;
  return { digits, separated: text.trim() !== digits };
}

export function normalizePhone(text: string): string | null {
  const trimmed = text.trim();
  if (!/^[+\d\s().-]{7,26}$/.test(trimmed)) return null;
  // "00" is the international prefix written out: 0044… is +44….
  const digits = trimmed.replace(/\D/g, '').replace(/^00/, '');
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : null;
}

const CODE_VIA: Record<Extract<LoginProgress, { next: 'code' }>['codeVia'], string> = {
  app: 'your Telegram app (the “Telegram” service chat)',
  sms: 'your phone by SMS',
  call: 'your phone by a call',
  other: 'you',
};

const CODE_PROMPT = (via: string) =>
  [
    `Telegram sent a login code to ${via}.`,
    'Type it here WITH SEPARATORS, e.g. 1-2-3-4-5 or 1 2 3 4 5.',
    'Why: Telegram cancels a login code the moment it sees it in any Telegram message (so nobody can be tricked into forwarding it) — a bare 12345 sent here would stop working. I keep only the digits and delete your message at once.',
    '/cancel stops.',
  ].join('\n');

/**
 * The conversation itself. create-bot installs every conversation before all features, so that
 * /login or /spotify typed in the middle of either one reaches its command handler.
 */
export function createLoginConversation(deps: BotDeps, plugins: ConversationPlugins): MiddlewareFn<BotContext> {
  const { login, secrets, logger } = deps;

  const step = (conversation: BotConversation, name: string, op: () => Promise<LoginProgress>) =>
    conversation.external(async (): Promise<Outcome<LoginProgress>> => {
      const outcome = await attempt(op, secrets);
      // Never the value the owner typed: only which step and whether it worked.
      logger.info({ step: name, ok: outcome.ok, next: outcome.ok ? outcome.value.next : null }, 'telegram login step');
      return outcome;
    });
  const onCancel = (conversation: BotConversation) => () =>
    conversation.external(() => login.cancel().catch((err: unknown) => logger.warn({ err }, 'login cancel failed')));

  async function askPassword(conversation: BotConversation, ctx: Context, hint: string | null): Promise<LoginProgress | null> {
    for (let i = 0; i < MAX_TRIES; i++) {
      await ctx.reply(
        `This account has two-step verification. Send your cloud password${hint ? ` (hint: ${hint})` : ''}. I delete your message at once. /cancel stops.`,
      );
      const { ctx: answer, text } = await waitForText(conversation, 'Login', { onCancel: onCancel(conversation), everyTextAnswers: true });
      await deleteSecretMessage(answer);
      const outcome = await step(conversation, 'password', () => login.submitPassword(text));
      if (outcome.ok) return outcome.value;
      await ctx.reply(outcome.message);
    }
    return null;
  }

  async function askCode(conversation: BotConversation, ctx: Context, via: string): Promise<LoginProgress | null> {
    await ctx.reply(CODE_PROMPT(via));
    for (let i = 0; i < MAX_TRIES; ) {
      const { ctx: answer, text } = await waitForText(conversation, 'Login', { onCancel: onCancel(conversation), everyTextAnswers: true });
      await deleteSecretMessage(answer);
      if (!parseLoginCode(text)) {
        await ctx.reply('That is not a login code (5 or 6 digits). Type it with separators, e.g. 1-2-3-4-5.');
        continue;
      }
      i++;
      // The flow gets the text as typed: it strips the separators and refuses a bare code.
      const outcome = await step(conversation, 'code', () => login.submitCode(text));
      if (outcome.ok) return outcome.value;
      await ctx.reply(`${outcome.message}\nType the code again (with separators), or /cancel.`);
    }
    return null;
  }

  async function telegramLogin(conversation: BotConversation, ctx: Context): Promise<void> {
    await ctx.reply('Telegram login for the account that talks to the external bot.\nSend the phone number in international form, e.g. +44 20 1234 5678. /cancel stops.');
    let result: LoginProgress | null = null;
    for (let i = 0; i < MAX_TRIES && !result; i++) {
      const { ctx: answer, text } = await waitForText(conversation, 'Login', { onCancel: onCancel(conversation), everyTextAnswers: true });
      const phone = normalizePhone(text);
      await deleteSecretMessage(answer);
      if (!phone) {
        await ctx.reply('That does not look like a phone number. Send it like +44 20 1234 5678.');
        continue;
      }
      const outcome = await step(conversation, 'phone', () => login.startLogin({ phone }));
      if (outcome.ok) result = outcome.value;
      else await ctx.reply(outcome.message);
    }
    if (result?.next === 'code') result = await askCode(conversation, ctx, CODE_VIA[result.codeVia]);
    if (result?.next === 'password') result = await askPassword(conversation, ctx, result.hint);
    if (result?.next === 'done') {
      // Jobs paused for the session go on by themselves; ready ones wait for their Start, offered here.
      const ready = await conversation.external(() =>
        deps.service
          .listJobs()
          .filter(isReady)
          .sort((a, b) => a.id - b.id)
          .slice(0, 6)
          .map((j) => ({ id: j.id, name: j.name })),
      );
      const lines = [`✅ Logged in${result.user ? ` as ${result.user}` : ''}.`, 'Jobs that waited for the session go on; /status shows them.'];
      if (ready.length > 0) lines.push(`Ready to start: ${ready.map((j) => `#${j.id} ${truncate(j.name, 24)}`).join(', ')}.`);
      const buttons: ButtonSpec[][] = ready.map((j) => [{ text: `▶️ Start #${j.id} ${truncate(j.name, 20)}`, action: 'start', id: j.id }]);
      await ctx.reply(lines.join('\n'), buttons.length ? { reply_markup: inlineKeyboard(buttons) } : {});
    } else {
      await ctx.reply('Login did not finish. Send /login to try again.');
    }
  }

  return createConversation(telegramLogin, { id: LOGIN_CONVERSATION, plugins, maxMillisecondsToWait: WAIT_MS });
}

export function createLoginFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('login', async (ctx) => {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(LOGIN_CONVERSATION);
  });
  // The Log in button of "not logged in yet" messages and of a job waiting for the session.
  onCallback(composer, ['login'], async (ctx) => {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(LOGIN_CONVERSATION);
    return 'Telegram login';
  });
  return composer;
}
