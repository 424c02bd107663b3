import { Api, type TelegramClient } from 'telegram';
import { computeCheck } from 'telegram/Password.js';
import type { Config } from '../config.js';
import { FloodWaitError, TelegramUnreachableError, UserError, errorMessage } from '../domain/errors.js';
import { DeadlineError, withDeadline } from './deadline.js';
import type { Logger } from '../logger.js';
import { createTelegramClient } from './create-client.js';
import { mapTelegramError, rpcErrorCode } from './errors.js';
import { saveSession } from './session-file.js';

export type CodeDelivery = 'app' | 'sms' | 'call' | 'other';

/** What the login needs next. */
export type LoginProgress =
  | { next: 'code'; codeVia: CodeDelivery }
  | { next: 'password'; hint: string | null }
  | { next: 'done'; user: string | null };

export interface LoginFlowOptions {
  config: Config;
  logger: Logger;
  /**
   * True when the code is typed into a Telegram chat (the control bot): Telegram cancels a login
   * code that is sent in a message as is, so it must come with separators ("1-2-3-4-5"). The
   * terminal (`crate login`) accepts plain digits.
   */
  requireSeparators: boolean;
  /** Builds the (unconnected) client for a fresh login; tests hand in an offline one. */
  createClient?: () => TelegramClient;
}

type Stage =
  | { kind: 'idle' }
  | { kind: 'code'; client: TelegramClient; phone: string; phoneCodeHash: string }
  | { kind: 'password'; client: TelegramClient };

/**
 * Programmatic login (driven by `crate login` and by the control bot). One connected client
 * lives from auth.SendCode to the final sign-in, as Telegram requires; on success the session is
 * saved to the session file and the client is closed. Errors the owner can fix are UserErrors
 * with a plain explanation; the flow stays at the step where retrying makes sense.
 */
export class LoginFlow {
  private stage: Stage = { kind: 'idle' };

  constructor(private readonly options: LoginFlowOptions) {}

  get step(): 'idle' | 'code' | 'password' {
    return this.stage.kind;
  }

  async startLogin(args: { phone: string }): Promise<LoginProgress> {
    await this.cancel();
    const phone = normalizePhone(args.phone);
    const { apiId, apiHash } = this.options.config.telegram;
    const client =
      this.options.createClient?.() ?? createTelegramClient(this.options.config, { session: '', logger: this.options.logger });
    try {
      await connectWithin(client, this.options.config.telegramConnectTimeoutSeconds * 1000);
      const sent = await withinDeadline(
        client.invoke(
          new Api.auth.SendCode({
            phoneNumber: phone,
            apiId: apiId ?? 0,
            apiHash: apiHash ?? '',
            settings: new Api.CodeSettings({}),
          }),
        ),
        'auth.sendCode',
      );
      if (sent instanceof Api.auth.SentCodeSuccess) return await this.finish(client, sent.authorization);
      this.stage = { kind: 'code', client, phone, phoneCodeHash: sent.phoneCodeHash };
      const codeVia = deliveryOf(sent.type);
      this.options.logger.info({ codeVia }, 'Telegram login code sent');
      return { next: 'code', codeVia };
    } catch (err) {
      await closeQuietly(client);
      this.stage = { kind: 'idle' };
      throw explain(err);
    }
  }

  async submitCode(text: string): Promise<LoginProgress> {
    const stage = this.stage;
    if (stage.kind !== 'code') throw new UserError('No login code is expected right now.', 'Start the login again.');
    const code = parseLoginCode(text, this.options.requireSeparators);
    let authorization: Api.auth.TypeAuthorization;
    try {
      authorization = await stage.client.invoke(
        new Api.auth.SignIn({ phoneNumber: stage.phone, phoneCodeHash: stage.phoneCodeHash, phoneCode: code }),
      );
    } catch (err) {
      const rpc = rpcErrorCode(err);
      if (rpc === 'SESSION_PASSWORD_NEEDED') {
        this.stage = { kind: 'password', client: stage.client };
        const password = await this.getPassword(stage.client);
        return { next: 'password', hint: password.hint ?? null };
      }
      // A wrong code can be typed again; anything else needs a new code.
      if (rpc !== 'PHONE_CODE_INVALID' && rpc !== 'PHONE_CODE_EMPTY') await this.cancel();
      throw explain(err);
    }
    return this.finish(stage.client, authorization);
  }

