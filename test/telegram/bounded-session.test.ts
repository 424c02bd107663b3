import bigInt from 'big-integer';
import { Api } from 'telegram';
import { StringSession } from 'telegram/sessions/index.js';
import { describe, expect, it } from 'vitest';
import { BoundedStringSession } from '../../src/telegram/bounded-session.js';

const bot = new Api.User({ id: bigInt(777000), accessHash: bigInt(5), bot: true, botInfoVersion: 1, firstName: 'Lossless', username: 'LosslessRobot' });
const self = new Api.User({ id: bigInt(42), accessHash: bigInt(9), self: true, firstName: 'Owner', username: 'owner' });
const poll = () => new Api.messages.Messages({ messages: [], chats: [], users: [bot, self] });
const rows = (s: StringSession) => (s as unknown as { _entities: Set<unknown[]> })._entities.size;

describe('BoundedStringSession', () => {
  it('keeps GramJS’s entity cache bounded over days of polling (plain StringSession grows with every response)', () => {
    const plain = new StringSession('');
    const bounded = new BoundedStringSession('');
    // A poll every 5 s for a week.
    for (let i = 0; i < 7 * 24 * 720; i++) {
      plain.processEntities(poll());
      bounded.processEntities(poll());
    }
    expect(rows(plain)).toBeGreaterThan(100_000);
    expect(rows(bounded)).toBeLessThan(1_000);
    // Lookups still work: GramJS finds the bot by username and id.
    expect(bounded.getInputEntity('LosslessRobot')).toBeTruthy();
  });
});
