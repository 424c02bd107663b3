/** Our own sent message, from what Telegram answers a send with (GramjsGateway). */
import bigInt from 'big-integer';
import { Api } from 'telegram';
import type { BotMessage } from '../domain/telegram.js';
import { toBotMessage } from './convert.js';

/** A random_id for a send: Telegram drops a second send with the same one. */
export function randomLong(): bigInt.BigInteger {
  return bigInt.randBetween(bigInt(1), bigInt('9223372036854775807'));
}

/** Our own message, from the Updates Telegram answers a send with. */
export function sentMessage(result: Api.TypeUpdates, randomId: bigInt.BigInteger, text: string): BotMessage {
  if (result instanceof Api.UpdateShortSentMessage) {
    return {
      id: result.id,
      date: result.date,
      editDate: null,
      out: true,
      text,
      buttons: [],
      media: 'none',
      document: null,
      replyToMessageId: null,
    };
  }
  if (result instanceof Api.Updates || result instanceof Api.UpdatesCombined) {
    const idUpdate = result.updates.find(
      (u): u is Api.UpdateMessageID => u instanceof Api.UpdateMessageID && u.randomId !== undefined && u.randomId.equals(randomId),
    );
    const messages = result.updates
      .filter((u): u is Api.UpdateNewMessage => u instanceof Api.UpdateNewMessage)
      .map((u) => u.message)
      .filter((m): m is Api.Message => m instanceof Api.Message);
    const message = idUpdate ? messages.find((m) => m.id === idUpdate.id) : messages.find((m) => m.out);
    if (message) return toBotMessage(message);
  }
  throw new Error(`Telegram answered a send with an unexpected ${result.className}`);
}