  async submitPassword(password: string): Promise<LoginProgress> {
    const stage = this.stage;
    if (stage.kind !== 'password') throw new UserError('No 2FA password is expected right now.', 'Start the login again.');
    if (password === '') throw new UserError('The 2FA password is empty.', 'Type the cloud password you set in Telegram.');
    // A fresh srp_B/srp_id for every attempt: Telegram accepts each only once.
    const params = await this.getPassword(stage.client);
    let authorization: Api.auth.TypeAuthorization;
    try {
      const check = await computeCheck(params, password);
      authorization = await stage.client.invoke(new Api.auth.CheckPassword({ password: check }));
    } catch (err) {
      if (rpcErrorCode(err) === 'PASSWORD_HASH_INVALID') {
        throw new UserError(
          'That 2FA password is not right.',
          params.hint ? `Your password hint: ${params.hint}` : 'Type it again.',
          { cause: err },
        );
      }
      await this.cancel();
      throw explain(err);
    }
    return this.finish(stage.client, authorization);
  }

  /** Drops a login in progress (closes its connection). */
  async cancel(): Promise<void> {
    const stage = this.stage;
    this.stage = { kind: 'idle' };
    if (stage.kind !== 'idle') await closeQuietly(stage.client);
  }

  private async getPassword(client: TelegramClient): Promise<Api.account.Password> {
    try {
      return await client.invoke(new Api.account.GetPassword());
    } catch (err) {
      await this.cancel();
      throw explain(err);
    }
  }

  private async finish(client: TelegramClient, authorization: Api.auth.TypeAuthorization): Promise<LoginProgress> {
    this.stage = { kind: 'idle' };
    try {
      if (authorization instanceof Api.auth.AuthorizationSignUpRequired) {
        throw new UserError(
          'No Telegram account uses this phone number.',
          'Create the account in an official Telegram app first, then log in here.',
        );
      }
      const user = authorization.user instanceof Api.User ? displayName(authorization.user) : null;
      const session = (client.session.save() as unknown as string | undefined) ?? '';
      if (session === '') throw new Error('Telegram login succeeded but GramJS produced no session to save');
      await saveSession(this.options.config.dataDir, session);
      this.options.logger.info({ user }, 'Telegram login complete; session saved');
      return { next: 'done', user };
    } finally {
      await closeQuietly(client);
    }
  }
}

/**
 * The digits of a login code. With `requireSeparators`, plain digits are refused: the code was
 * typed into a Telegram chat, and Telegram cancels codes that appear there as they are.
 */
export function parseLoginCode(text: string, requireSeparators: boolean): string {
  const trimmed = text.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 5 || digits.length > 8) {
    throw new UserError(
      'That does not look like a login code (it has 5 or 6 digits).',
      requireSeparators ? 'Type it with separators, e.g. 1-2-3-4-5.' : 'Type the code Telegram sent you.',
    );
  }
  if (requireSeparators && /^\d+$/.test(trimmed)) {
    throw new UserError(
      'Type the code with separators between the digits, e.g. 1-2-3-4-5 or 1a2a3a4a5.',
      'Telegram cancels a login code that is sent in a message unchanged. If this code stops working, start the login again for a new one.',
    );
  }
  return digits;
}

function normalizePhone(phone: string): string {
  const compact = phone.replace(/[\s\-().]/g, '');
  if (!/^\+?\d{7,15}$/.test(compact)) {
    throw new UserError('That is not a phone number Telegram can use.', 'Use the international form, e.g. +441234567890.');
  }
  return compact;
}

