/** Doctor checks that need the Bot API: the token (getMe) and whether the owner has opened the bot. */
import { Api, GrammyError, HttpError } from 'grammy';
import type { Check, CheckResult } from './ports.js';

export interface BotApiTarget {
  token: string;
  apiRoot: string;
  fetch?: typeof fetch;
}

function api(target: BotApiTarget): Api {
  return new Api(target.token, { apiRoot: target.apiRoot, ...(target.fetch ? { fetch: target.fetch } : {}) });
}

/** grammY errors name the method, never the URL, so their text carries no token. */
function failure(err: unknown, what: string): CheckResult {
  if (err instanceof GrammyError && err.error_code === 401) {
    return { status: 'fail', detail: `Telegram refused the bot token (401 Unauthorized)`, fix: 'Copy the token again from @BotFather (/mybots → API Token) into TELEGRAM_BOT_TOKEN.' };
  }
  if (err instanceof HttpError) {
    return { status: 'fail', detail: `cannot reach the Bot API: ${err.message}`, fix: 'Check the network, or TELEGRAM_BOT_API_ROOT if you use your own Bot API server.' };
  }
  return { status: 'fail', detail: `${what}: ${err instanceof Error ? err.message : String(err)}` };
}

export function botTokenCheck(target: BotApiTarget): Check {
  return {
    name: 'Bot API token',
    async run(signal) {
      try {
        const me = await api(target).getMe(signal as Parameters<Api["getMe"]>[0]);
        return { status: 'ok', detail: `@${me.username} (id ${me.id}) via ${new URL(target.apiRoot).host}` };
      } catch (err) {
        return failure(err, 'getMe failed');
      }
    },
  };
}

export function ownerCheck(target: BotApiTarget, ownerId: number): Check {
  return {
    name: 'Owner',
    async run(signal) {
      try {
        const chat = await api(target).getChat(ownerId, signal as Parameters<Api["getChat"]>[1]);
        if (chat.type !== 'private') {
          return { status: 'fail', detail: `${ownerId} is a ${chat.type}, not a person`, fix: 'TELEGRAM_OWNER_ID must be your own user id (ask @userinfobot).' };
        }
        return { status: 'ok', detail: `user ${ownerId} has opened the bot` };
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 400) {
          return {
            status: 'fail',
            detail: `the bot cannot write to user ${ownerId} yet`,
            fix: 'Open your bot in Telegram and press Start; if you did, check TELEGRAM_OWNER_ID (ask @userinfobot).',
          };
        }
        return failure(err, 'getChat failed');
      }
    },
  };
}