function deliveryOf(type: Api.auth.TypeSentCodeType): CodeDelivery {
  if (type instanceof Api.auth.SentCodeTypeApp) return 'app';
  if (type instanceof Api.auth.SentCodeTypeSms) return 'sms';
  if (type instanceof Api.auth.SentCodeTypeCall || type instanceof Api.auth.SentCodeTypeFlashCall) return 'call';
  return 'other';
}

function displayName(user: Api.User): string | null {
  if (user.username) return `@${user.username}`;
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return name === '' ? null : name;
}

const EXPLANATIONS: Record<string, [string, string]> = {
  PHONE_NUMBER_INVALID: [
    'Telegram does not accept this phone number.',
    'Use the international form of the number your Telegram account uses, e.g. +441234567890.',
  ],
  PHONE_NUMBER_BANNED: ['Telegram has banned this phone number.', 'Contact Telegram support (recover@telegram.org).'],
  PHONE_NUMBER_UNOCCUPIED: [
    'No Telegram account uses this phone number.',
    'Create the account in an official Telegram app first, then log in here.',
  ],
  PHONE_CODE_INVALID: ['That login code is not right.', 'Check the code Telegram sent and type it again.'],
  PHONE_CODE_EMPTY: ['The login code is empty.', 'Type the code Telegram sent.'],
  PHONE_CODE_EXPIRED: [
    'That login code has expired.',
    'Start the login again for a new code. In a chat, type it with separators (e.g. 1-2-3-4-5): Telegram cancels a code that is sent in a message unchanged.',
  ],
  PASSWORD_HASH_INVALID: ['That 2FA password is not right.', 'Type it again.'],
  API_ID_INVALID: [
    'Telegram rejected TELEGRAM_API_ID / TELEGRAM_API_HASH.',
    'Copy both again from my.telegram.org → API development tools.',
  ],
  API_ID_PUBLISHED_FLOOD: [
    'Telegram refuses this api_id (it was published).',
    'Create your own app at my.telegram.org and use its api_id and api_hash.',
  ],
};

/** A login error as something the owner can act on. */
/** GramJS's connect resolves false (or never settles) when Telegram cannot be reached. */
async function connectWithin(client: TelegramClient, timeoutMs: number): Promise<void> {
  let ok: boolean;
  try {
    ok = await withDeadline(client.connect(), timeoutMs, 'connect');
  } catch (err) {
    if (err instanceof DeadlineError) throw new TelegramUnreachableError(`no connection within ${timeoutMs / 1000} s`, { cause: err });
    throw new TelegramUnreachableError(errorMessage(err), { cause: err });
  }
  if (!ok) throw new TelegramUnreachableError('connection refused or dropped');
}

/** A login request past 30 s means the link is gone, not that Telegram is thinking. */
async function withinDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await withDeadline(promise, 30_000, what);
  } catch (err) {
    if (err instanceof DeadlineError) throw new TelegramUnreachableError(err.message, { cause: err });
    throw err;
  }
}

function explain(err: unknown): Error {
  if (err instanceof UserError) return err;
  const mapped = mapTelegramError(err, 'login');
  if (mapped instanceof FloodWaitError) {
    return new UserError(
      `Telegram asks to wait ${formatWait(mapped.seconds)} before the next login attempt.`,
      'Too many attempts in a short time; try again after that.',
      { cause: mapped },
    );
  }
  const code = rpcErrorCode(err);
  const text = code ? EXPLANATIONS[code] : undefined;
  if (text) return new UserError(text[0], text[1], { cause: err });
  return mapped;
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}

async function closeQuietly(client: TelegramClient): Promise<void> {
  // Bounded: on a dead link GramJS's destroy can wait for senders that never connect.
  await withDeadline(client.destroy(), 2_000, 'closing the connection').catch(() => undefined);
}
